"""Shape-checked Modules: jaxtyping annotations checked at run time by beartype, with
`@jaxtyped` on the class and with jaxtyping's import hook over a package, as
optimistix and lineax run their tests.

Such a checker wraps `__init__` after the class is made. JAX rebuilding an
instance from its leaves (markers in `tree_at`, `None`s in `partition`, tracers)
must never call that `__init__`: it would check leaves that are not arrays.
"""

from __future__ import annotations

import importlib
import io
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import beartype
import jax
import jax.numpy as jnp
import jaxtyping
import pytest
from jaxtyping import Array, Float, PRNGKeyArray, jaxtyped

import equimod

TypeCheckError = (jaxtyping.TypeCheckError, beartype.roar.BeartypeException)


@jaxtyped(typechecker=beartype.beartype)
class Generated(equimod.Module):
    weight: Float[Array, "out in"]
    bias: Float[Array, " out"]
    rtol: float = 1e-3

    def __call__(self, x: Float[Array, " in"]) -> Float[Array, " out"]:
        return self.weight @ x + self.bias


@jaxtyped(typechecker=beartype.beartype)
class HandWritten(equimod.Module):
    weight: Float[Array, "out in"]
    rtol: float = equimod.field(static=True)

    def __init__(self, size: int, rtol: float, *, key: PRNGKeyArray) -> None:
        self.weight = jax.random.normal(key, (size, size))
        self.rtol = rtol

    def __call__(self, x: Float[Array, " in"]) -> Float[Array, " out"]:
        return self.weight @ x


def _generated() -> Generated:
    return Generated(jnp.ones((2, 3)), jnp.zeros(2))


def _hand_written() -> HandWritten:
    return HandWritten(3, 0.5, key=jax.random.key(0))


def test_construction_is_checked() -> None:
    _generated()
    with pytest.raises(TypeCheckError):
        Generated(jnp.ones((2, 3)), jnp.zeros(3))  # `out` is 2 and 3
    with pytest.raises(TypeCheckError):
        Generated(jnp.ones((2, 3)), jnp.zeros(2), rtol="tight")  # type: ignore[arg-type]
    with pytest.raises(TypeCheckError):
        HandWritten("3", 0.5, key=jax.random.key(0))  # type: ignore[arg-type]


def _rebuilds(model: Any, x: jax.Array) -> None:
    """Every way JAX rebuilds a Module from leaves it would refuse as arguments."""
    first = jax.tree_util.tree_leaves(model)[0]
    zeroed = equimod.tree_at(
        lambda m: jax.tree_util.tree_leaves(m)[0], model, jnp.zeros_like(first)
    )
    assert float(jnp.abs(jax.tree_util.tree_leaves(zeroed)[0]).sum()) == 0
    arrays, rest = equimod.partition(model, equimod.is_array)
    assert equimod.tree_equal(equimod.combine(arrays, rest), model)
    assert jnp.allclose(jax.jit(lambda m, x: m(x))(model, x), model(x))
    assert jnp.allclose(equimod.filter_jit(lambda m, x: m(x))(model, x), model(x))
    grads = equimod.filter_grad(lambda m, x: m(x).sum())(model, x)
    assert type(grads) is type(model)
    stacked = jax.tree_util.tree_map(lambda a: jnp.stack([a, a]), model)
    ys = jax.vmap(lambda m, x: m(x), in_axes=(0, None))(stacked, x)
    assert ys.shape == (2, *model(x).shape)
    ys = equimod.filter_vmap(lambda m: m(x))(stacked)
    assert ys.shape == (2, *model(x).shape)
    buffer = io.BytesIO()
    equimod.tree_serialise_leaves(buffer, model)
    buffer.seek(0)
    assert equimod.tree_equal(equimod.tree_deserialise_leaves(buffer, zeroed), model)


@pytest.mark.parametrize("make", [_generated, _hand_written], ids=["generated", "hand-written"])
def test_unflatten_never_runs_a_checked_init(make: Any) -> None:
    _rebuilds(make(), jnp.ones(3))


def test_unflatten_never_runs_an_init_assigned_after_the_class_is_made() -> None:
    class Point(equimod.Module):
        weight: jax.Array
        bias: jax.Array

        def __call__(self, x: jax.Array) -> jax.Array:
            return self.weight * x + self.bias

    calls = []
    generated = Point.__init__

    def counting_init(self: Point, *args: Any, **kwargs: Any) -> None:
        calls.append(args)
        generated(self, *args, **kwargs)

    Point.__init__ = counting_init  # type: ignore[method-assign]
    point = Point(jnp.ones(()), jnp.zeros(()))
    assert len(calls) == 1
    _, treedef = jax.tree_util.tree_flatten(point)
    assert jax.tree_util.tree_unflatten(treedef, [None, None]).weight is None
    _rebuilds(point, jnp.ones(()))
    assert len(calls) == 1


_PACKAGE = """
import jax
import equimod
from jaxtyping import Array, Float, PRNGKeyArray


class Affine(equimod.Module):
    weight: Float[Array, "out in"]
    bias: Float[Array, " out"]

    def __call__(self, x: Float[Array, " in"]) -> Float[Array, " out"]:
        return self.weight @ x + self.bias


class Scaled(equimod.Module):
    inner: Affine
    scale: float = equimod.field(static=True)

    def __init__(self, size: int, scale: float, *, key: PRNGKeyArray) -> None:
        self.inner = Affine(jax.random.normal(key, (size, size)), jax.numpy.zeros(size))
        self.scale = scale

    def __call__(self, x: Float[Array, " in"]) -> Float[Array, " out"]:
        return self.scale * self.inner(x)
"""


@pytest.fixture
def hooked_package(tmp_path: Path) -> Iterator[Any]:
    """A package imported under jaxtyping's import hook with beartype, as
    `pytest --jaxtyping-packages=...` imports one."""
    name = f"hooked_{id(tmp_path)}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(_PACKAGE))
    sys.path.insert(0, str(tmp_path))
    try:
        with jaxtyping.install_import_hook(name, "beartype.beartype"):
            yield importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop(name, None)


def test_the_import_hook_checks_construction_and_calls(hooked_package: Any) -> None:
    affine = hooked_package.Affine(jnp.ones((2, 3)), jnp.zeros(2))
    with pytest.raises(TypeCheckError):
        hooked_package.Affine(jnp.ones((2, 3)), jnp.zeros(3))
    with pytest.raises(TypeCheckError):
        affine(jnp.ones((3, 3)))  # a vector is expected
    with pytest.raises(TypeCheckError):
        hooked_package.Scaled(3, 2.0, key="not a key")


def test_the_import_hook_never_runs_init_on_unflatten(hooked_package: Any) -> None:
    _rebuilds(hooked_package.Affine(jnp.ones((2, 3)), jnp.zeros(2)), jnp.ones(3))
    _rebuilds(hooked_package.Scaled(3, 2.0, key=jax.random.key(0)), jnp.ones(3))


_EQUIMOD_UNDER_THE_HOOK = """
import io
import jaxtyping

with jaxtyping.install_import_hook("equimod", "beartype.beartype"):
    import equimod
import jax
import jax.numpy as jnp

from equimod import nn

key = jax.random.key(0)
mlp = nn.MLP(2, 3, 4, 2, activation=nn.PReLU(), key=key)
x = jnp.ones(2)
assert equimod.filter_jit(lambda m, x: m(x))(mlp, x).shape == (3,)
grads = equimod.filter_grad(lambda m, x: m(x).sum())(mlp, x)
equimod.apply_updates(mlp, grads)
equimod.filter_vmap(mlp)(jnp.ones((5, 2)))
equimod.filter_pmap(mlp)(jnp.ones((1, 2)))
equimod.tree_at(lambda m: m.layers[0].weight, mlp, jnp.zeros((4, 2)))
conv = nn.Conv2d(1, 2, 3, key=key)
norm, state = nn.make_with_state(nn.BatchNorm)(2, "batch")
out, state = jax.vmap(norm, axis_name="batch", in_axes=(0, None), out_axes=(0, None))(
    conv(jnp.ones((1, 5, 5)))[None], state
)
nn.MultiheadAttention(2, 4, key=key)(jnp.ones((3, 4)), jnp.ones((3, 4)), jnp.ones((3, 4)))
buffer = io.BytesIO()
equimod.tree_serialise_leaves(buffer, mlp)
buffer.seek(0)
equimod.tree_deserialise_leaves(buffer, mlp)
equimod.filter_jit(lambda x: equimod.error_if(x, x < 0, "negative"))(jnp.ones(()))
print("ok")
"""


def test_equimod_itself_under_the_import_hook() -> None:
    # As Equinox runs its own tests: every annotation of equimod is checked at
    # run time by beartype (and must be one beartype can check).
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", _EQUIMOD_UNDER_THE_HOOK],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-4000:]
