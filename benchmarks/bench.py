"""equimod against its peers, measured in one process.

Peers: "dc", a frozen dataclass registered with `jax.tree_util.register_dataclass`
(JAX's C++ pytree path, the floor), and Equinox. Each row times the same
operation on equivalent objects, interleaving the implementations repeat by
repeat so that a noisy machine slows all of them alike, and prints medians and
ratios with the DESIGN.md target for the row.

    python benchmarks/bench.py            # full run (about a minute)
    python benchmarks/bench.py --quick    # smoke run: few repeats, numbers are rough
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.tree_util as jtu

import equimod

DEPTH = 50
WIDTH = 4


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


class EmStack(equimod.Module):
    layers: tuple[equimod.nn.Linear, ...]


class EmPair(equimod.Module):
    weight: jax.Array
    bias: jax.Array

    def method(self) -> jax.Array:
        return self.weight


class EmPairCustom(equimod.Module):
    weight: jax.Array
    bias: jax.Array

    def __init__(self, weight: jax.Array, bias: jax.Array) -> None:
        self.weight = weight
        self.bias = bias


class EqStack(eqx.Module):
    layers: tuple[eqx.nn.Linear, ...]


class EqPair(eqx.Module):
    weight: jax.Array
    bias: jax.Array

    def method(self) -> jax.Array:
        return self.weight


class EqPairCustom(eqx.Module):
    weight: jax.Array
    bias: jax.Array

    def __init__(self, weight: jax.Array, bias: jax.Array) -> None:
        self.weight = weight
        self.bias = bias


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

    def em() -> object:
        class Made(equimod.Module):
            weight: jax.Array
            size: int = equimod.field(static=True, default=1)

            def method(self) -> jax.Array:
                return self.weight

        return Made

    def eq() -> object:
        class Made(eqx.Module):
            weight: jax.Array
            size: int = eqx.field(static=True, default=1)

            def method(self) -> jax.Array:
                return self.weight

        return Made

    return {"dc": dc, "equimod": em, "equinox": eq}[kind]


def build_rows() -> list[Row]:
    key = jax.random.key(0)
    keys = jax.random.split(key, DEPTH)
    em_layers = tuple(equimod.nn.Linear(WIDTH, WIDTH, key=k) for k in keys)
    eq_layers = tuple(eqx.nn.Linear(WIDTH, WIDTH, key=k) for k in keys)
    dc_layers = tuple(
        DcLinear(layer.weight, layer.bias, WIDTH, WIDTH, True)  # type: ignore[arg-type]
        for layer in em_layers
    )
    em_stack, eq_stack, dc_stack = EmStack(em_layers), EqStack(eq_layers), DcStack(dc_layers)
    em_one, eq_one, dc_one = em_layers[0], eq_layers[0], dc_layers[0]
    w, b = jnp.ones(WIDTH), jnp.ones(WIDTH)
    em_pair, eq_pair, dc_pair, plain = EmPair(w, b), EqPair(w, b), DcPair(w, b), Plain(w)

    def unflattener(tree: object) -> Callable[[], object]:
        leaves, treedef = jtu.tree_flatten(tree)
        return lambda: jtu.tree_unflatten(treedef, leaves)

    def flattener(tree: object) -> Callable[[], object]:
        return lambda: jtu.tree_flatten(tree)

    x = jnp.ones(WIDTH)

    def first_bias(model: Any, x: jax.Array) -> jax.Array:
        return x + model.layers[0].bias

    jitted = {name: jax.jit(first_bias) for name in ("dc", "equimod", "equinox")}
    filter_jitted = equimod.filter_jit(first_bias) if hasattr(equimod, "filter_jit") else None
    eqx_filter_jitted = eqx.filter_jit(first_bias)

    rows = [
        Row(
            "class creation",
            {k: _make_class(k) for k in ("dc", "equimod", "equinox")},
            "dc",
            1.3,
            200,
        ),
        Row(
            "construct: generated __init__",
            {
                "dc": lambda: DcPair(w, b),
                "equimod": lambda: EmPair(w, b),
                "equinox": lambda: EqPair(w, b),
            },
            "dc",
            3.0,
            20_000,
        ),
        Row(
            "construct: custom __init__",
            {
                "dc": lambda: DcPairCustom(w, b),
                "equimod": lambda: EmPairCustom(w, b),
                "equinox": lambda: EqPairCustom(w, b),
            },
            "dc",
            3.0,
            20_000,
        ),
        Row(
            f"construct: wrapper of {DEPTH} Linears",
            {
                "dc": lambda: DcStack(dc_layers),
                "equimod": lambda: EmStack(em_layers),
                "equinox": lambda: EqStack(eq_layers),
            },
            "dc",
            3.0,
            5_000,
        ),
        Row(
            "flatten: one Linear",
            {"dc": flattener(dc_one), "equimod": flattener(em_one), "equinox": flattener(eq_one)},
            "dc",
            1.3,
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
            1.3,
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
            1.0,
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
            1.5,
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
            15.0,
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
            1.15,
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
            1.5,
            500,
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


def _format_time(seconds: float) -> str:
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:.2f} us"
    return f"{seconds * 1e9:.0f} ns"


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
        em_ratio = em / base if em is not None else None
        met = (
            "n/a"
            if em_ratio is None or row.target is None
            else ("yes" if em_ratio <= row.target else "NO")
        )
        lines.append(
            "| "
            + " | ".join(
                [
                    row.name,
                    f"{_format_time(base)} ({row.baseline})",
                    _format_time(em) if em is not None else "missing",
                    _format_time(eq),
                    f"{em_ratio:.2f}x" if em_ratio is not None else "-",
                    f"{em / eq:.3f}x" if em is not None else "-",
                    f"{eq / base:.1f}x",
                    f"<= {row.target}x" if row.target is not None else "-",
                    met,
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few repeats: a smoke run")
    args = parser.parse_args(argv)
    repeats, scale = (3, 0.02) if args.quick else (15, 1.0)
    rows = build_rows()
    measure(rows, repeats, scale)
    print(
        f"equimod {equimod.__version__}, Equinox {eqx.__version__}, JAX {jax.__version__}, "
        f"Python {sys.version.split()[0]}; medians of {repeats} interleaved samples"
    )
    print(render(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
