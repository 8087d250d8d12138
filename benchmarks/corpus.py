"""A generated codebase of equimod Modules, for measuring what the mypy plugin costs.

`write_corpus(folder, count, seed)` writes `mod_000.py`, `mod_001.py`, ...: plain
top-level modules (no package) that between them use every feature of
`equimod.Module`:

- generated `__init__`s with defaults, `default_factory`, `kw_only` (class option,
  field option and the `KW_ONLY` sentinel) and `init=False` fields set in
  `__post_init__`; static fields; converter fields (a named function, `float`,
  `jnp.asarray`); `__check_init__`;
- hand-written `__init__`s that assign fields of `self`, and subclasses that
  inherit them (also across modules);
- `AbstractVar` implemented by a field, a property, a method and a class
  attribute, `AbstractClassVar` implemented by a `ClassVar`;
- generic Modules, methods, `equimod.nn.Linear`/`MLP`, and calls constructing
  the classes with the right arguments, whose results are read;
- subclasses of classes from earlier modules: module i imports a recent one
  (i-4 to i-1) and a random earlier one, so the imports form a DAG whose depth
  grows with `count`, and inheritance chains across modules (up to 4 deep).

The code is correct: every module runs (each builds its objects on import), and
mypy reports nothing, with and without the `equimod_mypy` plugin (also under
`--strict`). Without the plugin mypy takes an `AbstractVar` for a dataclass
field, so where that is wrong (a property or a method implementing one, and
calls constructing a class that implements one by a property, a method or a
class attribute) the line carries a `# type: ignore[...]` that the plugin makes
unnecessary. Where the plugin and plain mypy see different `__init__`s, the
calls pass what both accept: converter fields get values of the field's type,
subclasses inheriting a hand-written `__init__` get keyword arguments named
like the fields, or are not called (`KeyedChild`). Same count and seed, same
output.

    python benchmarks/corpus.py FOLDER [COUNT] [SEED]
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

_HEADER = '''\
"""Generated module {i} of the equimod mypy benchmark corpus."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY
from typing import ClassVar, Generic, TypeVar

import jax
import jax.numpy as jnp

import equimod
from equimod import AbstractClassVar, AbstractVar
{imports}
T = TypeVar("T")
U = TypeVar("U")


def to_int_{i}(value: int | str) -> int:
    return int(value) + {c}
'''

_CLASSES = """

class Base{i}(equimod.Module):
    size: AbstractVar[int]
    kind: AbstractClassVar[str]
    scale: float = equimod.field(converter=float, default="{scale}", kw_only=True)

    def doubled(self) -> int:
        return 2 * self.size


class ByField{i}(Base{i}):
    size: int
    kind: ClassVar[str] = "field"
    count: int = equimod.field(converter=to_int_{i}, default="{c}")
    tags: list[str] = equimod.field(default_factory=list)
    label: str = equimod.field(static=True, default="x", kw_only=True)

    def __check_init__(self) -> None:
        if self.size < 0:
            raise ValueError("size must be non-negative")


class ByProperty{i}(Base{i}):
    kind: ClassVar[str] = "property"

    @property  # type: ignore[misc]
    def size(self) -> int:  # type: ignore[override]
        return {c}


class ByAttribute{i}(Base{i}):
    kind: ClassVar[str] = "attribute"
    size = {c}


class Runner{i}(equimod.Module):
    step: AbstractVar[Callable[[int], int]]

    def twice(self, x: int) -> int:
        return self.step(self.step(x))


class ByMethod{i}(Runner{i}):
    def step(self, x: int) -> int:  # type: ignore[misc]
        return x + {c}


class Hand{i}(equimod.Module):
    weight: jax.Array
    n: int = equimod.field(static=True)

    def __init__(self, weight: jax.Array, n: int) -> None:
        self.weight = weight * {c}
        self.n = n

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.weight * x


class HandChild{i}(Hand{i}):
    def total(self) -> float:
        return float(jnp.sum(self.weight))


class Keyed{i}(equimod.Module):
    linear: equimod.nn.Linear
    width: int = equimod.field(static=True)

    def __init__(self, width: int, *, key: jax.Array) -> None:
        self.linear = equimod.nn.Linear(width, width, key=key)
        self.width = width

    def __call__(self, x: jax.Array) -> jax.Array:
        return jax.nn.relu(self.linear(x))


class KeyedChild{i}(Keyed{i}):
    # Inherits Keyed{i}'s __init__, which mypy sees only with the plugin: not called.
    def twice(self, x: jax.Array) -> jax.Array:
        return self(self(x))


class Options{i}(equimod.Module, kw_only=True):
    rate: float
    steps: int = {steps}
    names: tuple[str, ...] = ()


class Split{i}(equimod.Module):
    a: int
    b: int = equimod.field(kw_only=True)
    _: KW_ONLY
    c: str = "c"
    doubled: int = equimod.field(init=False)

    def __post_init__(self) -> None:
        self.doubled = 2 * self.a


class Box{i}(equimod.Module, Generic[T]):
    item: T
    values: jax.Array = equimod.field(converter=jnp.asarray, default=0.0)

    def map(self, f: Callable[[T], U]) -> Box{i}[U]:
        return Box{i}(item=f(self.item), values=self.values)


class Net{i}(equimod.Module):
    mlp: equimod.nn.MLP

    def __init__(self, key: jax.Array) -> None:
        self.mlp = equimod.nn.MLP(2, 1, {width}, 1, key=key)

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.mlp(x)
"""

_CROSS = """

class Derived{i}({parent}):
    extra_{i}: str = "e{i}"

    def describe(self) -> str:
        return f"{{self.kind}}:{{self.size}}:{{self.extra_{i}}}"


class Wrapped{i}(mod_{q:03d}.HandChild{q}):
    def norm(self) -> float:
        return self.total() / self.n


class IntBox{i}(mod_{q:03d}.Box{q}[int]):
    def incremented(self) -> int:
        return self.item + 1
"""

_BUILD = """

def build_{i}() -> int:
    key = jax.random.key({i})
    by_field = ByField{i}(size=1, count=2, tags=["t"], scale=2.0, label="y")
    by_property = ByProperty{i}()  # type: ignore[call-arg]
    by_attribute = ByAttribute{i}()  # type: ignore[call-arg]
    runner = ByMethod{i}()  # type: ignore[call-arg]
    hand = HandChild{i}(weight=jnp.ones(3), n=3)
    keyed = Keyed{i}(3, key=key)
    options = Options{i}(rate=0.5, names=("a",))
    split = Split{i}(1, b=2, c="d")
    box: Box{i}[str] = Box{i}(item="s{i}", values=jnp.ones(2))
    lengths = box.map(len)
    net = Net{i}(key)
    total = by_field.doubled() + by_field.count + len(by_field.tags) + by_property.doubled()
    total += by_attribute.size + runner.twice(1) + hand.n + round(hand.total())
    total += keyed(jnp.ones(3)).shape[0] + options.steps + len(options.names)
    total += split.doubled + split.b + len(split.c) + lengths.item + net(jnp.ones(2)).shape[0]
    return total{cross_use}


RESULT_{i}: int = build_{i}()
"""

_CROSS_USE = """ + _cross_{i}()


def _cross_{i}() -> int:
    derived = Derived{i}(size=2, tags=["u"], label="z")
    wrapped = Wrapped{i}(weight=jnp.ones(2), n=2)
    int_box = IntBox{i}(item=4)
    earlier = mod_{p:03d}.ByField{p}(size=5, scale=0.5)
    total = derived.doubled() + len(derived.describe()) + round(wrapped.norm())
    return total + int_box.incremented() + earlier.count + mod_{q:03d}.RESULT_{q}"""


def module_source(index: int, rng: random.Random, chains: list[int]) -> str:
    """The text of module `index`; `chains[j]` is the inheritance depth of `Derived{j}`."""
    values = {
        "i": index,
        "c": rng.randint(1, 9),
        "scale": f"{rng.uniform(0.5, 2.0):.2f}",
        "steps": rng.randint(1, 100),
        "width": rng.choice((4, 8, 16)),
    }
    if index == 0:
        chains.append(0)
        return (
            _HEADER.format(imports="", **values)
            + _CLASSES.format(**values)
            + _BUILD.format(cross_use="", **values)
        )
    p = rng.randint(max(0, index - 4), index - 1)
    q = rng.randint(0, index - 1)
    if chains[p] and chains[p] < 4 and rng.random() < 0.7:
        parent, chain = f"mod_{p:03d}.Derived{p}", chains[p] + 1
    else:
        parent, chain = f"mod_{p:03d}.ByField{p}", 1
    chains.append(chain)
    imports = "".join(f"\nimport mod_{m:03d}" for m in sorted({p, q})) + "\n"
    return (
        _HEADER.format(imports=imports, **values)
        + _CLASSES.format(**values)
        + _CROSS.format(parent=parent, q=q, **values)
        + _BUILD.format(cross_use=_CROSS_USE.format(p=p, q=q, **values), **values)
    )


def write_corpus(folder: Path, count: int = 200, seed: int = 0) -> list[Path]:
    """Write modules `mod_000.py`... into `folder` (created if missing); return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    chains: list[int] = []
    paths = []
    for index in range(count):
        path = folder / f"mod_{index:03d}.py"
        path.write_text(module_source(index, rng, chains))
        paths.append(path)
    return paths


if __name__ == "__main__":
    if not 2 <= len(sys.argv) <= 4:
        sys.exit(f"usage: python {sys.argv[0]} FOLDER [COUNT] [SEED]")
    target = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    written = write_corpus(target, count, seed)
    print(f"wrote {len(written)} modules to {target}")
