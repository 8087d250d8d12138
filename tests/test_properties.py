"""Property-based tests: random Module classes and instances (hypothesis).

Each example builds a class hierarchy of one to three levels with random fields
(arrays of every dtype, static ints and strings, plain floats, None, tuples of
arrays, nested Modules), random static flags, defaults, default factories,
converters and `kw_only`, with a generated or a hand-written `__init__`, and an
instance of it. Then: flatten/unflatten round-trips exactly and keeps the class;
`tree_map` keeps the type and the static fields; serialisation round-trips
bit-exactly; `tree_at` replaces exactly the chosen leaf; `==`, `hash`, `repr`
and `pickle` behave; `filter_jit` of a method gives the method's result.

Profiles: `ci` (the default: bounded, derandomised) and `long` (many examples):
`EQUIMOD_HYPOTHESIS_PROFILE=long pytest tests/test_properties.py`.
"""

from __future__ import annotations

import dataclasses
import io
import itertools
import os
import pickle
import sys
import types
from collections import Counter
from typing import Any, ClassVar, Generic, TypeVar

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import equimod

settings.register_profile(
    "ci",
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long", max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("EQUIMOD_HYPOTHESIS_PROFILE", "ci"))

#: What the examples covered, printed at the end of the session (see conftest.py).
FIGURES: Counter[str] = Counter()

DTYPES = [
    "float32", "float16", "bfloat16", "int8", "int16", "int32", "uint8", "uint16", "uint32",
    "bool", "complex64",
]  # fmt: skip
KINDS = ["array", "static_int", "static_str", "float", "none", "tuple", "nested"]
_names = itertools.count()


class Inner(equimod.Module):
    """A nested Module with a leaf and a static field."""

    weight: jax.Array
    tag: int = equimod.field(static=True, default=0)


@dataclasses.dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str
    static: bool
    default: str  # "none", "value" or "factory"
    converter: bool


@st.composite
def arrays(draw: st.DrawFn) -> jax.Array:
    dtype = draw(st.sampled_from(DTYPES))
    shape = tuple(draw(st.lists(st.integers(0, 3), max_size=2)))
    seed = draw(st.integers(0, 2**16))
    values = np.random.default_rng(seed).normal(size=shape) * 10
    if draw(st.booleans()) and values.size:
        values.flat[0] = draw(st.sampled_from([np.inf, -np.inf, np.nan, 0.0, -0.0]))
    if jnp.issubdtype(dtype, jnp.integer) or dtype == "bool":
        values = np.nan_to_num(values, nan=0, posinf=100, neginf=-100)
    FIGURES[f"dtype {dtype}"] += 1
    FIGURES["zero-size arrays" if 0 in shape else "scalar arrays" if shape == () else "arrays"] += 1
    return jnp.asarray(values).astype(dtype)


def value_for(kind: str, draw: st.DrawFn) -> Any:
    if kind == "array":
        return draw(arrays())
    if kind == "static_int":
        return draw(st.integers(-5, 5))
    if kind == "static_str":
        return draw(st.text(max_size=3))
    if kind == "float":
        return draw(st.floats(allow_nan=False, width=64))
    if kind == "none":
        return None
    if kind == "tuple":
        return tuple(draw(st.lists(arrays(), max_size=2)))
    return Inner(draw(arrays()), tag=draw(st.integers(0, 3)))


@st.composite
def field_specs(draw: st.DrawFn) -> FieldSpec:
    kind = draw(st.sampled_from(KINDS))
    static = kind.startswith("static") or (kind == "none" and draw(st.booleans()))
    return FieldSpec(
        name=f"f{next(_names)}",
        kind=kind,
        static=static,
        default=draw(st.sampled_from(["none", "none", "value", "factory"])),
        converter=kind == "float" and draw(st.booleans()),
    )


def _total(self: Any) -> jax.Array:
    """Every inexact array leaf, summed in float32: the method filter_jit compiles."""
    leaves = [x for x in jax.tree_util.tree_leaves(self) if equimod.is_inexact_array(x)]
    return sum((jnp.sum(jnp.abs(x).astype(jnp.float32)) for x in leaves), jnp.float32(0))


@dataclasses.dataclass(frozen=True)
class Extras:
    """The class-level features an example adds beyond its fields."""

    generic: bool
    init_var: bool  # only with the generated __init__
    abstract: str  # "", or how a later level implements `rate` (AbstractVar) and `tag`


_T = TypeVar("_T")
_IMPLEMENTATIONS = ["field", "property", "method", "class attribute"]


def _abstract_namespace(
    level: int, depth: int, how: str, annotations: dict[str, Any]
) -> dict[str, Any]:
    """Level 0 declares two abstract attributes; the last level implements them."""
    if not how:
        return {}
    if level == 0:
        annotations["rate"] = equimod.AbstractVar[float]
        annotations["tag"] = equimod.AbstractClassVar[str]
        return {}
    if level != depth - 1:
        return {}
    FIGURES[f"abstract attributes implemented by a {how}"] += 1
    namespace: dict[str, Any] = {"tag": "implemented"}
    if how == "field":
        annotations["rate"] = float
        namespace["rate"] = equimod.field(default=0.5, kw_only=True)
    elif how == "property":
        namespace["rate"] = property(lambda self: 0.5)
    elif how == "method":
        namespace["rate"] = lambda self: 0.5
    else:
        annotations["tag"] = ClassVar[str]
        namespace["rate"] = 0.5
    return namespace


def build_class(
    levels: list[list[FieldSpec]], handwritten: bool, defaults: dict[str, Any], extras: Extras
) -> type:
    base: type = equimod.Module
    for level, specs in enumerate(levels):
        annotations: dict[str, Any] = {}
        namespace: dict[str, Any] = {"__annotations__": annotations, "__module__": __name__}
        namespace.update(_abstract_namespace(level, len(levels), extras.abstract, annotations))
        if extras.init_var and level == len(levels) - 1:
            annotations["scale"] = dataclasses.InitVar[int]
            namespace["scale"] = equimod.field(default=1, kw_only=True)

            def __post_init__(self: Any, scale: int) -> None:
                assert isinstance(scale, int)

            namespace["__post_init__"] = __post_init__
        for spec in specs:
            annotations[spec.name] = Any
            options: dict[str, Any] = {}
            if spec.static:
                options["static"] = True
            if spec.converter:
                options["converter"] = float
            value = defaults[spec.name]
            # A default must be hashable (dataclasses' rule); others need a factory.
            if spec.default == "value" and value.__class__.__hash__ is not None:
                options.update(default=value, kw_only=True)
            elif spec.default != "none":
                options.update(default_factory=lambda value=value: value, kw_only=True)
            if options:
                namespace[spec.name] = equimod.field(**options)
        if level == 0:
            namespace["total"] = _total
        bases = (base, Generic[_T]) if extras.generic and level == 0 else (base,)
        base = _register(_new_class(f"Generated{next(_names)}", bases, namespace))
    if handwritten:
        names = [spec.name for specs in levels for spec in specs]

        def __init__(self: Any, **values: Any) -> None:
            for name in names:
                setattr(self, name, values[name] if name in values else defaults[name])

        namespace = {"__init__": __init__, "__module__": __name__}
        base = _register(_new_class(f"Handwritten{next(_names)}", (base,), namespace))
    return base


def _new_class(name: str, bases: tuple[Any, ...], namespace: dict[str, Any]) -> type:
    return types.new_class(name, bases, exec_body=lambda body: body.update(namespace))


def _register(cls: type) -> type:
    # Reachable by name, so that pickle can find the class.
    cls.__qualname__ = cls.__name__
    setattr(sys.modules[__name__], cls.__name__, cls)
    return cls


@st.composite
def instances(draw: st.DrawFn) -> tuple[Any, list[FieldSpec]]:
    levels = [draw(st.lists(field_specs(), max_size=3)) for _ in range(draw(st.integers(1, 3)))]
    specs = [spec for level in levels for spec in level]
    defaults = {spec.name: value_for(spec.kind, draw) for spec in specs}
    handwritten = draw(st.booleans())
    extras = Extras(
        generic=draw(st.booleans()),
        init_var=not handwritten and draw(st.booleans()),
        abstract=draw(st.sampled_from(["", *_IMPLEMENTATIONS])) if len(levels) > 1 else "",
    )
    cls = build_class(levels, handwritten, defaults, extras)
    given_values = {
        spec.name: value_for(spec.kind, draw)
        for spec in specs
        if spec.default == "none" or draw(st.booleans())
    }
    if any(spec.converter for spec in specs):
        FIGURES["converters"] += 1
    FIGURES["classes, hand-written __init__" if handwritten else "classes, generated __init__"] += 1
    FIGURES[f"inheritance depth {len(levels)}"] += 1
    if extras.init_var:
        given_values["scale"] = draw(st.integers(0, 3))
        FIGURES["InitVar fields"] += 1
    if extras.generic:
        FIGURES["generic classes"] += 1
        if getattr(cls, "__parameters__", ()) and draw(st.booleans()):
            cls = cls[int]  # an instance of A[int] is an A, with __orig_class__ set
    return cls(**given_values), specs


def _same_leaves(a: Any, b: Any) -> bool:
    leaves_a, leaves_b = jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)
    return len(leaves_a) == len(leaves_b) and all(
        x is y for x, y in zip(leaves_a, leaves_b, strict=True)
    )


def _bits(x: Any) -> tuple[Any, ...]:
    array = np.asarray(x)
    return array.dtype.str, array.shape, array.tobytes()


@given(instances())
def test_flatten_unflatten_and_tree_map_round_trip(example: tuple[Any, list[FieldSpec]]) -> None:
    instance, specs = example
    leaves, treedef = jax.tree_util.tree_flatten(instance)
    rebuilt = jax.tree_util.tree_unflatten(treedef, leaves)
    assert type(rebuilt) is type(instance)
    assert jax.tree_util.tree_structure(rebuilt) == treedef
    assert _same_leaves(rebuilt, instance)
    mapped = jax.tree_util.tree_map(lambda x: x, instance)
    assert type(mapped) is type(instance)
    for spec in specs:
        if spec.static:
            assert getattr(mapped, spec.name) == getattr(instance, spec.name)
    FIGURES["examples: round trips"] += 1


@given(instances())
def test_serialisation_round_trips_bit_exactly(example: tuple[Any, list[FieldSpec]]) -> None:
    instance, _ = example
    buffer = io.BytesIO()
    equimod.tree_serialise_leaves(buffer, instance)
    blank = jax.tree_util.tree_map(
        lambda x: jnp.zeros_like(x) if equimod.is_array(x) else x, instance
    )
    buffer.seek(0)
    loaded = equimod.tree_deserialise_leaves(buffer, blank)
    assert type(loaded) is type(instance)
    for a, b in zip(
        jax.tree_util.tree_leaves(loaded), jax.tree_util.tree_leaves(instance), strict=True
    ):
        if equimod.is_array(b):
            assert _bits(a) == _bits(b)
        else:
            assert a == b
    FIGURES["examples: serialisation"] += 1


@given(instances(), st.data())
def test_tree_at_replaces_exactly_the_chosen_leaf(
    example: tuple[Any, list[FieldSpec]], data: st.DataObject
) -> None:
    instance, _ = example
    leaves = jax.tree_util.tree_leaves(instance)
    if not leaves:
        return
    chosen = data.draw(st.integers(0, len(leaves) - 1))
    path = jax.tree_util.tree_flatten_with_path(instance)[0][chosen][0]
    marker = object()

    def where(tree: Any) -> Any:
        # Walk to the chosen leaf by its path, as a user's `lambda m: m.a.b[0]` does.
        for key in path:
            if isinstance(key, jax.tree_util.GetAttrKey):
                tree = getattr(tree, key.name)
            else:
                tree = tree[key.idx]  # type: ignore[union-attr]
        return tree

    replaced = equimod.tree_at(where, instance, marker)
    new_leaves = jax.tree_util.tree_leaves(replaced)
    assert type(replaced) is type(instance)
    assert new_leaves[chosen] is marker
    assert all(
        a is b for i, (a, b) in enumerate(zip(new_leaves, leaves, strict=True)) if i != chosen
    )
    FIGURES["examples: tree_at"] += 1


@given(instances())
def test_equality_hash_repr_pickle_and_filter_jit(example: tuple[Any, list[FieldSpec]]) -> None:
    instance, _ = example
    assert instance == instance or any(
        equimod.is_inexact_array(x) and bool(jnp.isnan(x).any())
        for x in jax.tree_util.tree_leaves(instance)
    )
    try:
        hash(instance)
    except TypeError as error:
        # Arrays are unhashable, so a Module holding one is too; say so, as Equinox does.
        assert "unhashable" in str(error)
    assert type(instance).__name__ in repr(instance)
    copy = pickle.loads(pickle.dumps(instance))
    assert type(copy) is type(instance)
    assert [_bits(x) if equimod.is_array(x) else x for x in jax.tree_util.tree_leaves(copy)] == [
        _bits(x) if equimod.is_array(x) else x for x in jax.tree_util.tree_leaves(instance)
    ]
    direct = instance.total()
    compiled = equimod.filter_jit(type(instance).total)(instance)
    np.testing.assert_allclose(compiled, direct, rtol=1e-5, equal_nan=True)
    FIGURES["examples: equality, hash, repr, pickle, filter_jit"] += 1


def test_the_properties_ran_over_every_kind_of_leaf() -> None:
    # Runs after the property tests in this file: what they covered is not empty.
    if not FIGURES:
        pytest.skip("run with the property tests")
    assert FIGURES["examples: round trips"] > 0
    assert sum(v for k, v in FIGURES.items() if k.startswith("dtype")) > 0
