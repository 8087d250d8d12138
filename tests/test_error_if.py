"""error_if and branched_error_if: checks inside traced code."""

from __future__ import annotations

import warnings
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import equimod
from equimod import EquimodRuntimeError

KEY = jax.random.key(0)


@pytest.mark.parametrize("jit", [equimod.filter_jit, lambda f: f])
def test_error_if_raises_its_own_error(jit: Any) -> None:
    check = jit(lambda x: equimod.error_if(x, x > 1, "x is too big") * 2)
    assert check(jnp.zeros(3)).tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(EquimodRuntimeError, match="x is too big"):
        check(jnp.arange(3.0))
    assert equimod.EquinoxRuntimeError is EquimodRuntimeError


def test_error_if_under_jax_jit_carries_the_message() -> None:
    with pytest.raises(Exception, match="x is too big"):
        jax.jit(lambda x: equimod.error_if(x, x > 1, "x is too big"))(jnp.arange(3.0))


def test_error_if_under_vmap_names_each_failing_element(caplog: pytest.LogCaptureFixture) -> None:
    # As in Equinox; the whole message survives filter_jit, and JAX logs nothing.
    check = jax.vmap(lambda x: equimod.error_if(x, x < 0, "x must be non-negative"))
    with pytest.raises(EquimodRuntimeError) as info:
        equimod.filter_jit(check)(jnp.array([-1.0, 1.0, -2.0]))
    assert str(info.value) == (
        "Batch index (0,) had error:\nx must be non-negative\n\n"
        "Batch index (2,) had error:\nx must be non-negative"
    )
    assert caplog.text == ""
    with pytest.raises(EquimodRuntimeError, match=r"^x must be non-negative$"):
        equimod.filter_jit(lambda x: equimod.error_if(x, x < 0, "x must be non-negative"))(
            jnp.array(-1.0)
        )


def test_error_if_under_vmap_grad_and_modes() -> None:
    vmapped = equimod.filter_jit(jax.vmap(lambda x: equimod.error_if(x, x > 1, "batch")))
    assert vmapped(jnp.zeros(3)).tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(EquimodRuntimeError, match="batch"):
        vmapped(jnp.arange(3.0))
    grads = jax.grad(lambda x: jnp.sum(equimod.error_if(x, x > 10, "no") ** 2))(jnp.arange(3.0))
    assert grads.tolist() == [0.0, 2.0, 4.0]
    nan = equimod.filter_jit(lambda x: equimod.error_if(x, x > 1, "n", on_error="nan"))
    assert np.isnan(nan(jnp.arange(3.0))).all()
    assert equimod.error_if(jnp.arange(3.0), True, "off", on_error="off").tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="on_error"):
        equimod.error_if(jnp.ones(1), False, "m", on_error="loud")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs an array"):
        equimod.filter_jit(lambda p: equimod.error_if("text", p, "m"))(jnp.array(True))


def test_a_nan_check_known_to_fail_when_traced_warns_at_the_callers_line() -> None:
    # As in Equinox: the NaNs come with a word of why, and a traced predicate gives none.
    with pytest.warns(UserWarning, match=r"fails already .*NaNs at once: too big") as record:
        y = jax.jit(lambda x: equimod.error_if(x, True, "too big", on_error="nan"))(1.0)
    assert jnp.isnan(y)
    assert record[0].filename == __file__
    with pytest.warns(UserWarning, match="NaNs at once: two") as record:
        equimod.branched_error_if(jnp.ones(1), np.bool_(True), 2, ["0", "1", "two"], on_error="nan")
    assert record[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traced = jax.jit(lambda x, p: equimod.error_if(x, p, "m", on_error="nan"))
        assert jnp.isnan(traced(1.0, True))


def test_branched_error_if_chooses_the_message_at_run_time() -> None:
    check = equimod.filter_jit(
        lambda x, i: equimod.branched_error_if(x, i > 0, i, ["zero", "one", "two"])
    )
    assert check(jnp.ones(1), jnp.array(0)).tolist() == [1.0]
    with pytest.raises(EquimodRuntimeError, match="two"):
        check(jnp.ones(1), jnp.array(2))
