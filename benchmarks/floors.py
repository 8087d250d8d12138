"""The least the design behind each row that misses its target can cost.

Each floor keeps the one thing equimod must do for that row and drops the rest,
and is measured in the same run as equimod itself (interleaved, medians, as in
`bench.py`). A row whose floor is already above the row's target cannot meet it
without changing that part of the design; docs/performance.md says which.

    python benchmarks/floors.py           # print the table
    python benchmarks/floors.py --quick   # smoke run: few repeats, numbers are rough
    python benchmarks/floors.py --write   # also write it into docs/performance.md
"""

from __future__ import annotations

import dataclasses
import functools
import operator
import sys
from collections.abc import Callable
from typing import Any

import bench
import jax
import jax.numpy as jnp
import jax.tree_util as jtu

import equimod

DOCS = bench.ROOT / "docs" / "performance.md"
DOCS_START = "<!-- floors table: written by `python benchmarks/floors.py --write` -->"
DOCS_END = "<!-- end of floors table -->"


@dataclasses.dataclass
class Floor:
    # Named, measured against and judged as the benchmark row it explains, with
    # the floor as one more candidate.
    row: bench.Row
    what: str  # what the floor keeps


# --- unflatten: JAX's C++ dataclass path calls the class with keywords --------


class _BuildsFromKeywords(type):
    """equimod's unflatten with nothing else: a call that, since it must accept any
    call a user makes, takes any arguments, and makes the instance from the keywords."""

    def __call__(cls: Any, *args: Any, _equimod_unflatten: object = None, **kwargs: Any) -> Any:
        self = _new(cls)
        _set_dict(self, kwargs)
        return self


class _KeywordCalled(metaclass=_BuildsFromKeywords):
    _equimod_unflatten = 0  # read by flatten, passed back by unflatten


_new = object.__new__
_set_dict = vars(_KeywordCalled)["__dict__"].__set__
# Registered as equimod registers a class with a hand-written __init__: two data
# fields, three static fields and the unflatten token.
jtu.register_dataclass(
    _KeywordCalled,
    data_fields=["weight", "bias"],
    meta_fields=["in_features", "out_features", "use_bias", "_equimod_unflatten"],
)


# --- construction with a hand-written __init__: a Python __setattr__ ----------


class _MarksConstruction(type):
    """Runs `__init__` with the instance marked as under construction."""

    def __call__(cls: Any, *args: Any, **kwargs: Any) -> Any:
        self = object.__new__(cls)
        object.__setattr__(self, "_building", True)
        cls.__init__(self, *args, **kwargs)
        object.__delattr__(self, "_building")
        return self


class _ChecksEachAssignment(metaclass=_MarksConstruction):
    _building = False

    def __init__(self, weight: jax.Array, bias: jax.Array) -> None:
        self.weight = weight
        self.bias = bias

    def __setattr__(self, name: str, value: Any) -> None:
        if not self._building:
            raise AttributeError(name)
        object.__setattr__(self, name, value)


# --- method read: a Python __get__ that makes an object -----------------------


class _Bound:
    pass


_set_bound_dict = vars(_Bound)["__dict__"].__set__


class _BindsOnRead:
    def __get__(self, instance: object, owner: type | None = None) -> Any:
        bound = _Bound()  # a plain class: made by C code alone
        _set_bound_dict(bound, {"__func__": _function, "__self__": instance})
        return bound


def _function() -> None:
    pass


class _WithDescriptor:
    method = _BindsOnRead()


# --- filter_jit dispatch with leaves that are not arrays: one flatten of ours ---


def _arrays_kept_then_jitted(tree: object, x: jax.Array) -> Callable[[], object]:
    """The call `filter_jit` must make with nothing else: the arguments flattened
    once, their structure and their leaves that are not arrays compared with the
    last call's (a changed one must compile anew), those leaves deleted from the
    list of leaves at positions known beforehand, and `jax.jit` called on the
    arrays left as one list (JAX refuses the functions among the leaves, so it
    cannot flatten the model itself)."""

    def first_bias(arrays: list[jax.Array], x: jax.Array) -> jax.Array:
        return x + arrays[1]  # the first layer's bias, as bench's dispatch reads

    leaves, first_structure = jtu.tree_flatten(tree)
    # (jaxlib has no stub for a tree structure's comparison.)
    treedef: Any = first_structure
    others = [i for i, leaf in enumerate(leaves) if not equimod.is_array(leaf)]
    pick_others, others_backwards = operator.itemgetter(*others), others[::-1]
    last_others = pick_others(leaves)
    jitted = jax.jit(first_bias)

    def call() -> object:
        leaves, structure = jtu.tree_flatten(tree)
        if structure != treedef or pick_others(leaves) != last_others:
            raise AssertionError("the floor's call always has the same structure")
        for position in others_backwards:
            del leaves[position]
        return jitted(leaves, x)

    return call


def build_floors() -> list[Floor]:
    keys = jax.random.split(jax.random.key(0), bench.DEPTH)
    layers = tuple(equimod.nn.Linear(bench.WIDTH, bench.WIDTH, key=k) for k in keys)
    em_stack = bench.EmStack(layers)
    dc_stack = bench.DcStack(bench.dc_layers(layers))
    one = layers[0]
    keyword_called = object.__new__(_KeywordCalled)
    _set_dict(
        keyword_called,
        {
            "weight": one.weight,
            "bias": one.bias,
            "in_features": 4,
            "out_features": 4,
            "use_bias": True,
        },
    )
    unflatteners: dict[str, Callable[[], object]] = {}
    for name, tree in (
        ("dc", dc_stack),
        ("equimod", em_stack),
        # In equimod's own stack, so that only the layers differ.
        ("floor", bench.EmStack((keyword_called,) * bench.DEPTH)),
    ):
        leaves, treedef = jtu.tree_flatten(tree)
        unflatteners[name] = functools.partial(jtu.tree_unflatten, treedef, leaves)

    w = jnp.ones(bench.WIDTH)
    plain, em_pair = bench.Plain(w), bench.EmPair(w, w)
    with_descriptor = _WithDescriptor()

    mlps = bench._mlps(bench.TRAIN_DEPTH)
    mlp_dispatch = bench._dispatchers(mlps, w)
    mlp_dispatch["floor"] = _arrays_kept_then_jitted(mlps["equimod"], w)
    del mlp_dispatch["equinox"]

    return [
        Floor(
            bench.Row(
                f"filter_jit dispatch: nn.MLP of depth {bench.TRAIN_DEPTH} (activations are leaves)",
                mlp_dispatch,
                "dc",
                bench.DISPATCH_TARGETS[bench.TRAIN_DEPTH],
                1000,
            ),
            "one flatten of the arguments, a comparison of their structure and of their "
            "leaves that are not arrays with the last call's, those leaves deleted from "
            "the list, and `jax.jit` on the arrays left as one list: JAX "
            "refuses a function among a model's leaves, so the model cannot go to "
            "`jax.jit` as it is, and its leaves are flattened twice",
        ),
        Floor(
            bench.Row(f"unflatten: {bench.DEPTH}-layer stack", unflatteners, "dc", 0.7, 200),
            "a class registered as equimod registers `nn.Linear`, whose metaclass "
            "`__call__(cls, *args, _equimod_unflatten=None, **kwargs)` makes the "
            "instance with the keywords as its `__dict__`: JAX calls the class with "
            "keywords, and a call that must accept any arguments receives them as a "
            "new dict",
        ),
        Floor(
            bench.Row(
                "construct: custom `__init__`",
                {
                    "dc": lambda: bench.DcPairCustom(w, w),
                    "equimod": lambda: bench.EmPairCustom(w, w),
                    "floor": lambda: _ChecksEachAssignment(w, w),
                },
                "dc",
                2.0,
                20_000,
            ),
            "a metaclass `__call__` that marks the instance as under construction "
            "around `__init__`, and a `__setattr__` that checks the mark and "
            "forwards to `object.__setattr__`: checking each assignment where it is "
            "made takes a Python call per assignment",
        ),
        Floor(
            bench.Row(
                "method read (vs a plain bound method)",
                {
                    "plain": lambda: plain.method,
                    "equimod": lambda: em_pair.method,
                    "floor": lambda: with_descriptor.method,
                },
                "plain",
                4.0,
                100_000,
            ),
            "a descriptor whose Python `__get__` returns a new instance of a plain "
            "class (made by C code alone) holding the function and the instance: a "
            "bound method that is a pytree cannot be Python's own",
        ),
    ]


def render(floors: list[Floor]) -> str:
    lines = [
        "| operation | target | equimod | floor | what the floor keeps |",
        "|---|---|---|---|---|",
    ]
    for floor in floors:
        row = floor.row
        medians = row.medians
        base = medians[row.baseline]
        lines.append(
            f"| {row.name} | <= {row.target}x {row.baseline} | "
            f"{medians['equimod'] / base:.2f}x | {medians['floor'] / base:.2f}x | {floor.what} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    repeats, scale, write = bench.parse_mode(argv, __doc__, "write the table into the docs")
    floors = build_floors()
    bench.measure([floor.row for floor in floors], repeats, scale)
    text = "\n\n".join(
        [
            f"equimod {equimod.__version__}, JAX {jax.__version__}, "
            f"Python {sys.version.split()[0]}; medians of {repeats} interleaved samples, "
            "as ratios to the row's baseline",
            render(floors),
        ]
    )
    print(text)
    if write:
        bench.write_between_markers(text, DOCS, DOCS_START, DOCS_END)
        print(f"wrote {DOCS.relative_to(bench.ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
