"""Enumeration."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import pytest

import equimod
from equimod import EquimodRuntimeError

KEY = jax.random.key(0)


class RESULTS(equimod.Enumeration):
    successful = ""
    failed = "The solve failed."


class MORE_RESULTS(RESULTS):  # noqa: N801 - as Equinox users name them
    diverged = "The iteration diverged."


def test_enumeration_items_are_values_under_jit() -> None:
    assert len(RESULTS) == 2 and RESULTS[RESULTS.failed] == "The solve failed."
    picked = jax.jit(lambda x: RESULTS.where(x > 0, RESULTS.successful, RESULTS.failed))(-1.0)
    assert isinstance(picked, RESULTS) and not isinstance(picked, MORE_RESULTS)
    assert bool(picked == RESULTS.failed) and not bool(picked != RESULTS.failed)
    assert RESULTS[picked] == "The solve failed."
    assert repr(RESULTS.failed) == f"{__name__}.RESULTS<The solve failed.>"
    with pytest.raises(ValueError, match="same Enumeration"):
        _ = RESULTS.failed == MORE_RESULTS.failed
    with pytest.raises(ValueError, match="scalar boolean"):
        RESULTS.where(jnp.ones(2) > 0, RESULTS.successful, RESULTS.failed)


def test_enumeration_matches_equinox_on_promote_and_errors() -> None:
    class EQX_RESULTS(eqx.Enumeration):  # noqa: N801
        successful = ""
        failed = "The solve failed."

    class EQX_MORE(EQX_RESULTS):  # noqa: N801
        diverged = "The iteration diverged."

    promoted = MORE_RESULTS.promote(RESULTS.failed)
    assert MORE_RESULTS[promoted] == EQX_MORE[EQX_MORE.promote(EQX_RESULTS.failed)]
    assert int(promoted._value) == int(EQX_MORE.promote(EQX_RESULTS.failed)._value)
    with pytest.raises(ValueError, match="inherits from"):
        RESULTS.promote(MORE_RESULTS.diverged)
    with pytest.raises(EquimodRuntimeError, match=r"The solve failed\."):
        equimod.filter_jit(lambda x, p: RESULTS.failed.error_if(x, p))(jnp.ones(1), jnp.array(True))
    # A Python bool is known while tracing: the error is raised then, as in Equinox.
    with pytest.raises(equimod.EquimodTracetimeError, match=r"The solve failed\."):
        equimod.filter_jit(lambda x: RESULTS.failed.error_if(x, True))(jnp.ones(1))
    assert equimod.EquinoxTracetimeError is equimod.EquimodTracetimeError
    with pytest.raises(ValueError, match="method of that name"):

        class Bad(equimod.Enumeration):
            where = "clash"
