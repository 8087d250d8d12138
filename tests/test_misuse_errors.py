"""Each error path of the transforms, Enumeration and debug tools: its type and what it says."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
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

    for bad in (-1, 1.5, True, "2"):
        with pytest.raises(
            ValueError,
            match=r"^assert_max_traces\(max_traces=\.\.\.\) must be a non-negative int, or "
            rf"None to only count; got {re.escape(repr(bad))}\.$",
        ):
            equimod.debug.assert_max_traces(len, max_traces=bad)  # type: ignore[arg-type]
    # As a decorator too: refused when the options are given, not when applied.
    with pytest.raises(ValueError, match=r"must be a non-negative int"):
        equimod.debug.assert_max_traces(max_traces=-1)
    assert equimod.debug.assert_max_traces(len, max_traces=0) is not None


# --- the errors and warnings that give Equinox's meaning -------------------------


@contextlib.contextmanager
def warnings_as_errors() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def test_vmap_and_pmap_axis_errors_name_the_transform_and_the_fix() -> None:
    with pytest.raises(
        ValueError,
        match=r"filter_vmap\(<lambda>\): in_axes asks to map over axis 1 of an array of shape \(3,\), which has no such axis",
    ):
        equimod.filter_vmap(lambda x: x, in_axes=1)(jnp.ones(3))
    with pytest.raises(
        ValueError,
        match=r"filter_pmap\(<lambda>\): in_axes names \('z',\), which are not arguments",
    ):
        equimod.filter_pmap(lambda x, y=1: x, in_axes={"z": 0})(jnp.ones(1))
    with pytest.raises(
        ValueError, match=r"filter_pmap\(<lambda>\): no argument is mapped over .* axis_size"
    ):
        equimod.filter_pmap(lambda x: x, in_axes=None)(jnp.ones(1))


def test_tree_flatten_one_level_refuses_a_node_inside_itself() -> None:
    looped: list[Any] = []
    looped.append(looped)
    with pytest.raises(ValueError, match=r"the list node is one of its own children"):
        equimod.tree_flatten_one_level(looped)


def test_deprecated_equinox_spellings_warn_and_say_what_to_write() -> None:
    with pytest.warns(
        DeprecationWarning, match=r"Dropout\(deterministic=...\) is deprecated.*inference"
    ):
        dropout = equimod.nn.Dropout(deterministic=True)
    assert dropout.inference is True and dropout.deterministic is True
    with pytest.warns(DeprecationWarning, match=r"\(deterministic=...\) is deprecated.*inference"):
        assert equimod.nn.Dropout()(jnp.ones(2), deterministic=True).tolist() == [1.0, 1.0]

    @equimod.filter_custom_vjp
    def f(x: jax.Array) -> jax.Array:
        return x

    with pytest.warns(DeprecationWarning, match=r"defvjp.*use the def_fwd and def_bwd"):
        f.defvjp(lambda x: (x, None), lambda res, g, x: 2 * g)
    assert float(jax.grad(f)(jnp.array(1.0))) == 2.0


def test_equinoxs_names_for_old_code_warn_say_what_to_write_and_keep_their_meaning() -> None:
    with pytest.warns(DeprecationWarning, match=r"static_field is deprecated.*field\(static=True"):

        class Legacy(equimod.Module):
            weight: jax.Array
            name: str = equimod.static_field()
            depth: int = equimod.static_field(default=2, converter=int)

    legacy = Legacy(jnp.ones(2), "m", "3")  # type: ignore[arg-type]
    assert legacy.depth == 3
    leaves, treedef = jax.tree_util.tree_flatten(legacy)
    assert len(leaves) == 1
    rebuilt = jax.tree_util.tree_unflatten(treedef, leaves)
    assert (rebuilt.name, rebuilt.depth) == ("m", 3)

    model = equimod.nn.Sequential([equimod.nn.Dropout(0.5)])
    with pytest.warns(DeprecationWarning, match=r"tree_inference.*nn\.inference_mode"):
        switched = equimod.tree_inference(model, True)
    assert switched.layers[0].inference is True
    with pytest.warns(DeprecationWarning):
        assert equimod.tree_inference(switched, value=False).layers[0].inference is False


def test_a_jax_transformed_layer_in_a_field_warns_at_the_users_line() -> None:
    class Holder(equimod.Module):
        layer: Any

    class WithStatic(equimod.Module):
        # A static field takes the generated __init__ off its fastest path.
        layer: Any
        size: int = equimod.field(static=True, default=1)

    class Written(equimod.Module):
        layer: Any

        def __init__(self, layer: Any) -> None:
            self.layer = layer

    linear = equimod.nn.Linear(2, 2, key=jax.random.key(0))
    for cls in (Holder, WithStatic, Written):
        with pytest.warns(
            UserWarning,
            match=r"JAX-transformed callable as an attribute on .*\.layer: it wraps a pytree holding arrays",
        ) as caught:
            cls(jax.vmap(linear))
        (warning,) = caught
        assert warning.filename == __file__, (cls, warning.filename)
    with warnings_as_errors():
        Holder(equimod.filter_vmap(linear))  # a Module: its arrays stay leaves
        Holder(jax.jit(jnp.sin))  # holds no arrays


@pytest.mark.parametrize(
    "transform",
    [
        equimod.filter_jit,
        equimod.filter_vmap,
        equimod.filter_grad,
        equimod.filter_value_and_grad,
        equimod.filter_jacfwd,
        equimod.filter_jacrev,
        equimod.filter_checkpoint,
        equimod.filter_make_jaxpr,
    ],
    ids=lambda transform: transform.__name__,
)
def test_a_transform_given_a_jax_transformed_layer_warns_in_its_own_name(
    transform: Callable[[Any], Any],
) -> None:
    linear = equimod.nn.Linear(2, 2, key=jax.random.key(0))
    name = transform.__name__
    with pytest.warns(
        UserWarning, match=rf"^{name} was given a JAX-transformed callable"
    ) as caught:
        transform(jax.vmap(linear))
    (warning,) = caught
    assert warning.filename == __file__


def test_errors_are_also_the_exception_types_equinox_raises() -> None:
    norm = equimod.nn.BatchNorm(3, "batch", mode="batch")
    state = equimod.nn.State(norm)
    with pytest.raises(NameError, match=r"BatchNorm\(axis_name='batch'\) computes statistics"):
        norm(jnp.ones(3), state)

    @equimod.filter_custom_vjp
    def f(x: jax.Array, y: jax.Array) -> jax.Array:
        return x + y

    f.def_fwd(lambda perturbed, x, y: (x + y, None))
    f.def_bwd(lambda res, g, perturbed, x, y: g)
    with pytest.raises(
        RuntimeError, match=r"differentiated with respect to an argument other than its first"
    ):
        jax.grad(lambda x: f(x, x))(1.0)


# Each transform, applied to `f`, and what its error says it needs `f` for.
_TRANSFORM_CALLS = {
    "filter_jit": (lambda f: equimod.filter_jit(f), "compile"),
    "filter_vmap": (lambda f: equimod.filter_vmap(f), "vectorise"),
    "filter_pmap": (lambda f: equimod.filter_pmap(f), "map over devices"),
    "filter_grad": (lambda f: equimod.filter_grad(f), "differentiate"),
    "filter_value_and_grad": (lambda f: equimod.filter_value_and_grad(f), "differentiate"),
    "filter_jvp": (lambda f: equimod.filter_jvp(f, (1.0,), (1.0,)), "differentiate"),
    "filter_vjp": (lambda f: equimod.filter_vjp(f, 1.0), "differentiate"),
    "filter_jacfwd": (lambda f: equimod.filter_jacfwd(f), "differentiate"),
    "filter_jacrev": (lambda f: equimod.filter_jacrev(f), "differentiate"),
    "filter_hessian": (lambda f: equimod.filter_hessian(f), "differentiate"),
    "filter_make_jaxpr": (lambda f: equimod.filter_make_jaxpr(f), "trace"),
    "filter_closure_convert": (lambda f: equimod.filter_closure_convert(f, 1.0), "convert"),
    "filter_eval_shape": (lambda f: equimod.filter_eval_shape(f, 1.0), "evaluate"),
    "filter_checkpoint": (lambda f: equimod.filter_checkpoint(f), "checkpoint"),
    "filter_custom_jvp": (lambda f: equimod.filter_custom_jvp(f), "give a derivative rule"),
    "filter_custom_vjp": (lambda f: equimod.filter_custom_vjp(f), "give derivative rules"),
    "filter_pure_callback": (
        lambda f: equimod.filter_pure_callback(f, result_shape_dtypes=None),
        "call back",
    ),
    "assert_max_traces": (
        lambda f: equimod.debug.assert_max_traces(f, max_traces=1),
        "count the traces of",
    ),
    # Not transforms, but they too keep a callable to call later, far from here.
    "Partial": (lambda f: equimod.Partial(f, 1.0), "call"),
    "make_with_state": (lambda f: equimod.nn.make_with_state(f), "build the model"),
}


@pytest.mark.parametrize("transform", sorted(_TRANSFORM_CALLS))
def test_every_transform_refuses_a_non_callable_where_it_is_applied(transform: str) -> None:
    apply, purpose = _TRANSFORM_CALLS[transform]
    with pytest.raises(TypeError) as raised:
        apply(3)
    assert str(raised.value) == (
        f"{transform} expects a callable to {purpose}, got 3. Pass the function (or "
        "Module) itself, not the result of calling it."
    )
    apply(equimod.nn.Identity())  # a Module with a __call__ is a callable


# The transforms that take options: given the options alone, each is a decorator.
_DECORATOR_FORMS = {
    "filter_jit": {"donate": "none"},
    "filter_vmap": {"in_axes": 0},
    "filter_pmap": {"axis_name": "i"},
    "filter_grad": {"has_aux": False},
    "filter_value_and_grad": {"has_aux": False},
    "filter_checkpoint": {"prevent_cse": False},
}


@pytest.mark.parametrize("transform", sorted(_DECORATOR_FORMS))
def test_every_transform_with_options_is_a_decorator_given_them_alone(transform: str) -> None:
    apply = getattr(equimod, transform)
    options = _DECORATOR_FORMS[transform]

    def square(x: jax.Array) -> jax.Array:
        return jnp.sum(x**2)

    x = jnp.arange(3.0).reshape(1, 3)
    expected = apply(square, **options)(x)
    for decorator in (apply(**options), apply(None, **options), apply(fun=None, **options)):
        assert callable(decorator) and not isinstance(decorator, equimod.Module)
        assert equimod.tree_equal(decorator(square)(x), expected)
    assert equimod.tree_equal(apply(fun=square, **options)(x), expected)
    with pytest.raises(TypeError, match=f"{transform} expects a callable"):
        apply(**options)(3)
