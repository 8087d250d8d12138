"""Dynamic bases and aliases of Module."""

from typing import Any

import equimod

Base = equimod.Module
Anything: Any = object


class ThroughAlias(Base):
    value: int


class WithAnyBase(equimod.Module, Anything):  # type: ignore[misc]
    value: int


def make_base() -> type[equimod.Module]:
    return equimod.Module


Made = make_base()


class FromCall(Made):  # type: ignore[misc,valid-type]
    value: int


def build() -> None:
    ThroughAlias(1)
    WithAnyBase(1)
