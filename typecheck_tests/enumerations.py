"""Enumeration items are typed as their Enumeration, never as the str written in the class."""

import jax
import jax.numpy as jnp
from typing_extensions import assert_type

import equimod


class RESULTS(equimod.Enumeration):
    successful = ""
    failed = "The solve failed."


class COLOURS(equimod.Enumeration):
    red = ""
    blue = ""


# The item is a RESULTS (under Equinox, mypy says `str`).
assert_type(RESULTS.where(jnp.array(True), RESULTS.successful, RESULTS.failed), RESULTS)
result = RESULTS.where(jnp.array(True), RESULTS.successful, RESULTS.failed)
assert_type(result == RESULTS.successful, jax.Array)
message = RESULTS[result]  # error: mypy[misc] pyrefly  # divergence: enumeration-index
assert_type(result.error_if(jnp.ones(2), result != RESULTS.successful), jax.Array)


def solve(ok: jax.Array) -> RESULTS:
    return RESULTS.where(ok, RESULTS.successful, RESULTS.failed)


# Items of two different Enumerations do not compare.
_ = RESULTS.successful == COLOURS.red  # error: mypy[operator] pyright[reportOperatorIssue] pyrefly  # divergence: ty-equality-operands
RESULTS.where(jnp.array(True), RESULTS.successful, COLOURS.red)  # error: mypy[arg-type] pyright[reportArgumentType] pyrefly  # divergence: ty-self-in-inherited-method


# Extending an Enumeration that has items works at run time (`promote` converts
# the base's items); both checkers refuse it, as for any enum.
class MORE_RESULTS(RESULTS):  # error: mypy[misc] pyright[reportGeneralTypeIssues] ty pyrefly  # noqa: N801  # divergence: enumeration-subclass
    diverged = "The iteration diverged."


assert_type(MORE_RESULTS.promote(RESULTS.failed), MORE_RESULTS)
