"""What the plugin reports, message for message."""

from __future__ import annotations

import os
from pathlib import Path

import equimod_mypy
import pytest
from equimod_mypy._metadata import LAYOUT
from mypy_runs import check, mypy, write

ABSTRACT_HINT = (
    "Implement {them} in a subclass (an AbstractVar by a field, property, method or "
    "class attribute; an AbstractClassVar by a ClassVar or class attribute)."
)


def test_unimplemented_abstract_attribute_is_reported_at_the_call(
    tmp_path: Path, mypy_cache: Path
) -> None:
    lines = check(
        tmp_path,
        mypy_cache,
        """
        import equimod
        from equimod import AbstractClassVar, AbstractVar

        class Base(equimod.Module):
            size: AbstractVar[int]

        class Shape(equimod.Module):
            width: AbstractVar[float]
            kind: AbstractClassVar[str]

        Base()
        Shape()
        """,
    )
    assert lines == [
        '12: error: Cannot instantiate "Base": abstract attribute "size" (AbstractVar, '
        'declared in "Base") is not implemented. '
        + ABSTRACT_HINT.format(them="it")
        + "  [equimod-abstract]",
        '13: error: Cannot instantiate "Shape": abstract attributes "width" (AbstractVar, '
        'declared in "Shape"), "kind" (AbstractClassVar, declared in "Shape") are not '
        "implemented. " + ABSTRACT_HINT.format(them="them") + "  [equimod-abstract]",
    ]


def test_every_implementation_counts_in_any_base_order_and_deep_hierarchy(
    tmp_path: Path, mypy_cache: Path
) -> None:
    lines = check(
        tmp_path,
        mypy_cache,
        """
        from typing import ClassVar
        import equimod
        from equimod import AbstractClassVar, AbstractVar

        class Base(equimod.Module):
            size: AbstractVar[int]
            kind: AbstractClassVar[str]

        class Middle(Base):
            pass

        class ByField(Middle):
            size: int
            kind: ClassVar[str] = "field"

        class ByProperty(Middle):
            kind = "property"
            @property
            def size(self) -> int:
                return 1

        class ByMethod(equimod.Module):
            run: AbstractVar[object]

        class Runs(ByMethod):
            def run(self) -> int:
                return 1

        class Impl(equimod.Module):
            size: int = 3
            kind: ClassVar[str] = "impl"

        class AbstractFirst(Base, Impl):
            pass

        class ImplFirst(Impl, Base):
            pass

        reveal_type(ByField.__init__)
        ByField(1); ByProperty(); Runs(); AbstractFirst(); ImplFirst()
        reveal_type(ByField(1).size + ByProperty().size)
        """,
    )
    assert lines == [
        '40: note: Revealed type is "def (self: case.ByField, size: int)"',
        '42: note: Revealed type is "int"',
    ]


def test_wrong_implementations_are_reported_at_their_declaration(
    tmp_path: Path, mypy_cache: Path
) -> None:
    lines = check(
        tmp_path,
        mypy_cache,
        """
        import equimod
        from equimod import AbstractClassVar, AbstractVar

        class Base(equimod.Module):
            size: AbstractVar[int]
            kind: AbstractClassVar[str]

        class WrongField(Base):
            size: str
            kind = "a"

        class InstanceForClassVar(Base):
            size: int
            kind: str
        """,
    )
    assert [line.split(":")[0] for line in lines] == ["10", "15"]
    assert "[assignment]" in lines[0]
    assert "Cannot override class variable" in lines[1]


def test_converter_input_types_at_the_call_and_on_init(tmp_path: Path, mypy_cache: Path) -> None:
    lines = check(
        tmp_path,
        mypy_cache,
        """
        from typing import overload
        import jax
        import jax.numpy as jnp
        import equimod

        def to_int(value: str) -> int:
            return int(value)

        @overload
        def to_float(value: int) -> float: ...
        @overload
        def to_float(value: bytes) -> float: ...
        def to_float(value: int | bytes) -> float:
            return float(len(value) if isinstance(value, bytes) else value)

        class Converted(equimod.Module):
            count: int = equimod.field(converter=to_int)
            scale: float = equimod.field(converter=to_float, default=1)
            values: jax.Array = equimod.field(converter=jnp.asarray, default=0.0)
            lam: int = equimod.field(converter=lambda x: int(x), default=0)

        reveal_type(Converted.__init__)
        Converted("3", b"ab", [1.0], "4")
        Converted(3)
        Converted("3", "ab")
        """,
    )
    assert lines == [
        '23: note: Revealed type is "def (self: case.Converted, count: str, '
        'scale: int | bytes =, values: Any =, lam: Any =)"',
        '25: error: Argument 1 to "Converted" has incompatible type "int"; expected "str"'
        "  [arg-type]",
        '26: error: Argument 2 to "Converted" has incompatible type "str"; '
        'expected "int | bytes"  [arg-type]',
    ]


def test_converter_class_and_subclass_keep_input_types(tmp_path: Path, mypy_cache: Path) -> None:
    lines = check(
        tmp_path,
        mypy_cache,
        """
        import equimod

        class Parent(equimod.Module):
            ratio: float = equimod.field(converter=float)

        class Child(Parent):
            name: str

        Child("0.5", "c")
        Child([], "c")
        """,
    )
    assert len(lines) == 1 and lines[0].startswith('11: error: Argument 1 to "Child"'), lines


def test_inherited_user_init_and_field_order(tmp_path: Path, mypy_cache: Path) -> None:
    lines = check(
        tmp_path,
        mypy_cache,
        """
        import jax
        import equimod

        class Hand(equimod.Module):
            size: int
            def __init__(self, size: int, *, key: jax.Array) -> None:
                self.size = size

        class Child(Hand):
            def double(self) -> int:
                return 2 * self.size

        class MyLinear(equimod.nn.Linear):
            pass

        class Generated(equimod.Module):
            a: int
            b: str = "b"

        class MoreGenerated(Generated):
            c: float = 0.0
            a: int = 1

        key = jax.random.key(0)
        Child(3, key=key)
        MyLinear(2, 3, key=key)
        Child(size=3)
        reveal_type(MoreGenerated.__init__)
        """,
    )
    assert lines == [
        '28: error: Missing named argument "key" for "Child"  [call-arg]',
        '29: note: Revealed type is "def (self: case.MoreGenerated, a: int =, '
        'b: str =, c: float =)"',
    ]


def test_generic_modules_in_either_base_order(tmp_path: Path, mypy_cache: Path) -> None:
    lines = check(
        tmp_path,
        mypy_cache,
        """
        from typing import Generic, TypeVar
        import equimod
        from equimod import AbstractVar

        T = TypeVar("T")

        class First(Generic[T], equimod.Module):
            item: T
            size: AbstractVar[int]
            count: int = equimod.field(converter=int, default="0")

        class Last(equimod.Module, Generic[T]):
            item: T
            count: int = equimod.field(converter=int, default="0")

        class Sized(First[str]):
            size: int = 1

        reveal_type(Sized.__init__)
        reveal_type(Last(3, b"2"))
        First("a")
        """,
    )
    assert lines[0].startswith(
        '20: note: Revealed type is "def (self: case.Sized, item: str, count:'
    )
    assert lines[1] == '21: note: Revealed type is "case.Last[int]"'
    assert lines[2].startswith('22: error: Cannot instantiate "First": abstract attribute "size"')
    assert len(lines) == 3, lines


def test_frozen_fields(tmp_path: Path, mypy_cache: Path) -> None:
    lines = check(
        tmp_path,
        mypy_cache,
        """
        import equimod

        class Counter(equimod.Module):
            count: int
            double: int = equimod.field(init=False)

            def __post_init__(self) -> None:
                self.double = 2 * self.count

            def bump(self) -> None:
                self.count = 1

        class Built(equimod.Module):
            count: int
            def __init__(self) -> None:
                self.count = 0
                self.count += 1

        counter = Counter(1)
        counter.count = 2
        del counter.double
        print(counter.count)
        built = Built()
        built.count = 3
        """,
    )
    hint = "a Module is immutable once __init__ has returned. Make a modified copy with "
    # dataclasses.replace is suggested only where it works: a generated __init__
    # that takes the field.
    assert lines == [
        f'12: error: Cannot assign to field "count" of "Counter": {hint}'
        "dataclasses.replace(module, count=...) or equimod.tree_at(lambda m: m.count, "
        "module, new_value).  [equimod-frozen]",
        f'21: error: Cannot assign to field "count" of "Counter": {hint}'
        "dataclasses.replace(module, count=...) or equimod.tree_at(lambda m: m.count, "
        "module, new_value).  [equimod-frozen]",
        f'22: error: Cannot delete field "double" of "Counter": {hint}'
        "equimod.tree_at(lambda m: m.double, module, new_value).  [equimod-frozen]",
        f'25: error: Cannot assign to field "count" of "Built": {hint}'
        "equimod.tree_at(lambda m: m.count, module, new_value).  [equimod-frozen]",
    ]


def test_an_init_that_may_assign_a_field_is_not_reported(tmp_path: Path, mypy_cache: Path) -> None:
    lines = check(
        tmp_path,
        mypy_cache,
        """
        import equimod

        class Base(equimod.Module):
            inherited: int

        class Helper(equimod.Module):
            a: int
            def __init__(self) -> None:
                self.setup()
            def setup(self) -> None:
                object.__setattr__(self, "a", 1)

        class Setattr(equimod.Module):
            a: int
            def __init__(self) -> None:
                setattr(self, "a", 1)

        class Super(Base):
            a: int
            def __init__(self) -> None:
                super().__init__(1)
                self.a = 2

        class Unpacks(equimod.Module):
            a: int
            b: int
            def __init__(self) -> None:
                self.a, self.b = 1, 2

        Helper()
        Setattr()
        Super()
        Unpacks()
        """,
    )
    assert lines == []


def test_an_init_whose_body_mypy_dropped_is_not_reported(tmp_path: Path, mypy_cache: Path) -> None:
    # mypy drops the body of a method with no `self.x = ...` in a module whose errors
    # it ignores, as it does for an installed package: the body is unknown, not empty.
    write(
        tmp_path,
        {
            "library.py": """
                import equimod

                class Base(equimod.Module):
                    a: int
                    def __init__(self, a: int) -> None:
                        self.a = a

                class ByKeyword(Base):
                    def __init__(self, a: int) -> None:
                        super().__init__(a=a)
                """,
            "user.py": """
                from library import ByKeyword

                ByKeyword(1)
                """,
        },
    )
    with (tmp_path / "mypy.ini").open("a") as config:
        config.write("[mypy-library]\nignore_errors = True\n")
    assert mypy(tmp_path, mypy_cache, files=("user.py",)) == ""


def test_unassigned_fields_are_reported_where_the_class_is_called(
    tmp_path: Path, mypy_cache: Path
) -> None:
    lines = check(
        tmp_path,
        mypy_cache,
        """
        import equimod

        class Base(equimod.Module):
            inherited: int

        class Forgets(Base):
            a: int
            b: int
            c: int = 3

            def __init__(self) -> None:
                self.a = 1

        class One(equimod.Module):
            a: int
            def __init__(self) -> None:
                pass

        class Completed(One):
            def __init__(self) -> None:
                super().__init__()
                self.a = 1

        class Extended(One):
            extra: int

        Forgets()
        One()
        Completed()
        Extended()
        """,
    )
    hint = (
        "construction fails at run time. Assign {targets} in __init__, or give the field a default."
    )
    assert lines == [
        '28: error: Cannot instantiate "Forgets": its __init__ (written in "Forgets") never '
        'assigns fields "inherited", "b", which have no default, so '
        + hint.format(targets="self.inherited, self.b")
        + "  [equimod-missing-field]",
        '29: error: Cannot instantiate "One": its __init__ (written in "One") never assigns '
        'field "a", which has no default, so '
        + hint.format(targets="self.a")
        + "  [equimod-missing-field]",
        '31: error: Cannot instantiate "Extended": its __init__ (written in "One") never '
        'assigns fields "a", "extra", which have no default, so '
        + hint.format(targets="self.a, self.extra")
        + "  [equimod-missing-field]",
    ]


def test_init_false_fields_left_to_post_init_are_reported_at_the_call(
    tmp_path: Path, mypy_cache: Path
) -> None:
    lines = check(
        tmp_path,
        mypy_cache,
        """
        import equimod

        class NoPostInit(equimod.Module):
            x: int
            y: int = equimod.field(init=False)

        class Forgets(equimod.Module):
            x: int
            y: int = equimod.field(init=False)
            z: int = equimod.field(init=False)
            def __post_init__(self) -> None:
                self.z = 1

        class Sets(equimod.Module):
            x: int
            y: int = equimod.field(init=False)
            def __post_init__(self) -> None:
                self.y = self.x

        class InheritsIt(Sets):
            pass

        class HasDefault(equimod.Module):
            y: int = equimod.field(init=False, default=0)

        NoPostInit(1)
        Forgets(1)
        Sets(1)
        InheritsIt(1)
        HasDefault()
        """,
    )
    hint = "so construction fails at run time. Assign self.y in __post_init__, or give the field a default."
    assert lines == [
        '27: error: Cannot instantiate "NoPostInit": field "y", which has no default and '
        "init=False, is never set by anything, " + hint + "  [equimod-missing-field]",
        '28: error: Cannot instantiate "Forgets": field "y", which has no default and '
        "init=False, is never set by its __post_init__, " + hint + "  [equimod-missing-field]",
    ]


def test_assignments_to_names_that_are_not_fields_are_reported(
    tmp_path: Path, mypy_cache: Path
) -> None:
    lines = check(
        tmp_path,
        mypy_cache,
        """
        import dataclasses

        import equimod
        from equimod import AbstractVar

        class Base(equimod.Module):
            size: AbstractVar[int]
            count: int = 0

            def __post_init__(self) -> None:
                self.size = 2 * self.size  # type: ignore[misc]  # a subclass's field

        class Child(Base):
            size: int = 1
            seed: dataclasses.InitVar[int] = 0

            def __init__(self, size: int) -> None:
                self.size = size
                self.count += 1
                self.cache = 0
                self.label: str

            def reset(self) -> None:
                self.seed = 0

            def helper(self) -> None:
                class Other:
                    def __init__(self) -> None:
                        self.value = 1
        """,
    )
    hint = "it is not a field, and a Module takes assignments to its fields only, so this"
    assert lines == [
        f'21: error: Cannot assign "cache" on "Child": {hint} fails at run time. Declare it '
        'at class level ("cache: SomeType") to make it a field.  [equimod-not-a-field]',
        # An InitVar is not an attribute: mypy says so too.
        f'25: error: Cannot assign "seed" on "Child": {hint} fails at run time. Declare it '
        'at class level ("seed: SomeType") to make it a field.  [equimod-not-a-field]',
        '25: error: "Child" has no attribute "seed"  [attr-defined]',
    ]


def test_definitions_that_fail_at_run_time_are_reported_where_they_are(
    tmp_path: Path, mypy_cache: Path
) -> None:
    lines = check(
        tmp_path,
        mypy_cache,
        """
        import dataclasses
        from collections.abc import Iterable, Iterator
        from typing import Protocol, SupportsInt

        import equimod
        from equimod import AbstractClassVar, AbstractVar

        class Bare(equimod.Module):
            size: AbstractVar
            kind: AbstractClassVar
            fine: AbstractVar[int]

        @dataclasses.dataclass
        class Plain(equimod.Module):
            x: int

        @dataclasses.dataclass(frozen=True)
        class FrozenGenerated(equimod.Module):
            x: int

        @dataclasses.dataclass(frozen=True)
        class FrozenWritten(equimod.Module):
            x: int
            def __init__(self) -> None:
                self.x = 1  # type: ignore[misc]

        class Sized:
            @property
            def size(self) -> int:
                return 1

        class Shadows(equimod.Module, Sized):
            size: int

        class ShadowsWithFactory(equimod.Module, Sized):
            size: int = equimod.field(default_factory=lambda: 1)

        class Hides(equimod.Module, Sized):
            size: int = equimod.field(default=1)

        class Sizes(Protocol):
            def total(self) -> int: ...

        class WithProtocol(equimod.Module, Sizes):
            def total(self) -> int:
                return 1

        class WithRuntimeProtocol(equimod.Module, SupportsInt):
            def __int__(self) -> int:
                return 1

        class WithAbc(equimod.Module, Iterable[int]):
            def __iter__(self) -> Iterator[int]:
                return iter([])

        class Settable:
            @property
            def size(self) -> int:
                return 1
            @size.setter
            def size(self, value: int) -> None:
                pass

        class OverSettable(equimod.Module, Settable):
            size: int  # the setter takes the value

        class HasSize(equimod.Module):
            size: int

        class RedeclaresUnderProperty(HasSize, Sized):
            size: int  # HasSize's declaration leaves no value: Sized's property is met

        class InheritsUnderProperty(HasSize, Sized):
            pass

        class FromABrokenBase(InheritsUnderProperty):  # reported at its base already
            pass

        class DeclaresAbstract(equimod.Module):
            size: AbstractVar[int]

        class ImplementedByProperty(DeclaresAbstract, Sized):  # a property implements it
            pass

        class HasSizeWithDefault(equimod.Module):
            size: int = 2

        class DefaultHides(HasSizeWithDefault, Sized):
            pass

        class NothingToKeep(equimod.Module, init=False):
            x: int

        class Written(equimod.Module):
            x: int
            def __init__(self) -> None:
                self.x = 1

        class KeepsWritten(Written, init=False):
            pass
        """,
    )
    replace = (
        "Remove the decorator and pass dataclass options as class arguments "
        '("class {cls}(equimod.Module, kw_only=True)").  [equimod-definition]'
    )
    shadow = (
        'Field "size" of "{cls}" has no value on the class, so the property "size" of '
        '"Sized" stays in place and has no setter: construction fails at run time. Rename '
        "the field, or give it a default (a value on the class hides the property).  "
        "[equimod-definition]"
    )
    protocol = (
        '"{cls}" has the protocol "{protocol}" among its bases: its metaclass conflicts with '
        "the Module's, so the class fails at creation. Drop the base: a Module that has the "
        "protocol's methods and attributes matches it structurally.  [equimod-definition]"
    )
    assert lines == [
        '10: error: "size" of "Bare" is annotated with a bare AbstractVar, which the class '
        'refuses at creation. Say what type implementations must have: "size: '
        'AbstractVar[int]".  [equimod-definition]',
        '11: error: "kind" of "Bare" is annotated with a bare AbstractClassVar, which the '
        'class refuses at creation. Say what type implementations must have: "kind: '
        'AbstractClassVar[int]".  [equimod-definition]',
        '15: error: "Plain" is a Module subclass, which is a frozen dataclass already; '
        "@dataclasses.dataclass on it makes it a non-frozen dataclass, refused at class "
        "creation. " + replace.format(cls="Plain"),
        '23: error: "FrozenWritten" is a Module subclass, which is a frozen dataclass '
        "already; @dataclasses.dataclass on it replaces the Module's attribute setting, so "
        "its __init__ cannot assign a field. " + replace.format(cls="FrozenWritten"),
        "34: error: " + shadow.format(cls="Shadows"),
        "37: error: " + shadow.format(cls="ShadowsWithFactory"),
        "45: error: " + protocol.format(cls="WithProtocol", protocol="Sizes"),
        "49: error: " + protocol.format(cls="WithRuntimeProtocol", protocol="SupportsInt"),
        "72: error: " + shadow.format(cls="RedeclaresUnderProperty"),
        "74: error: " + shadow.format(cls="InheritsUnderProperty"),
        '92: error: "NothingToKeep" is declared with init=False, which keeps the '
        "hand-written __init__ it inherits, but neither it nor any of its bases writes "
        "one: the class fails at creation. Drop init=False to get the generated "
        "__init__, or write an __init__.  [equimod-definition]",
    ]


def test_odd_but_legal_definitions_keep_the_errors_of_their_wrong_uses(
    tmp_path: Path, mypy_cache: Path
) -> None:
    # That such definitions and their right uses check clean is the corpus's test
    # (corpus/odd_definitions.py); here, their wrong uses are still reported.
    lines = check(
        tmp_path,
        mypy_cache,
        """
        import dataclasses
        from collections.abc import Callable
        from typing import Literal

        import equimod

        def pick(value: Literal["sum", "mean"]) -> str:
            return value

        def to_int(value: str) -> int:
            return int(value)

        class Odd(equimod.Module):
            self: int
            kind: str = equimod.field(converter=pick, default="sum")

        Odd(self=1, kind="mean")
        Odd("a")

        class Standard(equimod.Module):
            size: int = dataclasses.field()

        Standard(1)
        Standard()

        class Written(equimod.Module):
            count: int = equimod.field(converter=to_int)
            reset: Callable[[], None]

            def __init__(self, text: str) -> None:
                self.count = text
                def now() -> None:
                    self.count = "0"
                now()
                def later() -> None:
                    self.count = 0
                self.reset = later
        """,
    )
    frozen = (
        'error: Cannot assign to field "count" of "Written": a Module is immutable once '
        "__init__ has returned. Make a modified copy with equimod.tree_at(lambda m: "
        "m.count, module, new_value).  [equimod-frozen]"
    )
    assert lines == [
        '19: error: Argument 1 to "Odd" has incompatible type "str"; expected "int"  [arg-type]',
        '25: error: Missing positional argument "size" in call to "Standard"  [call-arg]',
        f"37: {frozen}",
    ]


def test_an_unreadable_converter_leaves_the_generated_init_typed_under_strict(
    tmp_path: Path, mypy_cache: Path
) -> None:
    write(
        tmp_path,
        {
            "case.py": """
            import equimod

            class Counted(equimod.Module):
                count: int = equimod.field(converter=lambda value: int(value), default="1")

            Counted("2")
            """
        },
    )
    output = mypy(tmp_path, mypy_cache, "--strict", files=("case.py",))
    assert output.strip() == "", output


def test_forward_references_defer_without_duplicate_errors(
    tmp_path: Path, mypy_cache: Path
) -> None:
    lines = check(
        tmp_path,
        mypy_cache,
        """
        import equimod

        class Early(equimod.Module):
            later: "Later"
            count: int = equimod.field(converter=int, default="0")

            def __init__(self) -> None:
                self.count = 1

        class Later(equimod.Module):
            value: int

        Early()
        """,
    )
    assert len(lines) == 1, lines
    assert lines[0].startswith('14: error: Cannot instantiate "Early": its __init__'), lines


def test_plugin_refuses_unsupported_mypy_versions() -> None:
    with pytest.raises(SystemExit, match=r"supports mypy .* but this is mypy 0\.990"):
        equimod_mypy.plugin("0.990")
    with pytest.raises(SystemExit, match=r"pip install 'mypy>="):
        equimod_mypy.plugin("99.0.0")
    assert equimod_mypy.plugin("2.4.1+dev.abc") is equimod_mypy.EquimodPlugin


def test_report_config_data_carries_the_plugin_version() -> None:
    from mypy.options import Options
    from mypy.plugin import ReportConfigContext

    plugin = equimod_mypy.EquimodPlugin(Options())
    data = plugin.report_config_data(ReportConfigContext("m", "m.py", is_check=False))
    assert data == {"equimod_mypy": equimod_mypy.__version__, "metadata_layout": LAYOUT}


def test_patterns_from_real_code(tmp_path: Path, mypy_cache: Path) -> None:
    """Aliases, re-exports, type[X] and cls, mixins, bare ClassVars, del forms."""
    write(
        tmp_path,
        {
            "reexport.py": "from equimod import AbstractClassVar as Reexported\n",
            "case.py": """
            from typing import ClassVar
            from typing_extensions import Self
            import equimod
            from equimod import AbstractClassVar as ACV, AbstractVar
            import reexport
            from reexport import Reexported

            Base = equimod.Module

            class ByAlias(equimod.Module):
                kind: ACV[str]

            class ByReexport(equimod.Module):
                kind: Reexported[str]
                other: reexport.Reexported[int]

            class BareClassVar(ByAlias):
                kind: ClassVar[str]

            class Mixin:
                def setup(self) -> None:
                    self.size = 1

            class Sized(equimod.Module):
                size: AbstractVar[int]

                @classmethod
                def make(cls) -> Self:
                    return cls()

            class FromMixin(Mixin, Sized):
                pass

            class ThroughAlias(Base):
                size: AbstractVar[int]
                value: int = 0

                def clear(self) -> None:
                    del self.value

            def build(factory: type[Sized]) -> Sized:
                return factory()

            ByAlias()
            ByReexport()
            BareClassVar()
            FromMixin()
            ThroughAlias()
            module = equimod.nn.Identity()
            def drop(t: ThroughAlias) -> None: del [t.value]
            """,
        },
    )
    output = mypy(tmp_path, mypy_cache, files=("case.py",))
    assert "INTERNAL ERROR" not in output and "Traceback" not in output, output
    found = [
        (line.split(":")[1], line.rsplit("[", 1)[-1].rstrip("]"))
        for line in output.splitlines()
        if line.startswith("case.py:")
    ]
    assert found == [
        ("40", "equimod-frozen"),
        ("45", "equimod-abstract"),
        ("46", "equimod-abstract"),
        # 47: a bare ClassVar implements the AbstractClassVar, as at run time.
        ("48", "equimod-abstract"),
        ("49", "equimod-abstract"),
        ("51", "equimod-frozen"),
    ], output
    assert (
        'abstract attributes "kind" (AbstractClassVar, declared in "ByReexport"), "other"' in output
    )


def test_converter_types_need_no_import_in_the_subclass_module(
    tmp_path: Path, mypy_cache: Path
) -> None:
    write(
        tmp_path,
        {
            "base.py": """
            from decimal import Decimal as Number
            import equimod

            def to_int(value: Number) -> int:
                return int(value)

            def number() -> Number:
                return Number(1)

            class Base(equimod.Module):
                count: int = equimod.field(converter=to_int)
            """,
            "user.py": """
            import base

            Decimal = str  # another meaning of the name here

            class Child(base.Base):
                pass

            Child(base.number())
            Child("1")
            """,
        },
    )
    output = mypy(tmp_path, mypy_cache, files=("user.py",))
    lines = [line for line in output.splitlines() if line.startswith("user.py:")]
    assert lines == [
        'user.py:10: error: Argument 1 to "Child" has incompatible type "str"; '
        'expected "Decimal"  [arg-type]'
    ], output


def test_a_converter_read_although_another_parameter_is_unresolved(
    tmp_path: Path, mypy_cache: Path
) -> None:
    # As in jax's stub of `jnp.asarray` (`device: _Device | ...`, `_Device` a
    # variable): a type mypy rejected in another parameter stays unresolved for
    # good. The value's parameter is enough; waiting for the rest left it `Any`.
    write(
        tmp_path,
        {
            "lib.py": """
            Unit: object = str

            def to_int(value: int, unit: Unit = ...) -> int:  # type: ignore[valid-type]
                return value
            """,
            "user.py": """
            import equimod
            import lib

            class Count(equimod.Module):
                value: int = equimod.field(converter=lib.to_int)

            Count(1)
            Count("1")
            """,
        },
    )
    output = mypy(tmp_path, mypy_cache, files=("lib.py", "user.py"))
    assert output.splitlines() == [
        'user.py:9: error: Argument 1 to "Count" has incompatible type "str"; '
        'expected "int"  [arg-type]'
    ], output


def test_a_class_var_is_not_followed_into_typing(monkeypatch: pytest.MonkeyPatch) -> None:
    # `x: ClassVar[int]` may be `AbstractClassVar` imported under another name, so
    # the plugin follows `from ... import` chains; a module loaded from mypy's
    # cache is read from its source. Following one into typing's stub parsed it
    # on every warm run (~70 ms); `ClassVar` from typing is never equimod's.
    from equimod_mypy import _aliases
    from mypy.nodes import ImportFrom, MypyFile

    user = MypyFile([], [ImportFrom("typing", 0, [("ClassVar", None)])])
    user._fullname = "user"
    cached = MypyFile([], [])  # as from the cache: symbols, no statements
    cached._fullname = "typing"
    cached.path = __file__
    parsed: list[object] = []
    monkeypatch.setattr(_aliases, "_imports_in_source", lambda *args: parsed.append(args) or ())
    modules = {"user": user, "typing": cached}
    assert not _aliases.is_abstract_class_var("ClassVar", "user", modules)
    assert parsed == []


def test_keyword_only_fields_in_the_generated_init(tmp_path: Path, mypy_cache: Path) -> None:
    lines = check(
        tmp_path,
        mypy_cache,
        """
        from dataclasses import KW_ONLY
        import equimod

        class KeywordOnly(equimod.Module, kw_only=True):
            a: int
            b: int = 1

        class FieldKeywordOnly(equimod.Module):
            a: int
            b: int = equimod.field(kw_only=True)
            _: KW_ONLY
            c: str = "c"

        reveal_type(KeywordOnly.__init__)
        reveal_type(FieldKeywordOnly.__init__)
        """,
    )
    assert lines == [
        '15: note: Revealed type is "def (self: case.KeywordOnly, *, a: int, b: int =)"',
        '16: note: Revealed type is "def (self: case.FieldKeywordOnly, a: int, *, b: int, '
        'c: str =)"',
    ]


def test_snippets_sharing_a_cache_are_checked_each_on_its_own(
    tmp_path: Path, mypy_cache: Path
) -> None:
    # Two snippets of one name and size, written within one second: mypy's cache
    # must not take the second for the first (CI once reported one test's
    # errors under another's).
    good = "import equimod\nx: int = 1\n"
    bad = "import equimod\nx: str = 1\n"
    assert len(good) == len(bad)
    messages = []
    for name, text in (("first", good), ("second", bad)):
        folder = tmp_path / name
        write(folder, {"case.py": text})
        os.utime(folder / "case.py", (1_700_000_000, 1_700_000_000))
        messages.append(mypy(folder, mypy_cache, files=("case.py",)).splitlines())
    assert messages == [
        [],
        [
            'case.py:2: error: Incompatible types in assignment (expression has type "int", '
            'variable has type "str")  [assignment]'
        ],
    ]
