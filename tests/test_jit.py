"""filter_jit: arrays traced, everything else static, signatures kept."""

from __future__ import annotations

import inspect
import sys
import warnings
from typing import Any

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


# A wrapper whose calls have had only arrays passes later calls to `jax.jit` as they
# are (the direct path); these check that it keeps every rule of the general path.


def _called_twice(fun: Any, *args: Any) -> Any:
    wrapped = equimod.filter_jit(fun)
    wrapped(*args)
    wrapped(*args)
    return wrapped


def _equimod_functions_run(call: Any) -> set[str]:
    """The names of equimod's Python functions that run during `call()`."""
    ran: set[str] = set()

    def record(frame: Any, event: str, arg: object) -> None:
        if event == "call" and "equimod" in frame.f_code.co_filename:
            ran.add(frame.f_code.co_name)

    sys.setprofile(record)
    try:
        call()
    finally:
        sys.setprofile(None)
    return ran


def test_after_calls_of_arrays_only_other_leaves_are_still_static() -> None:
    traces: list[object] = []

    def scale(x: jax.Array, extra: object = None) -> tuple[jax.Array, object]:
        traces.append(extra)
        assert not isinstance(extra, jax.core.Tracer)
        return x * 2, extra

    wrapped = _called_twice(scale, jnp.ones(2))
    for extra in (3, 2**40, 2.5, 1j, True, "label", jax.nn.relu, (1, "a")):
        y, back = wrapped(jnp.ones(2), extra)
        assert back == extra and y.tolist() == [2.0, 2.0]
    assert traces == [None, 3, 2**40, 2.5, 1j, True, "label", jax.nn.relu, (1, "a")]
    wrapped(jnp.zeros(2))  # compiled already, on the first call
    wrapped(jnp.zeros(2), 3)
    assert len(traces) == 9


def test_arrays_that_look_like_python_scalars_are_traced() -> None:
    traces: list[object] = []

    def identity(x: object) -> object:
        traces.append(x)
        assert isinstance(x, jax.core.Tracer)
        return x

    wrapped = _called_twice(identity, jnp.ones(2))
    for x in (jnp.array(1.0), jnp.array(True), np.bool_(True), np.float32(2.0), jnp.array(3)):
        assert wrapped(x) == x
        assert wrapped(x) == x
    assert len(traces) == 5  # one per abstract value: the two bool scalars share one


def test_an_array_like_that_is_no_array_stays_static() -> None:
    class ArrayLike:
        def __jax_array__(self) -> jax.Array:
            return jnp.ones(2)

    like = ArrayLike()
    wrapped = _called_twice(lambda x: x, jnp.ones(2))
    assert wrapped(like) is like


def test_an_error_of_the_function_is_raised_once_as_it_is() -> None:
    traces: list[tuple[int, ...]] = []

    def refuse_three(x: jax.Array) -> jax.Array:
        traces.append(x.shape)
        if x.shape == (3,):
            raise TypeError("three is refused")
        return x

    wrapped = _called_twice(refuse_three, jnp.ones(2))
    with pytest.raises(TypeError, match="three is refused"):
        wrapped(jnp.ones(3))
    assert traces == [(2,), (3,)]  # not traced again by another path


def test_a_changed_static_field_recompiles_and_an_unchanged_one_never() -> None:
    class Scaled(equimod.Module):
        x: jax.Array
        factor: int = equimod.field(static=True)

    traces: list[int] = []

    def apply(m: Scaled) -> jax.Array:
        traces.append(m.factor)
        return m.x * m.factor

    wrapped = _called_twice(apply, Scaled(jnp.ones(2), 2))
    assert wrapped(Scaled(jnp.ones(2), 3)).tolist() == [3.0, 3.0]
    assert wrapped(Scaled(jnp.zeros(2), 2)).tolist() == [0.0, 0.0]
    assert traces == [2, 3]


def test_a_compiled_call_of_arrays_only_runs_no_flatten_of_ours() -> None:
    layer = equimod.nn.Linear(2, 2, key=KEY)
    wrapped = _called_twice(lambda m, x: m(x), layer, jnp.ones(2))
    ran = _equimod_functions_run(lambda: wrapped(layer, jnp.ones(2)))
    if equimod._jit._jax_rejects_array_likes():
        assert ran == {"__call__", "_pass_on", "_arrived"}
    else:  # a JAX that traces objects with `__jax_array__`: every call's leaves are checked
        assert "_check_then_call" in ran


def test_after_calls_of_arrays_only_donation_still_gives_each_option_its_buffers() -> None:
    def step(x: jax.Array, y: jax.Array) -> tuple[jax.Array, jax.Array]:
        return x + 1, y + 1

    for donate, x_donated in (("warn", True), ("warn-except-first", False), ("none", False)):
        wrapped = equimod.filter_jit(step, donate=donate)  # type: ignore[call-overload]
        for _ in range(3):
            x, y = jnp.ones(2), jnp.ones(2)
            wrapped(x, y)
            assert (x.is_deleted(), y.is_deleted()) == (x_donated, donate != "none"), donate


def test_after_calls_of_arrays_only_inside_other_transforms() -> None:
    wrapped = _called_twice(lambda x: jnp.sin(x) * 2, jnp.ones(2))
    batched = jax.vmap(wrapped)(jnp.zeros((3, 2)))
    assert batched.shape == (3, 2)
    grad = jax.grad(lambda x: wrapped(x).sum())(jnp.zeros(2))
    assert grad.tolist() == [2.0, 2.0]
    outer = equimod.filter_jit(lambda x, n: wrapped(x) * n)
    assert outer(jnp.zeros(2), 3).tolist() == [0.0, 0.0]
    assert outer(jnp.zeros(2), 3).tolist() == [0.0, 0.0]
    unhashable = type("Unhashable", (), {"__hash__": None})()
    with pytest.raises(TypeError, match=r"not hashable"):
        _called_twice(lambda x, y=None: x, jnp.ones(1))(jnp.ones(1), unhashable)


def test_after_a_call_with_static_leaves_each_leaf_keeps_its_meaning() -> None:
    traces: list[tuple[bool, bool]] = []

    def apply(x: object, activation: object) -> object:
        traces.append((isinstance(x, jax.core.Tracer), isinstance(activation, jax.core.Tracer)))
        return activation(x) if callable(activation) else x * activation  # type: ignore[operator]

    wrapped = _called_twice(apply, jnp.ones(2), jax.nn.relu)
    assert traces == [(True, False)]
    assert wrapped(-jnp.ones(2), jax.nn.relu).tolist() == [0.0, 0.0]
    assert wrapped(-jnp.ones(2), jnp.sin).tolist() == pytest.approx([-0.841471] * 2)
    assert wrapped(-jnp.ones(2), jax.nn.relu).tolist() == [0.0, 0.0]  # compiled already
    assert traces == [(True, False), (True, False)]
    # The static leaf's place taken by an array: traced; the array's by a number: static.
    assert wrapped(2.0, jnp.full(2, 3.0)).tolist() == [6.0, 6.0]  # type: ignore[union-attr]
    assert traces[-1] == (False, True)
    assert wrapped(jnp.full(2, 3.0), 2.0).tolist() == [6.0, 6.0]  # type: ignore[union-attr]
    assert traces[-1] == (True, False)


def test_after_a_call_with_static_leaves_an_array_equal_to_one_is_traced() -> None:
    seen: list[bool] = []

    def scale(x: jax.Array, factor: object) -> jax.Array:
        seen.append(isinstance(factor, jax.core.Tracer))
        return x * factor  # type: ignore[operator]

    wrapped = _called_twice(scale, jnp.ones(2), 2.0)
    assert wrapped(jnp.ones(2), jnp.array(2.0)).tolist() == [2.0, 2.0]
    outer = jax.jit(lambda factor: wrapped(jnp.ones(2), factor))
    assert outer(2.0).tolist() == [2.0, 2.0]  # a tracer, never compared with 2.0
    assert seen[0] is False and all(seen[1:])  # after the first call: traced, never static


def test_after_a_call_with_static_leaves_a_model_with_functions_compiles_once() -> None:
    mlp = equimod.nn.MLP(2, 2, 4, 2, key=KEY)
    traces: list[None] = []

    def forward(model: equimod.nn.MLP, x: jax.Array) -> jax.Array:
        traces.append(None)
        return model(x)

    wrapped = _called_twice(forward, mlp, jnp.ones(2))
    for x in (jnp.zeros(2), jnp.ones(2) * 3):
        assert jnp.allclose(wrapped(mlp, x), mlp(x))
    moved = jax.tree_util.tree_map(lambda a: a + 1 if equimod.is_array(a) else a, mlp)
    assert jnp.allclose(wrapped(moved, jnp.ones(2)), moved(jnp.ones(2)))
    assert len(traces) == 1
    batched = jax.vmap(lambda x: wrapped(mlp, x))(jnp.ones((3, 2)))  # tracers: checked
    assert jnp.allclose(batched[0], mlp(jnp.ones(2)))


def test_after_a_call_with_static_leaves_donation_still_gives_each_option_its_buffers() -> None:
    def step(x: jax.Array, y: jax.Array, activation: Any) -> tuple[jax.Array, jax.Array]:
        return activation(x + 1), activation(y + 1)

    for donate, x_donated in (("warn", True), ("warn-except-first", False), ("none", False)):
        wrapped = equimod.filter_jit(step, donate=donate)  # type: ignore[call-overload]
        for _ in range(3):
            x, y = jnp.ones(2), jnp.ones(2)
            wrapped(x, y, jax.nn.relu)
            assert (x.is_deleted(), y.is_deleted()) == (x_donated, donate != "none"), donate


def test_a_compiled_call_with_static_leaves_splits_no_leaf_of_ours() -> None:
    wrapped = _called_twice(lambda x, f: f(x), jnp.ones(2), jnp.sin)
    ran = _equimod_functions_run(lambda: wrapped(jnp.ones(2), jnp.sin))
    assert "call" in ran and not ran & {"_prepare", "split_leaves"}


def test_a_copy_of_a_wrapper_holding_another_function_calls_that_function() -> None:
    def double(x: jax.Array, f: Any) -> jax.Array:
        return f(x) * 2

    def triple(x: jax.Array, f: Any) -> jax.Array:
        return f(x) * 3

    wrapped = _called_twice(double, jnp.ones(2), jnp.abs)
    copy = jax.tree_util.tree_map(lambda leaf: triple if leaf is double else leaf, wrapped)
    assert copy(jnp.ones(2), jnp.abs).tolist() == [3.0, 3.0]
    assert wrapped(jnp.ones(2), jnp.abs).tolist() == [2.0, 2.0]


def test_calls_alternating_between_static_values_compile_each_once() -> None:
    traces: list[bool] = []

    def step(x: jax.Array, training: bool) -> jax.Array:
        traces.append(training)
        return x * 2 if training else x

    wrapped = equimod.filter_jit(step)
    for _ in range(3):
        assert wrapped(jnp.ones(2), True).tolist() == [2.0, 2.0]
        assert wrapped(jnp.ones(2), False).tolist() == [1.0, 1.0]
    assert wrapped(jnp.ones(2), True).tolist() == [2.0, 2.0]  # after one call made twice
    assert wrapped(jnp.ones(2), True).tolist() == [2.0, 2.0]
    assert wrapped(jnp.ones(2), False).tolist() == [1.0, 1.0]
    assert traces == [True, False]


class _CountedEquality:
    """A node's static data, equal to any other, counting how often it is compared."""

    compared = 0

    def __eq__(self, other: object) -> bool:
        _CountedEquality.compared += 1
        return isinstance(other, _CountedEquality)

    def __hash__(self) -> int:
        return 0


class _Counted:
    def __init__(self, value: jax.Array) -> None:
        self.value = value


jax.tree_util.register_pytree_node(
    _Counted, lambda node: ((node.value,), _CountedEquality()), lambda _, kids: _Counted(*kids)
)


def test_a_compiled_call_with_static_leaves_compares_its_structure_once() -> None:
    # The tree structure is compared with the layout's, and `jax.jit` finds the
    # layout's key by identity, never comparing the structure again.
    wrapped = _called_twice(lambda node, f: f(node.value), _Counted(jnp.ones(2)), jnp.sin)
    wrapped(_Counted(jnp.ones(2)), jnp.sin)
    _CountedEquality.compared = 0
    for _ in range(3):
        assert wrapped(_Counted(jnp.zeros(2)), jnp.sin).tolist() == [0.0, 0.0]
    assert _CountedEquality.compared == 3


def test_after_a_call_with_static_leaves_other_array_types_are_traced() -> None:
    seen: list[bool] = []

    def scale(x: object, factor: float) -> jax.Array:
        seen.append(isinstance(x, jax.core.Tracer))
        return x * factor  # type: ignore[operator, no-any-return]

    wrapped = _called_twice(scale, jnp.ones(2), 2.0)
    assert wrapped(np.ones(2), 2.0).tolist() == [2.0, 2.0]  # as the first call's: compiled
    assert wrapped(np.float32(3.0), 2.0).tolist() == 6.0
    assert wrapped(3, 2.0) == 6.0
    assert seen == [True, True, False]
