"""String annotations, postponed evaluation and forward references."""

from __future__ import annotations

from typing_extensions import Self

import equimod


class Tree(equimod.Module):
    left: Tree | None
    right: Tree | None
    label: Leaf


class Leaf(equimod.Module):
    name: str


class Linked(equimod.Module):
    next: Self | None
    value: int = 0


def build() -> None:
    Tree(None, None, Leaf("a"))
    Linked(None, 1)
    Linked(Linked(None))
