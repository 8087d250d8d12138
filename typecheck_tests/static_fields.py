"""Static fields are ordinary fields to the type checkers."""

import jax
from typing_extensions import assert_type

import equimod


class WithStatic(equimod.Module):
    weight: jax.Array
    name: str = equimod.field(static=True)
    depth: int = equimod.field(static=True, default=2)


model = WithStatic(jax.numpy.ones(2), "m")
assert_type(model.name, str)
assert_type(model.depth, int)
WithStatic(jax.numpy.ones(2), 3)  # error: mypy[arg-type] pyright[reportArgumentType] ty pyrefly
WithStatic(jax.numpy.ones(2))  # error: mypy[call-arg] pyright[reportCallIssue] ty pyrefly
