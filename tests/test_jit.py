"""filter_jit: arrays traced, everything else static, signatures kept."""

from __future__ import annotations

import inspect
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import equimod

KEY = jax.random.key(0)


def test_arrays_traced_other_leaves_static_and_retrace_only_on_static_change() -> None:
    traces: list[object] = []

    @equimod.filter_jit
    def scale(x: jax.Array, factor: int, label: str = "a") -> dict[str, object]:
        traces.append((factor, label))
        assert isinstance(x, jax.core.Tracer)
        assert isinstance(factor, int)
        return {"y": x * factor, "label": label, "factor": factor}

    out = scale(jnp.ones(2), 3)
    assert out["y"].tolist() == [3.0, 3.0]  # type: ignore[attr-defined]
    assert out["label"] == "a" and out["factor"] == 3
    scale(jnp.zeros(2), 3)  # new array values, same static part: no retrace
    assert len(traces) == 1
    scale(jnp.zeros(2), 4)
    scale(jnp.zeros(2), 4, label="b")
    assert len(traces) == 3
    scale(jnp.zeros(3), 4, label="b")  # new shape
    assert len(traces) == 4
    scale(np.zeros(3, dtype=np.float32), 4, label="b")  # numpy arrays are traced too
    assert len(traces) == 4


def test_modules_as_arguments_and_outputs() -> None:
    layer = equimod.nn.Linear(2, 3, key=jax.random.key(0))

    @equimod.filter_jit
    def shift(model: equimod.nn.Linear) -> equimod.nn.Linear:
        return jax.tree_util.tree_map(lambda a: a + 1, model)

    shifted = shift(layer)
    assert isinstance(shifted, equimod.nn.Linear)
    assert shifted.in_features == 2
    assert jnp.allclose(shifted.weight, layer.weight + 1)


def test_name_doc_and_signature_are_kept() -> None:
    def documented(x: jax.Array, n: int = 2) -> jax.Array:
        """Doubles."""
        return x * n

    wrapped = equimod.filter_jit(documented)
    assert wrapped.__name__ == "documented"
    assert wrapped.__doc__ == "Doubles."
    assert str(inspect.signature(wrapped)) == str(inspect.signature(documented))
    assert wrapped.__wrapped__ is documented  # type: ignore[attr-defined]


def test_as_a_method_decorator_the_instance_is_traced() -> None:
    traces: list[int] = []

    class Scaler(equimod.Module):
        factor: jax.Array

        @equimod.filter_jit
        def __call__(self, x: jax.Array) -> jax.Array:
            traces.append(1)
            return self.factor * x

        @equimod.filter_jit
        def double(self, x: jax.Array) -> jax.Array:
            return 2 * self.factor * x

    assert Scaler(jnp.array(2.0))(jnp.ones(2)).tolist() == [2.0, 2.0]
    assert Scaler(jnp.array(3.0))(jnp.ones(2)).tolist() == [3.0, 3.0]
    assert len(traces) == 1  # the instance's array is an input, not a constant
    assert Scaler(jnp.array(1.0)).double(jnp.ones(1)).tolist() == [2.0]


def test_decorator_with_arguments_and_donation() -> None:
    @equimod.filter_jit(donate="all")
    def add(x: jax.Array, y: jax.Array) -> jax.Array:
        return x + y

    assert add(jnp.ones(2), jnp.ones(2)).tolist() == [2.0, 2.0]

    @equimod.filter_jit(donate="all-except-first")
    def add_first(x: jax.Array, y: jax.Array) -> jax.Array:
        return x + y

    assert add_first(jnp.ones(2), jnp.ones(2)).tolist() == [2.0, 2.0]


def test_donation_gives_each_option_its_buffers() -> None:
    def step(x: jax.Array, y: jax.Array) -> tuple[jax.Array, jax.Array]:
        return x + 1, y + 1  # outputs of the inputs' shapes: the buffers are reused

    for donate, x_donated in (("warn", True), ("warn-except-first", False), ("none", False)):
        x, y = jnp.ones(2), jnp.ones(2)
        equimod.filter_jit(step, donate=donate)(x, y)  # type: ignore[call-overload]
        assert (x.is_deleted(), y.is_deleted()) == (x_donated, donate != "none"), donate


def test_donation_warning_is_silenced_by_all_and_kept_by_warn() -> None:
    # A sum cannot be written into the donated buffer, so JAX warns (as in Equinox,
    # "all" silences that and "warn" keeps it).
    def total(*xs: jax.Array) -> jax.Array:
        return sum((jnp.sum(x) for x in xs), start=jnp.zeros(()))

    for donate in ("all", "all-except-first"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            equimod.filter_jit(total, donate=donate)(jnp.ones(3), jnp.ones(3))  # type: ignore[call-overload]
    with pytest.warns(UserWarning, match="Some donated buffers were not usable"):
        equimod.filter_jit(total, donate="warn")(jnp.ones(3))
    with pytest.warns(UserWarning, match="Some donated buffers were not usable"):
        equimod.filter_pmap(total, donate="warn")(jnp.ones((1, 3)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        equimod.filter_pmap(total, donate="all")(jnp.ones((1, 3)))


def test_bad_inputs() -> None:
    with pytest.raises(TypeError, match=r"filter_jit expects a callable to compile, got 3"):
        equimod.filter_jit(3)  # type: ignore[call-overload]
    with pytest.raises(ValueError, match=r"donate=\.\.\.\) must be one of"):
        equimod.filter_jit(lambda x: x, donate="some")  # type: ignore[call-overload]

    @equimod.filter_jit
    def identity(x: object) -> object:
        return x

    class Unhashable:
        __hash__ = None  # type: ignore[assignment]

    with pytest.raises(TypeError, match=r"filter_jit\(identity\).*Unhashable.*not hashable"):
        identity(Unhashable())


def test_clear_caches_runs() -> None:
    equimod.filter_jit(lambda x: x)(jnp.ones(1))
    equimod.clear_caches()
    assert equimod.filter_jit(lambda x: x + 1)(jnp.ones(1)).tolist() == [2.0]
