"""equimod against its peers, measured in one process.

Peers: "dc", a frozen dataclass registered with `jax.tree_util.register_dataclass`
(JAX's C++ pytree path, the floor), Equinox, and for dispatch flax (NNX's
`nnx.jit` and `nnx.cached_partial`, linen's `jax.jit` over a params dict) when
it is installed (`pip install -e ".[bench]"`). Each row times the same
operation on equivalent objects, interleaving the implementations repeat by
repeat so that a noisy machine slows all of them alike, and prints medians and
ratios, the target for the row and a verdict: met when equimod is within the
target and no slower than Equinox. A second table reports how flatten, unflatten
and `filter_jit` dispatch grow with the number of layers, and a third puts
dispatch beside flax's.

    python benchmarks/bench.py            # full run (a few minutes)
    python benchmarks/bench.py --quick    # smoke run: few repeats, numbers are rough
    python benchmarks/bench.py --write    # full run, then write the README's tables
                                          # and docs/assets/benchmark.png from it
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import pathlib
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.tree_util as jtu

import equimod

DEPTH = 50
# filter_jit's dispatch target by depth: a call of a small model costs little, so
# the fixed cost of a call weighs more there.
DISPATCH_TARGETS = {DEPTH: 1.2, 1: 1.5, 10: 1.2, 1000: 1.2}
# A training step, reported beside dispatch: gradients and an update, under filter_jit.
TRAIN_DEPTH = 10
WIDTH = 4
SCALING_DEPTHS = (1, 10, 100, 1000)
# The operations of the scaling table, each row named "<kind>, <depth> layers...".
SCALING_KINDS = ("construct", "flatten", "unflatten", "filter_jit dispatch")
ROOT = pathlib.Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PLOT = ROOT / "docs" / "assets" / "benchmark.png"
README_START = "<!-- benchmark tables: written by `python benchmarks/bench.py --write` -->"
README_END = "<!-- end of benchmark tables -->"


@dataclasses.dataclass
class Row:
    name: str
    candidates: dict[str, Callable[[], object]]
    baseline: str  # the key that the target ratio is measured against
    target: float | None
    number: int  # calls per timing sample
    medians: dict[str, float] = dataclasses.field(default_factory=dict)


# --- equivalent models -------------------------------------------------------


@jtu.register_dataclass
@dataclasses.dataclass(frozen=True)
class DcLinear:
    weight: jax.Array
    bias: jax.Array
    in_features: int = dataclasses.field(metadata={"static": True})
    out_features: int = dataclasses.field(metadata={"static": True})
    use_bias: bool = dataclasses.field(metadata={"static": True})

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.weight @ x + self.bias


@jtu.register_dataclass
@dataclasses.dataclass(frozen=True)
class DcStack:
    layers: tuple[DcLinear, ...]


@jtu.register_dataclass
@dataclasses.dataclass(frozen=True)
class DcMLP:
    """`nn.MLP`'s fields, its activations among the static ones: what `jax.jit` can take."""

    layers: tuple[DcLinear, ...]
    activation: Callable[[jax.Array], jax.Array] = dataclasses.field(metadata={"static": True})
    final_activation: Callable[[jax.Array], jax.Array] = dataclasses.field(
        metadata={"static": True}
    )
    use_bias: bool = dataclasses.field(metadata={"static": True})
    use_final_bias: bool = dataclasses.field(metadata={"static": True})
    in_size: int = dataclasses.field(metadata={"static": True})
    out_size: int = dataclasses.field(metadata={"static": True})
    width_size: int = dataclasses.field(metadata={"static": True})
    depth: int = dataclasses.field(metadata={"static": True})
    scan: bool = dataclasses.field(metadata={"static": True})


@jtu.register_dataclass
@dataclasses.dataclass(frozen=True)
class DcPair:
    weight: jax.Array
    bias: jax.Array


@jtu.register_dataclass
@dataclasses.dataclass(frozen=True)
class DcPairCustom:
    weight: jax.Array
    bias: jax.Array

    def __init__(self, weight: jax.Array, bias: jax.Array) -> None:
        # A frozen dataclass can only assign this way.
        object.__setattr__(self, "weight", weight)
        object.__setattr__(self, "bias", bias)


def _models(module: type, linear: type) -> tuple[type, type, type]:
    """The stack, the pair with a method and the pair with a hand-written `__init__`,
    as a user of the library with this `Module` and `Linear` writes them."""

    class Stack(module):  # type: ignore[misc]
        layers: tuple[linear, ...]  # type: ignore[valid-type]

    class Pair(module):  # type: ignore[misc]
        weight: jax.Array
        bias: jax.Array

        def method(self) -> jax.Array:
            return self.weight

    class PairCustom(module):  # type: ignore[misc]
        weight: jax.Array
        bias: jax.Array

        def __init__(self, weight: jax.Array, bias: jax.Array) -> None:
            self.weight = weight
            self.bias = bias

    return Stack, Pair, PairCustom


def first_bias(model: Any, x: jax.Array) -> jax.Array:
    """What every dispatch row compiles: the input plus the model's first bias."""
    bias: jax.Array = model.layers[0].bias
    return x + bias


EmStack, EmPair, EmPairCustom = _models(equimod.Module, equimod.nn.Linear)
EqStack, EqPair, EqPairCustom = _models(eqx.Module, eqx.nn.Linear)


class Plain:
    def __init__(self, weight: jax.Array) -> None:
        self.weight = weight

    def method(self) -> jax.Array:
        return self.weight


def _make_class(kind: str) -> Callable[[], object]:
    def dc() -> object:
        @jtu.register_dataclass
        @dataclasses.dataclass(frozen=True)
        class Made:
            weight: jax.Array
            size: int = dataclasses.field(metadata={"static": True}, default=1)

            def method(self) -> jax.Array:
                return self.weight

        return Made

    def module(library: Any) -> object:
        class Made(library.Module):  # type: ignore[misc]
            weight: jax.Array
            size: int = library.field(static=True, default=1)

            def method(self) -> jax.Array:
                return self.weight

        return Made

    if kind == "dc":
        return dc
    return functools.partial(module, {"equimod": equimod, "equinox": eqx}[kind])


def build_rows() -> list[Row]:
    key = jax.random.key(0)
    keys = jax.random.split(key, DEPTH)
    em_layers = tuple(equimod.nn.Linear(WIDTH, WIDTH, key=k) for k in keys)
    eq_layers = tuple(eqx.nn.Linear(WIDTH, WIDTH, key=k) for k in keys)
    dc_stack_layers = dc_layers(em_layers)
    em_stack, eq_stack, dc_stack = EmStack(em_layers), EqStack(eq_layers), DcStack(dc_stack_layers)
    em_one, eq_one, dc_one = em_layers[0], eq_layers[0], dc_stack_layers[0]
    w, b = jnp.ones(WIDTH), jnp.ones(WIDTH)
    em_pair, eq_pair, dc_pair, plain = EmPair(w, b), EqPair(w, b), DcPair(w, b), Plain(w)

    def unflattener(tree: object) -> Callable[[], object]:
        leaves, treedef = jtu.tree_flatten(tree)
        return lambda: jtu.tree_unflatten(treedef, leaves)

    def flattener(tree: object) -> Callable[[], object]:
        return lambda: jtu.tree_flatten(tree)

    x = jnp.ones(WIDTH)
    jitted = {name: jax.jit(first_bias) for name in ("dc", "equimod", "equinox")}
    filter_jitted = equimod.filter_jit(first_bias) if hasattr(equimod, "filter_jit") else None
    eqx_filter_jitted = eqx.filter_jit(first_bias)

    rows = [
        Row(
            "class creation",
            {k: _make_class(k) for k in ("dc", "equimod", "equinox")},
            "dc",
            1.0,
            200,
        ),
        Row(
            "construct: generated `__init__`",
            {
                "dc": lambda: DcPair(w, b),
                "equimod": lambda: EmPair(w, b),
                "equinox": lambda: EqPair(w, b),
            },
            "dc",
            1.5,
            20_000,
        ),
        Row(
            "construct: custom `__init__`",
            {
                "dc": lambda: DcPairCustom(w, b),
                "equimod": lambda: EmPairCustom(w, b),
                "equinox": lambda: EqPairCustom(w, b),
            },
            "dc",
            2.0,
            20_000,
        ),
        Row(
            f"construct: wrapper of {DEPTH} Linears",
            {
                "dc": lambda: DcStack(dc_stack_layers),
                "equimod": lambda: EmStack(em_layers),
                "equinox": lambda: EqStack(eq_layers),
            },
            "dc",
            2.0,
            5_000,
        ),
        Row(
            "flatten: one Linear",
            {"dc": flattener(dc_one), "equimod": flattener(em_one), "equinox": flattener(eq_one)},
            "dc",
            1.1,
            20_000,
        ),
        Row(
            "unflatten: one Linear",
            {
                "dc": unflattener(dc_one),
                "equimod": unflattener(em_one),
                "equinox": unflattener(eq_one),
            },
            "dc",
            1.0,
            20_000,
        ),
        Row(
            f"flatten: {DEPTH}-layer stack",
            {
                "dc": flattener(dc_stack),
                "equimod": flattener(em_stack),
                "equinox": flattener(eq_stack),
            },
            "dc",
            1.1,
            1_000,
        ),
        Row(
            f"unflatten: {DEPTH}-layer stack",
            {
                "dc": unflattener(dc_stack),
                "equimod": unflattener(em_stack),
                "equinox": unflattener(eq_stack),
            },
            "dc",
            0.7,
            1_000,
        ),
        Row(
            "attribute read",
            {
                "dc": lambda: dc_pair.weight,
                "equimod": lambda: em_pair.weight,
                "equinox": lambda: eq_pair.weight,
            },
            "dc",
            1.0,
            100_000,
        ),
        Row(
            "method read (vs a plain bound method)",
            {
                "plain": lambda: plain.method,
                "equimod": lambda: em_pair.method,
                "equinox": lambda: eq_pair.method,
            },
            "plain",
            4.0,
            50_000,
        ),
        Row(
            f"jax.jit dispatch: {DEPTH}-layer stack",
            {
                "dc": lambda: jitted["dc"](dc_stack, x),
                "equimod": lambda: jitted["equimod"](em_stack, x),
                "equinox": lambda: jitted["equinox"](eq_stack, x),
            },
            "dc",
            1.05,
            500,
        ),
    ]
    filter_row: dict[str, Callable[[], object]] = {
        "dc": lambda: jitted["dc"](dc_stack, x),
        "equinox": lambda: eqx_filter_jitted(eq_stack, x),
    }
    if filter_jitted is not None:
        filter_row["equimod"] = lambda: filter_jitted(em_stack, x)
    rows.append(
        Row(
            f"filter_jit dispatch: {DEPTH}-layer stack (dc: jax.jit)",
            filter_row,
            "dc",
            DISPATCH_TARGETS[DEPTH],
            500,
        )
    )
    rows.append(
        Row(
            f"filter_jit train step: {TRAIN_DEPTH}-layer stack (dc: jax.jit)",
            _train_steps(_stacks(TRAIN_DEPTH), x),
            "dc",
            DISPATCH_TARGETS[TRAIN_DEPTH],
            200,
        )
    )
    rows.append(
        Row(
            f"filter_jit dispatch: nn.MLP of depth {TRAIN_DEPTH} (activations are leaves)",
            _dispatchers(_mlps(TRAIN_DEPTH), x),
            "dc",
            DISPATCH_TARGETS[TRAIN_DEPTH],
            1000,
        )
    )
    for depth, target in DISPATCH_TARGETS.items():
        if depth != DEPTH:
            rows.append(
                Row(
                    f"filter_jit dispatch: {depth}-layer stack (dc: jax.jit)",
                    _dispatchers(_stacks(depth), x),
                    "dc",
                    target,
                    max(1, 20_000 // depth),
                )
            )
    return rows


# --- timing -------------------------------------------------------------------


def _sample(fn: Callable[[], object], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def measure(rows: list[Row], repeats: int, scale: float) -> None:
    for row in rows:
        number = max(1, int(row.number * scale))
        samples: dict[str, list[float]] = {name: [] for name in row.candidates}
        for fn in row.candidates.values():
            fn()  # warm up: compile, fill caches
        for _ in range(repeats):
            for name, fn in row.candidates.items():
                samples[name].append(_sample(fn, number))
        row.medians = {name: statistics.median(s) for name, s in samples.items()}


def format_time(seconds: float) -> str:
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:.2f} us"
    return f"{seconds * 1e9:.0f} ns"


def verdict(row: Row) -> str:
    """'yes' when equimod is within the row's target and no slower than Equinox.

    The target is checked on the ratio as printed, to two decimals: a finer
    difference is below what a run can tell apart (a row where equimod runs the
    very code the baseline runs, such as an attribute read, measures 0.99x to
    1.01x from run to run), and a printed 1.00x against a 1.0x target reads as met.
    """
    em = row.medians.get("equimod")
    if em is None:
        return "NO: missing"
    if row.target is not None and round(em / row.medians[row.baseline], 2) > row.target:
        return "NO: above target"
    if "equinox" in row.medians and em > row.medians["equinox"]:
        return "NO: slower than Equinox"
    return "yes"


def render(rows: list[Row]) -> str:
    header = (
        "| operation | baseline | equimod | Equinox | equimod/baseline | equimod/Equinox "
        "| Equinox/baseline | target | met |"
    )
    lines = [header, "|" + "---|" * 9]
    for row in rows:
        m = row.medians
        base = m[row.baseline]
        em = m.get("equimod")
        eq = m["equinox"]
        lines.append(
            "| "
            + " | ".join(
                [
                    row.name,
                    f"{format_time(base)} ({row.baseline})",
                    format_time(em) if em is not None else "missing",
                    format_time(eq),
                    f"{em / base:.2f}x" if em is not None else "-",
                    f"{em / eq:.3f}x" if em is not None else "-",
                    f"{eq / base:.1f}x",
                    f"<= {row.target}x" if row.target is not None else "-",
                    verdict(row),
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def dc_layers(layers: Sequence[equimod.nn.Linear]) -> tuple[DcLinear, ...]:
    """The dataclass twins of equimod's Linear layers, holding the same arrays."""
    return tuple(DcLinear(lyr.weight, lyr.bias, WIDTH, WIDTH, True) for lyr in layers)  # type: ignore[arg-type]


def _stacks(depth: int) -> dict[str, object]:
    """Stacks of `depth` equal Linear layers: dc, equimod and Equinox."""
    keys = jax.random.split(jax.random.key(1), depth)
    em_layers = tuple(equimod.nn.Linear(WIDTH, WIDTH, key=k) for k in keys)
    return {
        "dc": DcStack(dc_layers(em_layers)),
        "equimod": EmStack(em_layers),
        "equinox": EqStack(tuple(eqx.nn.Linear(WIDTH, WIDTH, key=k) for k in keys)),
    }


def _mlps(depth: int) -> dict[str, object]:
    """`nn.MLP`s of `depth` hidden layers, whose activation functions are leaves (as in
    Equinox), and the dataclass that holds them as static fields for `jax.jit`."""
    key = jax.random.key(2)
    em = equimod.nn.MLP(WIDTH, WIDTH, WIDTH, depth, key=key)
    return {
        "dc": DcMLP(
            dc_layers(em.layers),
            em.activation,
            em.final_activation,
            em.use_bias,
            em.use_final_bias,
            em.in_size,  # type: ignore[arg-type]
            em.out_size,  # type: ignore[arg-type]
            em.width_size,
            em.depth,
            em.scan,
        ),
        "equimod": em,
        "equinox": eqx.nn.MLP(WIDTH, WIDTH, WIDTH, depth, key=key),
    }


def _dispatchers(stacks: dict[str, object], x: jax.Array) -> dict[str, Callable[[], object]]:
    """A call of an already-compiled function on each stack: `jax.jit` for dc,
    `filter_jit` for equimod and Equinox."""
    compiled = {
        "dc": jax.jit(first_bias),
        "equimod": equimod.filter_jit(first_bias),
        "equinox": eqx.filter_jit(first_bias),
    }
    return {name: functools.partial(f, stacks[name], x) for name, f in compiled.items()}


def _train_steps(stacks: dict[str, object], x: jax.Array) -> dict[str, Callable[[], object]]:
    """A call of an already-compiled training step (loss, gradients and an SGD update,
    returning the new model): `jax.jit` over `jax.value_and_grad` for dc,
    `filter_jit` over `filter_value_and_grad` for equimod and Equinox."""

    def loss(model: Any, x: jax.Array) -> jax.Array:
        for layer in model.layers:
            x = layer(x)
        return jnp.sum(x**2)

    def step_with(value_and_grad: Any) -> Callable[[Any, jax.Array], tuple[jax.Array, Any]]:
        def step(model: Any, x: jax.Array) -> tuple[jax.Array, Any]:
            value, grads = value_and_grad(loss)(model, x)
            return value, jtu.tree_map(lambda p, g: p - 0.01 * g, model, grads)

        return step

    compiled = {
        "dc": jax.jit(step_with(jax.value_and_grad)),
        "equimod": equimod.filter_jit(step_with(equimod.filter_value_and_grad)),
        "equinox": eqx.filter_jit(step_with(eqx.filter_value_and_grad)),
    }
    return {name: functools.partial(f, stacks[name], x) for name, f in compiled.items()}


def _build_stack(stack: type, pair: type, w: jax.Array, b: jax.Array, depth: int) -> object:
    return stack(tuple(pair(w, b) for _ in range(depth)))


def _builders(depth: int) -> dict[str, Callable[[], object]]:
    """Construction of a stack of `depth` layers, each a weight and a bias set by a
    hand-written `__init__` (as layers' are), from arrays made beforehand."""
    w, b = jnp.ones((WIDTH, WIDTH)), jnp.ones(WIDTH)
    kinds = {
        "dc": (DcStack, DcPairCustom),
        "equimod": (EmStack, EmPairCustom),
        "equinox": (EqStack, EqPairCustom),
    }
    return {
        name: functools.partial(_build_stack, stack, pair, w, b, depth)
        for name, (stack, pair) in kinds.items()
    }


def build_scaling_rows() -> list[Row]:
    """Construction, flatten, unflatten and filter_jit dispatch of stacks of 1 to 1000 layers."""
    rows = []
    x = jnp.ones(WIDTH)
    for depth in SCALING_DEPTHS:
        stacks = _stacks(depth)
        number = max(1, 2000 // depth)
        flat = {name: jtu.tree_flatten(tree) for name, tree in stacks.items()}
        rows.append(Row(f"construct, {depth} layers", _builders(depth), "dc", None, number))
        rows.append(
            Row(
                f"flatten, {depth} layers",
                {n: functools.partial(jtu.tree_flatten, t) for n, t in stacks.items()},
                "dc",
                None,
                number,
            )
        )
        rows.append(
            Row(
                f"unflatten, {depth} layers",
                {n: functools.partial(jtu.tree_unflatten, f[1], f[0]) for n, f in flat.items()},
                "dc",
                None,
                number,
            )
        )
        rows.append(
            Row(
                f"filter_jit dispatch, {depth} layers (dc: jax.jit)",
                _dispatchers(stacks, x),
                "dc",
                None,
                max(1, 200 // depth),
            )
        )
    return rows


def _flax_peers(depth: int, x: jax.Array) -> dict[str, Callable[[], object]] | None:
    """flax's ways of calling a compiled function on a model of `depth` layers, None
    without flax (a benchmark-only extra: `pip install -e ".[bench]"`).

    NNX: `nnx.jit` on an `nnx.Sequential` of `nnx.Linear`s, and `nnx.cached_partial`
    of it (flax's fast path for a model reused across calls); linen: `jax.jit` over
    the params dict of a stack of `Dense` layers, which is what `jax.jit(model.apply)`
    traces. Each computes what the other rows do: the input plus the first bias.
    """
    try:
        import flax.linen as linen
        from flax import nnx
    except ImportError:
        return None

    model = nnx.Sequential(*(nnx.Linear(WIDTH, WIDTH, rngs=nnx.Rngs(i)) for i in range(depth)))
    nnx_jitted = nnx.jit(lambda m, x: x + m.layers[0].bias[...])
    peers: dict[str, Callable[[], object]] = {"nnx.jit": lambda: nnx_jitted(model, x)}
    if hasattr(nnx, "cached_partial"):
        cached = nnx.cached_partial(nnx_jitted, model)
        peers["nnx.cached_partial"] = lambda: cached(x)

    # (Untyped where flax is not installed, as in the test command's environment.)
    class Stack(linen.Module):  # type: ignore[misc,unused-ignore]
        depth: int

        @linen.compact  # type: ignore[untyped-decorator,unused-ignore]
        def __call__(self, x: jax.Array) -> jax.Array:
            for i in range(self.depth):
                x = linen.Dense(WIDTH, name=f"layers_{i}")(x)
            return x

    params = Stack(depth).init(jax.random.key(0), x)
    linen_jitted = jax.jit(lambda p, x: x + p["params"]["layers_0"]["bias"])
    peers["linen"] = lambda: linen_jitted(params, x)
    return peers


FLAX_DEPTHS = (1, 10, 50, 1000)
_FLAX_TITLE = (
    "Against flax, the calling of an already-compiled function on a model (median "
    "time per call, and its ratio to `jax.jit` on a registered frozen dataclass):"
)
_NO_FLAX = 'flax is not installed: `pip install -e ".[bench]"` adds these rows.'
FLAX_PEERS = ("nnx.jit", "nnx.cached_partial", "linen")


def build_flax_rows() -> list[Row]:
    """filter_jit dispatch against flax's, by depth; empty without flax."""
    x = jnp.ones(WIDTH)
    rows = []
    for depth in FLAX_DEPTHS:
        peers = _flax_peers(depth, x)
        if peers is None:
            return []
        candidates = {**_dispatchers(_stacks(depth), x), **peers}
        rows.append(Row(f"dispatch, {depth} layers", candidates, "dc", None, max(1, 200 // depth)))
    return rows


def render_flax(rows: list[Row]) -> str:
    names = ["equimod", "equinox", *FLAX_PEERS]
    labels = {"equimod": "equimod `filter_jit`", "equinox": "Equinox `filter_jit`"}
    lines = [
        "| operation | dc (`jax.jit`) | "
        + " | ".join(labels.get(n, f"flax `{n}`") for n in names)
        + " |",
        "|" + "---|" * (len(names) + 2),
    ]
    for row in rows:
        m = row.medians
        cells = [f"{format_time(m[n])} ({m[n] / m['dc']:.2f}x)" if n in m else "-" for n in names]
        lines.append(f"| {row.name} | {format_time(m['dc'])} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_scaling(rows: list[Row]) -> str:
    lines = [
        "| operation | dc | equimod | Equinox | equimod/dc | equimod/Equinox |",
        "|" + "---|" * 6,
    ]
    for row in rows:
        m = row.medians
        lines.append(
            f"| {row.name} | {format_time(m['dc'])} | {format_time(m['equimod'])} | "
            f"{format_time(m['equinox'])} | {m['equimod'] / m['dc']:.2f}x | "
            f"{m['equimod'] / m['equinox']:.3f}x |"
        )
    return "\n".join(lines)


def write_plot(rows: list[Row], scaling: list[Row], path: pathlib.Path) -> None:
    """Ratios to the baseline per row, and the scaling curves, as one PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(14, 6))
    names = [row.name for row in rows]
    positions = range(len(rows))
    for offset, (who, colour) in enumerate((("equimod", "tab:blue"), ("equinox", "tab:orange"))):
        ratios = [row.medians[who] / row.medians[row.baseline] for row in rows]
        left.barh([p + 0.4 * offset for p in positions], ratios, 0.4, label=who, color=colour)
    targets = [row.target for row in rows]
    left.scatter(
        [t for t in targets if t is not None],
        [p + 0.2 for p, t in zip(positions, targets, strict=True) if t is not None],
        marker="|",
        s=300,
        color="black",
        label="target",
    )
    left.set_yticks([p + 0.2 for p in positions], names, fontsize=8)
    left.set_xscale("log")
    left.invert_yaxis()
    left.set_xlabel("time / baseline (log scale; lower is faster)")
    left.legend()
    for kind, style in zip(SCALING_KINDS, ("-.", "-", "--", ":"), strict=True):
        for who, colour in (("dc", "tab:gray"), ("equimod", "tab:blue"), ("equinox", "tab:orange")):
            times = [r.medians[who] for r in scaling if r.name.startswith(kind + ",")]
            right.plot(SCALING_DEPTHS, times, style, color=colour, label=f"{kind}: {who}")
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlabel("layers")
    right.set_ylabel("seconds (median)")
    right.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)


def write_readme(text: str, readme: pathlib.Path = README) -> None:
    """Replace what stands between the README's benchmark markers with `text`."""
    write_between_markers(text, readme, README_START, README_END)


def write_between_markers(
    text: str, path: pathlib.Path, start_marker: str, end_marker: str
) -> None:
    content = path.read_text()
    start, end = content.index(start_marker), content.index(end_marker)
    path.write_text(content[: start + len(start_marker)] + "\n" + text + "\n" + content[end:])


def parse_mode(argv: list[str] | None, doc: str | None, write_help: str) -> tuple[int, float, bool]:
    """Repeats and the scale of each sample's calls (--quick: a smoke run), and --write."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="few repeats: a smoke run")
    mode.add_argument("--write", action="store_true", help=write_help)
    args = parser.parse_args(argv)
    repeats, scale = (3, 0.02) if args.quick else (15, 1.0)
    return repeats, scale, args.write


def main(argv: list[str] | None = None) -> int:
    repeats, scale, write = parse_mode(argv, __doc__, "write the README's tables and the plot")
    rows = build_rows()
    measure(rows, repeats, scale)
    scaling = build_scaling_rows()
    measure(scaling, repeats, scale)
    flax_rows = build_flax_rows()
    measure(flax_rows, repeats, scale)
    title = (
        f"equimod {equimod.__version__}, Equinox {eqx.__version__}, JAX {jax.__version__}, "
        f"Python {sys.version.split()[0]}; medians of {repeats} interleaved samples"
    )
    text = "\n\n".join(
        [
            title,
            render(rows),
            "How the costs grow with the depth of the stack:",
            render_scaling(scaling),
            _FLAX_TITLE,
            render_flax(flax_rows) if flax_rows else _NO_FLAX,
        ]
    )
    print(text)
    if write:
        write_readme(text)
        write_plot(rows, scaling, PLOT)
        print(f"wrote {README.relative_to(ROOT)} and {PLOT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
