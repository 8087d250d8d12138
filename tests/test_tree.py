"""tree_at, apply_updates and the tree utilities (pretty printing, tree_flatten_one_level, tree_check)."""

from __future__ import annotations

from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import pytest

import equimod

KEY = jax.random.key(0)


def linear() -> equimod.nn.Linear:
    return equimod.nn.Linear(2, 3, key=jax.random.key(0))


def test_replace_one_leaf_of_a_module_out_of_place() -> None:
    layer = linear()
    new = equimod.tree_at(lambda m: m.bias, layer, jnp.zeros(3))
    assert isinstance(new, equimod.nn.Linear)
    assert new.bias.tolist() == [0.0, 0.0, 0.0]  # type: ignore[union-attr]
    assert layer.bias is not None and float(jnp.abs(layer.bias).sum()) > 0
    assert new.weight is layer.weight
    assert new.in_features == 2


def test_replace_several_nodes_and_with_replace_fn() -> None:
    layer = linear()
    zeroed = equimod.tree_at(lambda m: (m.weight, m.bias), layer, (jnp.zeros((3, 2)), None))
    assert zeroed.bias is None and float(zeroed.weight.sum()) == 0.0
    doubled = equimod.tree_at(lambda m: [m.weight, m.bias], layer, replace_fn=lambda x: 2 * x)
    assert jnp.allclose(doubled.weight, 2 * layer.weight)


def test_none_leaves_and_subtrees_can_be_replaced() -> None:
    tree = {"a": [1, None, 3], "b": None}
    assert equimod.tree_at(lambda t: t["a"][1], tree, "x") == {"a": [1, "x", 3], "b": None}
    assert equimod.tree_at(lambda t: t["b"], tree, 5) == {"a": [1, None, 3], "b": 5}
    # A list that is itself a node is one node, not several.
    assert equimod.tree_at(lambda t: t["a"], tree, 7) == {"a": 7, "b": None}
    both = equimod.tree_at(lambda t: (t["a"][1], t["b"]), tree, (8, 9))
    assert both == {"a": [1, 8, 3], "b": 9}


def test_where_sees_the_nones_as_they_are_unless_it_picks_one() -> None:
    # diffrax's idiom: a `where` that leaves out the Nones it meets picks, as under
    # Equinox, only what is not None (diffeqsolve casts its save times this way).
    tree = {"ts": [jnp.arange(2), None, jnp.arange(3)]}

    def not_none(t: dict[str, list[Any]]) -> list[Any]:
        return [x for x in t["ts"] if x is not None]

    cast = equimod.tree_at(not_none, tree, replace_fn=lambda x: x.astype(jnp.float32))
    assert [x is None or x.dtype == jnp.float32 for x in cast["ts"]] == [True, True, True]
    assert cast["ts"][1] is None
    # A None that `where` picks, alone or among others, is still replaced.
    both = equimod.tree_at(lambda t: [t["ts"][0], t["ts"][1]], tree, (1, 2))
    assert both["ts"][:2] == [1, 2]


def test_replace_a_submodule() -> None:
    class Pair(equimod.Module):
        first: equimod.nn.Linear
        second: equimod.nn.Linear

    pair = Pair(linear(), linear())
    other = equimod.nn.Linear(2, 3, key=jax.random.key(9))
    new = equimod.tree_at(lambda p: p.second, pair, other)
    assert new.second is other
    assert new.first == pair.first


def test_is_leaf_selects_whole_subtrees() -> None:
    tree = {"x": (1, 2), "y": (3, 4)}
    new = equimod.tree_at(
        lambda t: t["x"], tree, replace_fn=lambda x: x[::-1], is_leaf=lambda x: isinstance(x, tuple)
    )
    assert new == {"x": (2, 1), "y": (3, 4)}


def test_selector_errors_are_clear() -> None:
    layer = linear()
    with pytest.raises(
        ValueError, match=r"`where` returned int 2, which is not a node.*static fields"
    ):
        equimod.tree_at(lambda m: m.in_features, layer, 3)
    with pytest.raises(TypeError, match=r"calling `where` on the pytree failed.*not compute"):
        equimod.tree_at(lambda m: m.weight + 1, layer, 3)
    with pytest.raises(ValueError, match=r"picked out the same node more than once"):
        equimod.tree_at(lambda m: (m.weight, m.weight), layer, (1, 2))
    with pytest.raises(ValueError, match=r"nested in one another"):
        equimod.tree_at(lambda m: (m, m.weight), layer, (1, 2))
    with pytest.raises(ValueError, match=r"picked out 2 node\(s\) but replace has 1 value"):
        equimod.tree_at(lambda m: (m.weight, m.bias), layer, (1,))
    with pytest.raises(TypeError, match=r"picked out 2 nodes, so replace must be a tuple"):
        equimod.tree_at(lambda m: (m.weight, m.bias), layer, 1)
    with pytest.raises(
        ValueError, match=r"exactly one of replace=... or replace_fn=..., got neither"
    ):
        equimod.tree_at(lambda m: m.weight, layer)
    with pytest.raises(ValueError, match=r"got replace and replace_fn"):
        equimod.tree_at(lambda m: m.weight, layer, 1, replace_fn=lambda x: x)


def test_apply_updates() -> None:
    layer = linear()
    grads = equimod.filter_grad(lambda m: jnp.sum(m(jnp.ones(2))))(layer)
    updates = jax.tree_util.tree_map(lambda g: -0.1 * g, grads)
    new = equimod.apply_updates(layer, updates)
    assert jnp.allclose(new.weight, layer.weight - 0.1 * grads.weight)
    assert new.in_features == 2
    partial = equimod.apply_updates({"a": jnp.ones(1), "b": "keep"}, {"a": jnp.ones(1), "b": None})
    assert partial["a"].tolist() == [2.0] and partial["b"] == "keep"


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
