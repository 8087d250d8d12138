"""A design equimod does not take: each instance stores its own flatten.

JAX registers a class's flatten and unflatten together. equimod registers a
Module as a dataclass node, so that JAX's C++ code flattens it by reading the
fields; JAX's unflatten of such a node calls the class with keywords, which a
class with a hand-written `__init__` receives in a Python `__call__`. That call
is why the unflatten rows trail Equinox's, whose unflatten is a Python function
given the children as one tuple (and whose flatten is Python too, and slower).

The design measured here gives both speeds at once. Each instance keeps, in its
`__dict__`, the pair its flatten returns, `(children, static values)`, made
when it is built; the class is registered with that pair's reader,
`operator.attrgetter`, as its flatten (C code: no Python frame), and a Python
unflatten that makes the instance from the pair, with the pair stored again.

equimod does not take it because it changes a meaning: a field set after
construction with `object.__setattr__` (as Equinox's own `make_with_state`
does to a `StateIndex`) is seen by attribute reads but not by the stored flatten,
so `jax.jit` and `tree_map` would silently use the old value. The last line of
the output shows it.

    python benchmarks/stored_flatten.py           # print the table
    python benchmarks/stored_flatten.py --quick   # smoke run: few repeats, numbers are rough
"""

from __future__ import annotations

import functools
import operator
import sys
from collections.abc import Iterable
from typing import Any

import bench
import equinox as eqx
import jax
import jax.numpy as jnp
import jax.tree_util as jtu

import equimod

_new = object.__new__
_FLAT = "_flat"


class StoredFlatLinear:
    """`nn.Linear`'s fields, with the pair its flatten returns stored beside them."""

    def __init__(
        self,
        weight: jax.Array,
        bias: jax.Array,
        in_features: int,
        out_features: int,
        use_bias: bool,
    ) -> None:
        children = (weight, bias)
        static = (in_features, out_features, use_bias)
        _set_dict(self, _instance_dict(children, static))


_set_dict = vars(StoredFlatLinear)["__dict__"].__set__


def _instance_dict(children: Iterable[Any], static: tuple[Any, ...]) -> dict[str, Any]:
    weight, bias = children
    in_features, out_features, use_bias = static
    return {
        "weight": weight,
        "bias": bias,
        "in_features": in_features,
        "out_features": out_features,
        "use_bias": use_bias,
        _FLAT: (children, static),
    }


def _unflatten(static: Any, children: Iterable[Any]) -> StoredFlatLinear:
    self = _new(StoredFlatLinear)
    _set_dict(self, _instance_dict(children, static))
    return self


_KEYS = (jtu.GetAttrKey("weight"), jtu.GetAttrKey("bias"))


def _flatten_with_keys(x: StoredFlatLinear) -> tuple[list[tuple[Any, Any]], tuple[Any, ...]]:
    children, static = getattr(x, _FLAT)
    return list(zip(_KEYS, children, strict=True)), static


jtu.register_pytree_with_keys(
    StoredFlatLinear, _flatten_with_keys, _unflatten, flatten_func=operator.attrgetter(_FLAT)
)


def _layers(depth: int) -> dict[str, object]:
    """`depth` equal layers in a tuple, as dc, equimod, Equinox and the stored design."""
    keys = jax.random.split(jax.random.key(1), depth)
    em = tuple(equimod.nn.Linear(bench.WIDTH, bench.WIDTH, key=k) for k in keys)
    return {
        "dc": bench.dc_layers(em),
        "equimod": em,
        "equinox": tuple(eqx.nn.Linear(bench.WIDTH, bench.WIDTH, key=k) for k in keys),
        "stored": tuple(
            StoredFlatLinear(lyr.weight, lyr.bias, bench.WIDTH, bench.WIDTH, True)  # type: ignore[arg-type]
            for lyr in em
        ),
    }


def build_rows() -> list[bench.Row]:
    rows = []
    for depth in (1, bench.DEPTH):
        trees = _layers(depth)
        flattened = {name: jtu.tree_flatten(tree) for name, tree in trees.items()}
        number = max(200, 20_000 // depth)
        rows.append(
            bench.Row(
                f"flatten: {depth} Linear",
                {name: functools.partial(jtu.tree_flatten, tree) for name, tree in trees.items()},
                "dc",
                None,
                number,
            )
        )
        rows.append(
            bench.Row(
                f"unflatten: {depth} Linear",
                {
                    name: functools.partial(jtu.tree_unflatten, treedef, leaves)
                    for name, (leaves, treedef) in flattened.items()
                },
                "dc",
                None,
                number,
            )
        )
    return rows


def render(rows: list[bench.Row]) -> str:
    names = list(rows[0].candidates)
    lines = [
        "| operation | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for row in rows:
        base = row.medians[row.baseline]
        cells = [
            f"{bench.format_time(row.medians[name])} ({row.medians[name] / base:.2f}x)"
            for name in names
        ]
        lines.append(f"| {row.name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def stale_after_object_setattr() -> tuple[bool, bool]:
    """Whether equimod's flatten, and the stored one, see a weight set with
    `object.__setattr__` after construction."""
    em = equimod.nn.Linear(2, 2, key=jax.random.key(0))
    stored = StoredFlatLinear(em.weight, em.bias, 2, 2, True)  # type: ignore[arg-type]
    new = jnp.full((2, 2), 7.0)
    for layer in (em, stored):
        object.__setattr__(layer, "weight", new)
    return (
        jtu.tree_leaves(em)[0] is new,
        jtu.tree_leaves(stored)[0] is new,
    )


def main(argv: list[str] | None = None) -> int:
    repeats, scale, _ = bench.parse_mode(
        argv, __doc__, "not used by this script: it writes nothing"
    )
    rows = build_rows()
    bench.measure(rows, repeats, scale)
    print(
        f"equimod {equimod.__version__}, Equinox {eqx.__version__}, JAX {jax.__version__}, "
        f"Python {sys.version.split()[0]}; medians of {repeats} interleaved samples, "
        "and each one's ratio to dc\n"
    )
    print(render(rows))
    em_sees, stored_sees = stale_after_object_setattr()
    print(
        "\nA weight set with object.__setattr__ after construction is what flatten "
        f"returns: equimod {em_sees}, stored {stored_sees}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
