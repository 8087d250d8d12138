"""Two modules that import each other and subclass each other's Modules (import this one first)."""

from __future__ import annotations

import equimod


class A(equimod.Module):
    value: int


# After A: cycle_b subclasses A while this module is still being imported.
import cycle_b  # noqa: E402


class FromB(cycle_b.B):
    extra: str = ""


def build() -> FromB:
    return FromB(1, "x")
