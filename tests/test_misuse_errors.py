"""Each error path of the transforms, Enumeration and debug tools: its type and what it says."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import jax
import jax.numpy as jnp
import pytest

import equimod


def test_filter_jvp_wants_sequences_of_arguments() -> None:
    with pytest.raises(TypeError, match=r"filter_jvp\(sin\).*sequences of positional"):
        equimod.filter_jvp(jnp.sin, jnp.ones(2), jnp.ones(2))  # type: ignore[arg-type]


def test_filter_custom_vjp_without_rules_or_arguments() -> None:
    @equimod.filter_custom_vjp
    def f(x: jax.Array) -> jax.Array:
        return x

    with pytest.raises(TypeError, match=r"without a forward rule.*f\.def_fwd"):
        f(jnp.ones(1))
    f.def_fwd(lambda perturbed, x: (x, None))
    with pytest.raises(TypeError, match=r"without a backward rule.*f\.def_bwd"):
        f(jnp.ones(1))
    f.def_bwd(lambda residual, grad, perturbed, x: grad)
    with pytest.raises(TypeError, match=r"called without arguments.*first positional"):
        f()


def test_filter_pure_callback_result_must_match_its_declaration() -> None:
    declared = {"a": jax.ShapeDtypeStruct((2,), jnp.float32), "tag": "expected"}
    run = equimod.filter_jit(
        lambda x: equimod.filter_pure_callback(
            lambda x: {"a": x, "tag": "other"}, x, result_shape_dtypes=declared
        )
    )
    with pytest.raises(Exception, match=r"does not match result_shape_dtypes"):
        jax.block_until_ready(run(jnp.ones(2)))


def test_branched_error_if_index_out_of_range() -> None:
    with pytest.raises(IndexError, match=r"index 3 is out of range for 2 messages"):
        equimod.branched_error_if(jnp.ones(1), True, 3, ["a", "b"])


def test_a_bad_on_error_variable_fails_at_import() -> None:
    environment = {**os.environ, "EQUIMOD_ON_ERROR": "loud"}
    done = subprocess.run(
        [sys.executable, "-c", "import equimod"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "EQUIMOD_ON_ERROR='loud' must be one of" in done.stderr


def test_enumeration_definition_errors() -> None:
    with pytest.raises(
        TypeError, match=r"Bad\.code = 3: the value of an Enumeration item is its message"
    ):

        class Bad(equimod.Enumeration):
            code = 3

    class Plain:
        pass

    with pytest.raises(TypeError, match=r"Mixed subclasses an Enumeration and .*Plain"):

        class Mixed(equimod.Enumeration, Plain):  # type: ignore[misc]
            x = ""


def test_enumeration_redefined_message_warns() -> None:
    class Base(equimod.Enumeration):
        a = "first"

    with pytest.warns(UserWarning, match=r"Sub\.a redefines the message.*'second'"):

        class Sub(Base):  # type: ignore[misc]
            a = "second"

    assert Sub[Sub.a] == "second"


def test_enumeration_lookup_and_where_errors() -> None:
    class One(equimod.Enumeration):
        a = ""

    class Two(equimod.Enumeration):
        b = ""

    with pytest.raises(ValueError, match=r"One\[\.\.\.\] takes an item of .*One"):
        One[Two.b]  # type: ignore[index]
    with pytest.raises(ValueError, match=r"One\.where\(pred, a, b\) takes two items of .*One"):
        One.where(jnp.array(True), One.a, Two.b)  # type: ignore[arg-type]


def test_debug_errors() -> None:
    with pytest.raises(TypeError, match=r"expects a function wrapped by .*assert_max_traces"):
        equimod.debug.get_num_traces(len)

    @jax.jit
    def inspect_inside(x: Any) -> Any:
        equimod.debug.inspect_dce()
        return x

    with pytest.raises(RuntimeError, match=r"call it outside jax\.jit"):
        inspect_inside(1.0)
