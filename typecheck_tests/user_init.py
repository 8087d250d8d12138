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
Hand(3)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
Hand("3", key=key)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
assert_type(Hand(3, key=key).size, int)


class HandChild(Hand):
    def extra(self) -> int:
        return self.size + 1


# At run time HandChild keeps Hand's constructor. Both checkers synthesise a
# dataclass __init__ for it instead; the mypy plugin will model it correctly.
HandChild(3, key=key)  # type: ignore[call-arg, arg-type]  # pyright: ignore[reportCallIssue]  # divergence: inherited-user-init


class MyLinear(equimod.nn.Linear):
    pass


MyLinear(2, 3, key=key)  # type: ignore[call-arg, arg-type]  # pyright: ignore[reportCallIssue]  # divergence: inherited-user-init
