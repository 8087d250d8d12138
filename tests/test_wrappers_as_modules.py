"""Transform wrappers, Partial and module_update_wrapper: callables that are Modules, whose arrays are leaves."""

from __future__ import annotations

import functools
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import pytest

import equimod

KEY = jax.random.key(0)


def test_stored_wrappers_are_modules() -> None:
    layer = equimod.nn.Linear(2, 2, key=KEY)
    for wrapper in (
        equimod.filter_checkpoint(layer),
        equimod.filter_jacfwd(layer),
        equimod.filter_pmap(layer),
        equimod.filter_make_jaxpr(layer),
        equimod.filter_custom_jvp(layer),
        equimod.filter_custom_vjp(layer),
    ):
        assert isinstance(wrapper, equimod.Module)
        assert len([x for x in jax.tree_util.tree_leaves(wrapper) if equimod.is_array(x)]) == 2


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


def test_partial_refuses_a_keyword_it_stores_as_equinox_does() -> None:
    add = equimod.Partial(lambda x, y: x + y, y=1)
    assert add(x=2) == 3
    with pytest.raises(TypeError, match="multiple values for keyword argument 'y'"):
        add(2, y=5)
    with pytest.raises(TypeError, match="multiple values for keyword argument 'y'"):
        eqx.Partial(lambda x, y: x + y, y=1)(2, y=5)
