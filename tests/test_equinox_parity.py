"""Porting from Equinox is a change of import: every callable both libraries name
takes Equinox's parameters, under the same names, in the same positions; and the
behaviours ported code relies on beside them (ahead-of-time compilation, JAX's
keywords, wrapper metadata, checkpoint names, `self=` passed through) hold in
both."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import pytest

import equimod

P = inspect.Parameter
POSITIONAL = (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD)

# Equinox parameters equimod does not take, each with its reason.
NOT_TAKEN = {
    **dict.fromkeys(
        [
            ("filter_jit", "jitkwargs"),
            ("filter_grad", "gradkwargs"),
            ("filter_value_and_grad", "gradkwargs"),
            ("filter_vmap", "vmapkwargs"),
            ("filter_pmap", "pmapkwargs"),
        ],
        "further keywords passed on to JAX's transform, undocumented in Equinox",
    ),
    ("filter_pure_callback", "vectorized"): "deprecated by JAX for vmap_method",
    ("nn.LayerNorm", "elementwise_affine"): "deprecated in Equinox for use_weight/use_bias",
}


SPACES: list[tuple[str, ModuleType, ModuleType]] = [
    ("", eqx, equimod),
    ("nn.", eqx.nn, equimod.nn),
    ("debug.", eqx.debug, equimod.debug),
]


def test_every_public_name_of_equinox_is_in_equimod_or_says_what_to_write() -> None:
    # A top-level name equimod leaves out on purpose (StrictConfig) has an error that
    # says what to write; a name Equinox adds fails here until it is ported.
    # (Modules are out of scope: `equinox.internal` is not public API.)
    for prefix, theirs, ours in SPACES:
        for name in dir(theirs):
            if name.startswith("_") or inspect.ismodule(getattr(theirs, name)):
                continue
            if not hasattr(ours, name):
                assert prefix == "", f"{prefix}{name} is missing"
                with pytest.raises(AttributeError, match=rf"^equimod has no {name}: .* Write "):
                    getattr(ours, name)


def _shared_callables() -> Iterator[tuple[str, Any, Any]]:
    for prefix, theirs, ours in SPACES:
        for name in sorted(dir(theirs)):
            if name.startswith("_") or not hasattr(ours, name):
                continue
            their, our = getattr(theirs, name), getattr(ours, name)
            if callable(their) and not inspect.ismodule(their):
                yield prefix + name, their, our


def _parameters(obj: Any) -> list[inspect.Parameter] | None:
    try:
        return list(inspect.signature(obj).parameters.values())
    except (TypeError, ValueError):
        return None


CASES = [
    (name, their, our)
    for name, their, our in _shared_callables()
    if _parameters(their) is not None and _parameters(our) is not None
]


@pytest.mark.parametrize(("name", "their", "our"), CASES, ids=[case[0] for case in CASES])
def test_equimod_takes_equinoxs_parameters(name: str, their: Any, our: Any) -> None:
    their_names = [p.name for p in _parameters(their) or []]
    theirs = [p for p in _parameters(their) or [] if (name, p.name) not in NOT_TAKEN]
    ours = {p.name: p for p in _parameters(our) or []}
    for parameter in theirs:
        if parameter.kind == P.VAR_POSITIONAL or parameter.kind == P.VAR_KEYWORD:
            kinds = [p.kind for p in ours.values()]
            assert parameter.kind in kinds, f"{name}: no {parameter}"
            continue
        assert parameter.name in ours, f"{name}: no parameter {parameter.name!r}"
        if parameter.kind in POSITIONAL:
            # Passed by position in Equinox: at the same position here.
            assert ours[parameter.name].kind in POSITIONAL, f"{name}: {parameter.name}"
            position = their_names.index(parameter.name)
            assert list(ours).index(parameter.name) == position, f"{name}: {parameter.name}"
        if parameter.default is P.empty:
            assert ours[parameter.name].default is P.empty or parameter.kind == P.KEYWORD_ONLY


def test_the_parity_test_reads_many_callables() -> None:
    # Guards against a change that would leave the comparison empty.
    assert len(CASES) > 80


# --- behaviours a ported program relies on, beside the parameter names ----------


def _ours_and_theirs() -> list[Any]:
    return [equimod, eqx]


@pytest.mark.parametrize("lib", _ours_and_theirs(), ids=["equimod", "equinox"])
def test_ahead_of_time_compilation(lib: Any) -> None:
    def f(x: jax.Array, y: int, **kwargs: Any) -> jax.Array:
        return 2 * x + y

    x = jnp.array(3)
    lowered = lib.filter_jit(f).lower(x, 4, test=1)
    assert "stablehlo" in lowered.as_text() or "func" in lowered.as_text()
    compiled = lowered.compile()
    assert int(compiled(x, 4, test=1)) == 10
    pmapped = lib.filter_pmap(f).lower(jnp.array([3]), 4).compile()
    assert pmapped(jnp.array([3]), 4).tolist() == [10]


def test_a_compiled_function_refuses_other_static_arguments() -> None:
    # Equinox runs the values it was lowered with: 2 * 3 + 4, not + 5.
    compiled = equimod.filter_jit(lambda x, y: 2 * x + y).lower(jnp.array(3), 4).compile()
    with pytest.raises(TypeError, match=r"compiled ahead of time .* for other non-array"):
        compiled(jnp.array(3), 5)


def test_jax_keywords_are_taken_as_keywords() -> None:
    (cpu, *_) = jax.devices("cpu")
    f = equimod.filter_jit(lambda x: x + 1, keep_unused=True, inline=True)
    assert int(f(jnp.array(1))) == 2
    g = equimod.filter_pmap(lambda x: x + 1, devices=[cpu], backend="cpu")
    assert g(jnp.array([1])).tolist() == [2]
    h = equimod.filter_grad(lambda z: (z * z.conj()).real, holomorphic=False, allow_int=True)
    assert float(h(jnp.array(3.0))) == 6.0
    v = equimod.filter_vmap(lambda x: x * 2, spmd_axis_name=None)
    assert v(jnp.arange(3.0)).tolist() == [0.0, 2.0, 4.0]


@pytest.mark.parametrize("lib", _ours_and_theirs(), ids=["equimod", "equinox"])
def test_wrapper_metadata_survives_a_flatten_and_unflatten(lib: Any) -> None:
    def f(x: int) -> str:
        """some doc"""
        return "hi"

    for transform in (lib.filter_jit, lib.filter_grad, lib.filter_vmap, lib.filter_pmap):
        wrapped = transform(f)
        leaves, treedef = jax.tree_util.tree_flatten(wrapped)
        rebuilt = jax.tree_util.tree_unflatten(treedef, leaves)
        assert rebuilt.__name__ == "f"
        assert rebuilt.__doc__ == "some doc"
        assert rebuilt.__qualname__.endswith("<locals>.f")
        assert rebuilt.__annotations__ == f.__annotations__  # strings: `from __future__`


@pytest.mark.parametrize("lib", _ours_and_theirs(), ids=["equimod", "equinox"])
def test_a_path_without_a_suffix_is_saved_as_eqx(lib: Any, tmp_path: Path) -> None:
    lib.tree_serialise_leaves(tmp_path / "model", {"w": jnp.ones(2)})
    assert [p.name for p in tmp_path.iterdir()] == ["model.eqx"]
    loaded = lib.tree_deserialise_leaves(tmp_path / "model", {"w": jnp.zeros(2)})
    assert loaded["w"].tolist() == [1.0, 1.0]


def test_self_passes_through_forwarding_calls_as_a_keyword() -> None:
    # A solver passing its own `self=` through a wrapped function (optimistix does).
    # Equinox's custom_vjp takes it; its Partial does not ("multiple values").
    lib = equimod

    def f(x: jax.Array, *, self: int) -> jax.Array:
        return x + self

    assert int(lib.Partial(f, jnp.array(1))(self=2)) == 3
    assert int(lib.filter_jit(f)(jnp.array(1), self=2)) == 3
    assert int(lib.filter_grad(lambda x, self: x * self)(jnp.array(1.0), self=2.0)) == 2

    @lib.filter_custom_vjp
    def g(x: jax.Array, *, self: jax.Array) -> jax.Array:
        return x * self

    @g.def_fwd
    def g_fwd(perturbed: Any, x: jax.Array, *, self: jax.Array) -> tuple[jax.Array, None]:
        return x * self, None

    @g.def_bwd
    def g_bwd(res: Any, ct: jax.Array, perturbed: Any, x: jax.Array, *, self: jax.Array) -> Any:
        return ct * self

    assert float(jax.grad(lambda x: g(x, self=jnp.array(3.0)))(jnp.array(1.0))) == 3.0

    @lib.filter_custom_jvp
    def h(x: jax.Array, *, self: jax.Array) -> jax.Array:
        return x * self

    @h.def_jvp
    def h_jvp(primals: Any, tangents: Any, *, self: jax.Array) -> Any:
        (x,), (tx,) = primals, tangents
        return x * self, tx * self

    assert float(jax.grad(lambda x: h(x, self=jnp.array(3.0)))(jnp.array(1.0))) == 3.0
