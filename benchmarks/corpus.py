"""A generated codebase of Modules that uses every feature the mypy plugin handles.

Each module `mod_NNN` defines abstract bases, implementations by field,
property and class attribute, converter fields (a function, a class, a
generic function), static, keyword-only, `init=False` and `default_factory`
fields, a hand-written `__init__` and a subclass that inherits it, a generic
Module, and a subclass of a class from an earlier module, so the imports form
a tree of depth log2(count). The code is correct: mypy with the plugin reports
nothing, and every module runs.

    python benchmarks/corpus.py FOLDER [COUNT]
"""

from __future__ import annotations

import sys
from pathlib import Path

_TEMPLATE = '''\
"""Generated module {i}."""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

import jax
import jax.numpy as jnp

import equimod
from equimod import AbstractClassVar, AbstractVar
{parent_import}
T = TypeVar("T")


def to_int_{i}(value: str) -> int:
    return int(value)


class Base{i}(equimod.Module):
    size: AbstractVar[int]
    kind: AbstractClassVar[str]
    scale: float = equimod.field(converter=float, default="1.0", kw_only=True)

    def doubled(self) -> int:
        return 2 * self.size


class ByField{i}(Base{i}):
    size: int
    kind: ClassVar[str] = "field"
    count: int = equimod.field(converter=to_int_{i}, default="0")
    tags: list[str] = equimod.field(default_factory=list)
    label: str = equimod.field(static=True, default="x", kw_only=True)
    cached: int = equimod.field(init=False, default=0)

    def __check_init__(self) -> None:
        if self.size < 0:
            raise ValueError("size must be non-negative")


class ByProperty{i}(Base{i}):
    kind = "property"

    @property
    def size(self) -> int:
        return {i}


class Hand{i}(equimod.Module):
    weight: jax.Array
    n: int = equimod.field(static=True)

    def __init__(self, n: int, *, key: jax.Array) -> None:
        self.weight = jax.random.normal(key, (n,))
        self.n = n

    def __call__(self, x: jax.Array) -> jax.Array:
        return self.weight * x


class HandChild{i}(Hand{i}):
    def total(self) -> jax.Array:
        return jnp.sum(self.weight)


class Box{i}(equimod.Module, Generic[T]):
    item: T
    values: jax.Array = equimod.field(converter=jnp.asarray, default=0.0)
{parent_class}

def build_{i}() -> int:
    key = jax.random.key({i})
    by_field = ByField{i}(1, "3", ["t"], scale="2.0", label="y")
    by_property = ByProperty{i}()
    hand = HandChild{i}(3, key=key)
    box: Box{i}[str] = Box{i}("s", [1.0, 2.0])
    total = by_field.doubled() + by_property.doubled() + by_field.count + hand.n
    {parent_use}
    return total + len(box.item) + by_field.cached
'''

_PARENT_CLASS = """

class Derived{i}(mod_{p:03d}.ByField{p}):
    extra: str = "e"
"""


def module_source(index: int) -> str:
    """The text of module `index`; module 0 is the root of the import tree."""
    if index == 0:
        parent_import, parent_class, parent_use = "", "", "total += 0"
    else:
        parent = (index - 1) // 2
        parent_import = f"\nimport mod_{parent:03d}\n"
        parent_class = _PARENT_CLASS.format(i=index, p=parent)
        parent_use = f'total += Derived{index}(2, "4", [], "f", scale=1).size'
    return _TEMPLATE.format(
        i=index, parent_import=parent_import, parent_class=parent_class, parent_use=parent_use
    )


def write_corpus(folder: Path, count: int = 200) -> list[Path]:
    """Write modules `mod_000.py`... into `folder` and return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = folder / f"mod_{index:03d}.py"
        path.write_text(module_source(index))
        paths.append(path)
    return paths


if __name__ == "__main__":
    target = Path(sys.argv[1])
    written = write_corpus(target, int(sys.argv[2]) if len(sys.argv) > 2 else 200)
    print(f"wrote {len(written)} modules to {target}")
