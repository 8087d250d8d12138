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


class Legacy(equimod.Module):
    # Equinox's deprecated spelling, kept for ported code: reported as deprecated,
    # and a field specifier to every checker, so `name` is still a required parameter.
    weight: jax.Array
    name: str = equimod.static_field()  # error: mypy[deprecated] pyright[reportDeprecated] ty pyrefly
    depth: int = equimod.static_field(default=2)  # error: mypy[deprecated] pyright[reportDeprecated] ty pyrefly


Legacy(jax.numpy.ones(2), "m", 3)
Legacy(jax.numpy.ones(2))  # error: mypy[call-arg] pyright[reportCallIssue] ty pyrefly
