"""A hand-written __init__ is the constructor, and subclasses without one inherit it."""

import jax
from typing_extensions import assert_type

import equimod


class Hand(equimod.Module):
    weight: jax.Array
    size: int = equimod.field(static=True)

    def __init__(self, size: int, *, key: jax.Array) -> None:
        self.weight = jax.random.normal(key, (size,))
        self.size = size


key = jax.random.key(0)
Hand(3, key=key)
Hand(3)  # error: mypy[call-arg] pyright[reportCallIssue] ty pyrefly
Hand("3", key=key)  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly
assert_type(Hand(3, key=key).size, int)


class HandChild(Hand):
    def extra(self) -> int:
        return self.size + 1


# At run time HandChild keeps Hand's constructor, and so does mypy with the
# plugin. pyright synthesises a dataclass __init__ from the fields instead.
HandChild(3, key=key)  # error: pyright[reportCallIssue] ty pyrefly  # divergence: inherited-user-init
HandChild(key=key)  # error: mypy[call-arg] pyright[reportCallIssue] ty pyrefly  # divergence: inherited-user-init


class MyLinear(equimod.nn.Linear):
    pass


MyLinear(2, 3, key=key)  # error: pyright[reportCallIssue] ty pyrefly  # divergence: inherited-user-init


# `init=False` on the class statement says so to every checker.
class KeptLinear(equimod.nn.Linear, init=False):
    pass


KeptLinear(2, 3, key=key)
KeptLinear(2, key=key)  # error: mypy[call-arg] pyright[reportCallIssue] ty pyrefly
KeptLinear(2, "3", key=key)  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly


class Forgets(equimod.Module):
    weight: jax.Array
    size: int
    name: str = "forgets"

    def __init__(self, weight: jax.Array) -> None:
        self.weight = weight


# Run time: construction fails, `size` has no value. The mypy plugin reports it
# where the class is called; pyright has no such check.
Forgets(jax.numpy.ones(2))  # error: mypy[equimod-missing-field]  # divergence: unassigned-field


# What cannot run in the call assigns nothing: a function __init__ defines and
# never calls, statements after a return, a bare annotation. Each fails at run
# time as Forgets does.
class DefinesLater(equimod.Module):
    size: int

    def __init__(self) -> None:
        def later() -> None:
            self.size = 1


class ReturnsFirst(equimod.Module):
    size: int

    def __init__(self) -> None:
        return
        self.size = 1


class OnlyAnnotates(equimod.Module):
    size: int

    def __init__(self) -> None:
        self.size: int


DefinesLater()  # error: mypy[equimod-missing-field]  # divergence: unassigned-field
ReturnsFirst()  # error: mypy[equimod-missing-field]  # divergence: unassigned-field
OnlyAnnotates()  # error: mypy[equimod-missing-field]  # divergence: unassigned-field


# And what may run counts: a nested function it calls (whose write is no frozen
# write either: it runs during construction), a branch that returns after
# assigning, a nested class (whose methods the plugin does not follow).
class CallsHelper(equimod.Module):
    size: int

    def __init__(self) -> None:
        def now() -> None:
            self.size = 1

        now()


class ReturnsEarly(equimod.Module):
    size: int

    def __init__(self, big: bool) -> None:
        if big:
            self.size = 10
            return
        self.size = 1


class DefinesAClass(equimod.Module):
    size: int

    def __init__(self) -> None:
        class Setter:
            def __init__(_setter) -> None:  # noqa: N805
                self.size = 1

        Setter()


CallsHelper()
ReturnsEarly(True)
DefinesAClass()


class Delegates(equimod.Module):
    weight: jax.Array
    size: int

    # Assigned through a helper the plugin does not follow: no error.
    def __init__(self, weight: jax.Array) -> None:
        self.weight = weight
        self._set_size()

    def _set_size(self) -> None:
        object.__setattr__(self, "size", 1)


class Branches(equimod.Module):
    size: int

    def __init__(self, big: bool) -> None:
        if big:
            self.size = 10
        else:
            self.size = 1


# A Module takes assignments to its fields only: `cache` is not one, and the
# assignment fails at run time (AttributeError). The mypy plugin reports it.
class Caches(equimod.Module):
    size: int

    def __init__(self) -> None:
        self.size = 1
        self.cache = 0  # error: mypy[equimod-not-a-field]  # divergence: write-to-non-field


# Runs (the order of fields matters only to a generated __init__), yet every
# checker refuses it: mypy's own dataclass_transform support reports it before
# any plugin hook runs (docs: "What no plugin can change").
class DefaultFirst(equimod.Module):
    scale: float = 1.0
    weight: float  # error: mypy[misc] pyright[reportGeneralTypeIssues] ty pyrefly

    def __init__(self, weight: float) -> None:
        self.weight = weight


DefaultFirst(2.0)
