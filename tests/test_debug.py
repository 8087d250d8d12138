"""equimod.debug."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import pytest

import equimod
from equimod import EquimodRuntimeError

KEY = jax.random.key(0)


def test_debug_assert_max_traces() -> None:
    @equimod.filter_jit
    @equimod.debug.assert_max_traces(max_traces=1)
    def f(x: jax.Array) -> jax.Array:
        return x + 1

    f(jnp.ones(2))
    f(jnp.zeros(2))
    assert equimod.debug.get_num_traces(f.fun) == 1  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError, match="can only be traced 1 times, but was traced 2 times"):
        f(jnp.ones(3))


def test_debug_announce_transform() -> None:
    said: list[str] = []
    f = lambda x: equimod.debug.announce_transform(x, name="x", announce=said.append) * 2  # noqa: E731
    jax.jit(jax.vmap(f))(jnp.ones(2))
    assert said == ["(x) vmap:abstract", "(x) vmap:mlir"]
    said.clear()
    jax.grad(lambda x: jnp.sum(f(x)))(jnp.ones(2))
    assert "(x) jvp:transpose:impl" in said


def test_debug_store_and_inspect_dce(capsys: pytest.CaptureFixture[str]) -> None:
    @jax.jit
    def f(x: jax.Array) -> jax.Array:
        kept, _ = equimod.debug.store_dce((x**2, x + 1), name="dce-test")
        return kept

    f(jnp.ones(2))
    equimod.debug.inspect_dce(name="dce-test")
    assert capsys.readouterr().out.endswith("(f32[2], <DCE'd>)\n")
    with pytest.raises(RuntimeError, match=r"inside jax\.jit"):
        equimod.debug.store_dce(jnp.ones(1))


def test_debug_backward_nan(capsys: pytest.CaptureFixture[str]) -> None:
    def loss(x: jax.Array) -> jax.Array:
        return jnp.sum(equimod.debug.backward_nan(x, name="input") * jnp.nan)

    with pytest.raises(EquimodRuntimeError, match=r"backward_nan \(input\)"):
        equimod.filter_jit(jax.grad(loss))(jnp.ones(2))
    printed = capsys.readouterr().out
    assert "input:\n   primals=" in printed and "cotangents=" in printed and "nan" in printed
    fine = jax.grad(lambda x: jnp.sum(equimod.debug.backward_nan(x) * 2))(jnp.ones(2))
    assert fine.tolist() == [2.0, 2.0]


@pytest.mark.filterwarnings("ignore:Python iterable type 'generator'")
def test_debug_breakpoint_if_does_not_stop_when_false() -> None:
    jax.jit(lambda x: equimod.debug.breakpoint_if(x > 5))(1.0)


def test_debug_breakpoint_if_stops_when_any_element_is_true(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A debugger cannot be driven from a test: stand in for it with a callback
    # that records when the compiled code reaches the breakpoint, and its options.
    stops: list[dict[str, object]] = []

    def breakpoint_standing_in(**kwargs: object) -> None:
        jax.debug.callback(lambda: stops.append(kwargs))

    monkeypatch.setattr(jax.debug, "breakpoint", breakpoint_standing_in)
    check = jax.jit(lambda x: equimod.debug.breakpoint_if(x > 5, num_frames=2))
    check(jnp.array([1.0, 2.0]))
    jax.effects_barrier()
    assert stops == []
    check(jnp.array([1.0, 9.0]))
    jax.effects_barrier()
    assert stops == [{"num_frames": 2}]
