"""filter_jit: arrays traced, everything else static, signatures kept."""

from __future__ import annotations

import inspect

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import equimod


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


@pytest.mark.filterwarnings("ignore:Some donated buffers were not usable")
def test_decorator_with_arguments_and_donation() -> None:
    @equimod.filter_jit(donate="all")
    def add(x: jax.Array, y: jax.Array) -> jax.Array:
        return x + y

    assert add(jnp.ones(2), jnp.ones(2)).tolist() == [2.0, 2.0]

    @equimod.filter_jit(donate="all-except-first")
    def add_first(x: jax.Array, y: jax.Array) -> jax.Array:
        return x + y

    assert add_first(jnp.ones(2), jnp.ones(2)).tolist() == [2.0, 2.0]


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
