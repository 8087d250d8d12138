"""tree_at over Modules of other files, generic Modules and unresolved types, and
class variables implementing an abstract attribute declared in another file."""

from typing import Any, ClassVar, Generic, TypeVar

import abstract_cases
import cycle_b

import equimod

T = TypeVar("T")


class Box(equimod.Module, Generic[T]):
    item: T
    count: int = 0


def relabel(box: Box[int], label: str) -> Box[str]:
    return equimod.tree_at(lambda b: b.item, box, label)


def bump(box: Box[T]) -> Box[T]:
    more: Box[T] = equimod.tree_at(lambda b: b.count, box, replace_fn=lambda c: c + 1)
    return more


def from_other_file(b: cycle_b.B) -> cycle_b.B:
    return equimod.tree_at(lambda m: m.value, b, 3)


def through_attributes(holder: Any, boxes: list[Box[int]]) -> None:
    equimod.tree_at(lambda b: b.item, holder.box.inner, 1)
    equimod.tree_at(lambda b: b.item, boxes[0], 1)
    equimod.tree_at(lambda b: (b.item, b.count), Box(1), (2, 3))
    equimod.tree_at(lambda b: [b.item], Box(1), [2])
    equimod.tree_at(lambda b: b.item, Box(1), replace_fn=str)


class Named(equimod.Module):
    Alias: ClassVar[type["Box[int]"]]


def unresolved() -> Named.Alias:  # type: ignore[valid-type]
    raise NotImplementedError


unknown = unresolved()
unknown = equimod.tree_at(lambda u: u.anything, unknown, 1)


class SquareByClassVar(abstract_cases.Shape):
    area: ClassVar[float] = 4.0
    kind = "square"


class SmallerSquare(SquareByClassVar):
    area: ClassVar[float] = 1.0


SquareByClassVar()
SmallerSquare()
