"""Writes during construction that do not sit textually in `__init__`, and real mistakes."""

from typing import Any

import equimod


class Config:
    verbose: bool = False


class Helper(equimod.Module):
    a: int
    b: int
    cfg: Config

    def __init__(self, a: int) -> None:
        self.a = a
        self._finish(a)
        self.cfg = Config()

    def _finish(self, a: int) -> None:
        self.b = a + 1


class Aliased(equimod.Module):
    x: int

    def __init__(self, x: int) -> None:
        me = self
        me.x = x


def _setup(module: Any, value: int) -> None:
    module.x = value


class Passed(equimod.Module):
    x: int

    def __init__(self, x: int) -> None:
        _setup(self, x)


def _init(self: "ByAssignment", x: int) -> None:
    self.x = x


class ByAssignment(equimod.Module):
    x: int
    __init__ = _init


class Deleting(equimod.Module):
    x: int
    y: int

    def __init__(self) -> None:
        self.x = 1
        self.y = 2
        del self.y
        self.y = 3


def attribute_of_a_field(module: Helper) -> None:
    del module.cfg.verbose
