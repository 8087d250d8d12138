"""Partial, errors in traced code, Enumeration, tree utilities and equimod.debug."""

from __future__ import annotations

import functools
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import equimod
from equimod import EquimodRuntimeError

KEY = jax.random.key(0)


def test_partial_is_a_module_whose_arrays_are_leaves() -> None:
    add = equimod.Partial(jnp.add, jnp.ones(2))
    assert isinstance(add, equimod.Module)
    assert add(jnp.ones(2)).tolist() == [2.0, 2.0]
    assert len(jax.tree_util.tree_leaves(add)) == 2  # the function, and the array
    grads = equimod.filter_grad(lambda p, x: jnp.sum(p(x)))(add, jnp.ones(2))
    assert grads.args[0].tolist() == [1.0, 1.0]
    assert equimod.Partial(pow, exp=2)(3) == functools.partial(pow, exp=2)(3)


def test_module_update_wrapper_copies_the_name_and_doc() -> None:
    class Wrapper(equimod.Module):
        fn: Any

        @property
        def __wrapped__(self) -> Any:
            return self.fn

        def __call__(self, x: Any) -> Any:
            return self.fn(x)

    def double(x: Any) -> Any:
        """Twice x."""
        return 2 * x

    wrapped = equimod.module_update_wrapper(Wrapper(double))
    assert (wrapped.__name__, wrapped.__doc__) == ("double", "Twice x.")  # type: ignore[attr-defined]

    class NoWrapped(equimod.Module):
        pass

    with pytest.raises(TypeError, match=r"NoWrapped.*__wrapped__"):
        equimod.module_update_wrapper(NoWrapped())


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


def test_branched_error_if_chooses_the_message_at_run_time() -> None:
    check = equimod.filter_jit(
        lambda x, i: equimod.branched_error_if(x, i > 0, i, ["zero", "one", "two"])
    )
    assert check(jnp.ones(1), jnp.array(0)).tolist() == [1.0]
    with pytest.raises(EquimodRuntimeError, match="two"):
        check(jnp.ones(1), jnp.array(2))


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


def test_tree_pformat_matches_equinox() -> None:
    tree = {"a": jnp.ones((2, 3)), "b": [1, "x"], "s": jax.ShapeDtypeStruct((2,), jnp.float32)}
    for options in ({}, {"struct_as_array": True}, {"width": 20}, {"short_arrays": False}):
        assert equimod.tree_pformat(tree, **options) == eqx.tree_pformat(tree, **options)
    truncated = equimod.tree_pformat(tree, truncate_leaf=lambda x: isinstance(x, list))
    assert "list(...)" in truncated


def test_tree_pprint_prints(capsys: pytest.CaptureFixture[str]) -> None:
    equimod.tree_pprint([jnp.ones(2)])
    assert capsys.readouterr().out == "[f32[2]]\n"


def test_tree_flatten_one_level_and_tree_check() -> None:
    layer = equimod.nn.Linear(2, 2, key=KEY)
    children, treedef = equimod.tree_flatten_one_level({"a": layer, "b": [1, 2]})
    assert children[0] is layer and children[1] == [1, 2]
    assert jax.tree_util.tree_unflatten(treedef, children)["a"] is layer
    assert equimod.tree_flatten_one_level(3)[0] == [3]
    equimod.tree_check([layer, 1, 1, None, None])
    with pytest.raises(ValueError, match="appears twice"):
        equimod.tree_check([layer, layer])
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        equimod.tree_check(loop)
    with pytest.raises(ValueError, match="multiple times"):
        eqx.tree_check([layer, layer])  # the same rule in Equinox


def test_clear_caches_runs() -> None:
    equimod.filter_jit(lambda x: x)(jnp.ones(1))
    equimod.clear_caches()
    assert equimod.filter_jit(lambda x: x + 1)(jnp.ones(1)).tolist() == [2.0]


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


# jax.debug.breakpoint records the Python frames around it; under pytest they
# include generators, which JAX warns it treats as leaves.
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
