"""The other half of the import cycle."""

from __future__ import annotations

import cycle_a

import equimod


class B(equimod.Module):
    value: int

    def __init__(self, value: int, label: str = "") -> None:
        self.value = value


class FromA(cycle_a.A):
    pass


def build() -> FromA:
    return FromA(1)
