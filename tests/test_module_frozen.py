"""Assignment during __init__, immutability afterwards, converters, checks, init state."""

from __future__ import annotations

import dataclasses
import gc
import threading
import warnings
import weakref
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from messages import assert_mentions

from equimod import Module, field


class Pair(Module):
    a: int
    b: int


def test_assignment_after_init_raises_frozen_error_naming_class_and_field() -> None:
    p = Pair(1, 2)
    with pytest.raises(dataclasses.FrozenInstanceError) as info:
        p.a = 3  # type: ignore[misc]
    assert_mentions(info, "'a' of Pair", "dataclasses.replace")
    assert p.a == 1


def test_the_frozen_error_suggests_dataclasses_replace_only_where_it_works() -> None:
    class Written(Module):
        a: int

        def __init__(self, value: int) -> None:
            self.a = value

    class Derived(Module):
        a: int
        b: int = field(init=False, default=0)

    cases = [(Written(1), "a"), (Derived(1), "b")]
    for instance, name in cases:
        with pytest.raises(dataclasses.FrozenInstanceError) as info:
            setattr(instance, name, 3)
        message = str(info.value)
        assert "dataclasses.replace" not in message
        assert f"equimod.tree_at(lambda m: m.{name}, module, new_value)" in message
        # Here it would fail: Written's __init__ takes no `a`, `b` is not a parameter.
        with pytest.raises((TypeError, ValueError)):
            dataclasses.replace(instance, **{name: 3})
    with pytest.raises(
        dataclasses.FrozenInstanceError, match=r"dataclasses\.replace\(module, a=\.\.\.\)"
    ):
        Derived(1).a = 2  # type: ignore[misc]
    assert dataclasses.replace(Derived(1), a=2).a == 2


def test_assigning_a_new_attribute_after_init_raises() -> None:
    p = Pair(1, 2)
    with pytest.raises(
        dataclasses.FrozenInstanceError, match=r"'c' of Pair.*not one of its fields"
    ):
        p.c = 3  # type: ignore[attr-defined]


def test_delete_after_init_raises() -> None:
    p = Pair(1, 2)
    with pytest.raises(
        dataclasses.FrozenInstanceError, match=r"Cannot delete attribute 'a' of Pair"
    ):
        del p.a  # type: ignore[misc]
    assert p.a == 1


def test_object_setattr_on_frozen_instance_is_still_possible_escape_hatch() -> None:
    # Not a guarantee, but documents that freezing is the Module's __setattr__.
    p = Pair(1, 2)
    object.__setattr__(p, "a", 5)
    assert p.a == 5


def test_non_field_assignment_in_init_names_class_and_fix() -> None:
    class Typo(Module):
        weight: int

        def __init__(self) -> None:
            self.weight = 1
            self.wieght = 2

    with pytest.raises(AttributeError) as info:
        Typo()
    assert_mentions(info, "Typo.__init__", "no field 'wieght'", "wieght: SomeType")
    assert not isinstance(info.value, dataclasses.FrozenInstanceError)


def test_del_of_field_inside_init_is_allowed_but_then_missing() -> None:
    class Undo(Module):
        a: int

        def __init__(self) -> None:
            self.a = 1
            del self.a

    with pytest.raises(TypeError, match="'a'"):
        Undo()


def test_converters_run_after_init_for_generated_and_custom_init() -> None:
    class Generated(Module):
        x: Any = field(converter=jnp.asarray)
        n: int = field(converter=int, default="4")

    g = Generated([1.0, 2.0])
    assert isinstance(g.x, jax.Array)
    assert g.n == 4

    seen: list[object] = []

    class Custom(Module):
        x: Any = field(converter=np.asarray)

        def __init__(self, x: list[float]) -> None:
            self.x = x
            seen.append(type(self.x))  # not converted yet inside __init__

    c = Custom([1.0])
    assert isinstance(c.x, np.ndarray)
    assert seen == [list]


def test_converters_run_after_post_init() -> None:
    class WithPost(Module):
        x: Any = field(converter=tuple)

        def __post_init__(self) -> None:
            self.x = [*self.x, "post"]

    assert WithPost(["a"]).x == ("a", "post")


def test_non_callable_converter_is_rejected() -> None:
    with pytest.raises(TypeError, match=r"converter=.*must be callable"):
        field(converter=3)  # type: ignore[arg-type]


def test_reserved_metadata_keys_are_rejected() -> None:
    with pytest.raises(ValueError, match=r"may not contain the key 'static'"):
        field(metadata={"static": True})


def test_check_init_runs_once_per_class_in_mro_after_converters() -> None:
    calls: list[str] = []

    class Base(Module):
        x: Any = field(converter=float)

        def __check_init__(self) -> None:
            assert isinstance(self.x, float)
            calls.append("Base")

    class Child(Base):
        def __check_init__(self) -> None:
            calls.append("Child")

    class GrandChild(Child):
        pass

    GrandChild(1)
    assert calls == ["Child", "Base"]


def test_check_init_can_reject_and_cannot_mutate() -> None:
    class Positive(Module):
        x: int

        def __check_init__(self) -> None:
            if self.x <= 0:
                raise ValueError("x must be positive")

    assert Positive(1).x == 1
    with pytest.raises(ValueError, match="positive"):
        Positive(-1)

    class Mutating(Module):
        x: int

        def __check_init__(self) -> None:
            self.x = 2

    with pytest.raises(dataclasses.FrozenInstanceError):
        Mutating(1)


def test_array_in_static_field_warns() -> None:
    class Static(Module):
        table: Any = field(static=True)

    with pytest.warns(UserWarning, match=r"stored in the static field .*<locals>.Static.table"):
        Static(jnp.ones(2))
    with pytest.warns(UserWarning, match="static field"):
        Static((1, jnp.ones(2)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Static((1, "a"))
        Static(3)


def test_construction_from_many_threads_at_once() -> None:
    class Slow(Module):
        values: tuple[int, ...]

        def __init__(self, n: int) -> None:
            self.values = ()
            for i in range(200):
                self.values = (*self.values, n + i)

    results: list[Slow] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def build(n: int) -> None:
        try:
            module = Slow(n)
            with lock:
                results.append(module)
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=build, args=(1000 * n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 16
    for module in results:
        start = module.values[0]
        assert module.values == tuple(range(start, start + 200))
        with pytest.raises(dataclasses.FrozenInstanceError):
            module.values = ()  # type: ignore[misc]


def test_failing_init_leaks_nothing() -> None:
    refs: list[weakref.ref[Module]] = []

    class Failing(Module):
        a: int

        def __init__(self) -> None:
            refs.append(weakref.ref(self))
            self.a = 1
            raise RuntimeError("boom")

    for _ in range(3):
        with pytest.raises(RuntimeError, match="boom"):
            Failing()
    gc.collect()
    assert len(refs) == 3
    assert all(ref() is None for ref in refs)


def test_instance_escaping_a_failed_init_is_frozen() -> None:
    escaped: list[Module] = []

    class Escaping(Module):
        a: int

        def __init__(self) -> None:
            escaped.append(self)
            self.a = 1
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        Escaping()
    with pytest.raises(dataclasses.FrozenInstanceError):
        escaped[0].a = 2  # type: ignore[attr-defined]
