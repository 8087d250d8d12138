# Type stubs for equimod: what pyright, Pylance and mypy read for `import equimod`.
#
# `Module` is a `dataclass_transform`, so every checker sees generated __init__s.
# `eq_default=False`: Modules bring their own __eq__/__hash__. Frozenness is not
# declared (`frozen_default=True` would flag every assignment in a hand-written
# __init__); the mypy plugin checks it instead. See docs/design.md, "Static contract".

import abc
import dataclasses
import enum
import os
import sys
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import (
    Annotated,
    Any,
    BinaryIO,
    ClassVar,
    Concatenate,
    Generic,
    Literal,
    ParamSpec,
    TypeAlias,
    TypeVar,
    overload,
)
from typing import ClassVar as AbstractClassVar

import jax
import jax.extend.core
import jax.tree_util
from jax.typing import ArrayLike
from typing_extensions import Self, dataclass_transform, deprecated

from . import debug as debug
from . import nn as nn

# Functions whose run-time annotations are what checkers should read come from
# their typed source (the stub package is partial; see docs/design.md).
from ._ad import filter_hessian as filter_hessian
from ._ad import filter_jacfwd as filter_jacfwd
from ._ad import filter_jacrev as filter_jacrev
from ._ad import filter_jvp as filter_jvp
from ._caches import clear_caches as clear_caches
from ._callback import filter_pure_callback as filter_pure_callback
from ._errors import EquimodRuntimeError as EquimodRuntimeError
from ._errors import EquimodTracetimeError as EquimodTracetimeError
from ._errors import EquinoxRuntimeError as EquinoxRuntimeError
from ._errors import EquinoxTracetimeError as EquinoxTracetimeError
from ._errors import branched_error_if as branched_error_if
from ._errors import error_if as error_if
from ._eval_shape import filter_eval_shape as filter_eval_shape
from ._filters import filter as filter
from ._filters import is_array as is_array
from ._filters import is_array_like as is_array_like
from ._filters import is_inexact_array as is_inexact_array
from ._filters import is_inexact_array_like as is_inexact_array_like
from ._filters import partition as partition
from ._make_jaxpr import filter_closure_convert as filter_closure_convert
from ._pretty_print import tree_pformat as tree_pformat
from ._pretty_print import tree_pprint as tree_pprint
from ._shard import filter_shard as filter_shard
from ._tree import apply_updates as apply_updates
from ._tree import tree_at as tree_at
from ._tree import tree_check as tree_check
from ._tree import tree_flatten_one_level as tree_flatten_one_level
from ._tree_equal import tree_equal as tree_equal

__all__ = [
    "AbstractClassVar",
    "AbstractVar",
    "Enumeration",
    "EquimodRuntimeError",
    "EquimodTracetimeError",
    "EquinoxRuntimeError",
    "EquinoxTracetimeError",
    "Module",
    "Partial",
    "apply_updates",
    "branched_error_if",
    "clear_caches",
    "combine",
    "debug",
    "default_deserialise_filter_spec",
    "default_serialise_filter_spec",
    "error_if",
    "field",
    "filter",
    "filter_checkpoint",
    "filter_closure_convert",
    "filter_custom_jvp",
    "filter_custom_vjp",
    "filter_eval_shape",
    "filter_grad",
    "filter_hessian",
    "filter_jacfwd",
    "filter_jacrev",
    "filter_jit",
    "filter_jvp",
    "filter_make_jaxpr",
    "filter_pmap",
    "filter_pure_callback",
    "filter_shard",
    "filter_value_and_grad",
    "filter_vjp",
    "filter_vmap",
    "if_array",
    "is_array",
    "is_array_like",
    "is_inexact_array",
    "is_inexact_array_like",
    "module_update_wrapper",
    "nn",
    "partition",
    "static_field",
    "tree_at",
    "tree_check",
    "tree_deserialise_leaves",
    "tree_equal",
    "tree_flatten_one_level",
    "tree_inference",
    "tree_pformat",
    "tree_pprint",
    "tree_serialise_leaves",
]

__version__: str

_T = TypeVar("_T")
# Bound to Any, as `_Diff` below: a lambda converter's parameter is then Any.
_In = TypeVar("_In", bound=Any)
# What the gradient transforms differentiate: their first argument, checked
# against the function's own first parameter. The gradients are Any, as
# filter's result is (optax's `Updates`). Bound to Any so that pyright gives the parameter of a
# lambda or unannotated function passed in the type Any, not `object` (with
# which `lambda m, x: m(x)` is "not callable"); annotated functions keep theirs.
_Diff = TypeVar("_Diff", bound=Any)
_P = ParamSpec("_P")
_R = TypeVar("_R")
_Aux = TypeVar("_Aux")
_W = TypeVar("_W")
_JvpRule = TypeVar("_JvpRule", bound=Callable[..., tuple[Any, Any]])
_FwdRule = TypeVar("_FwdRule", bound=Callable[..., tuple[Any, Any]])
_BwdRule = TypeVar("_BwdRule", bound=Callable[..., Any])

# An abstract instance attribute. Declared as `Annotated[T, ...]` so that a field
# implementing it in a subclass type-checks under every checker; the mypy plugin
# removes it from __init__ and checks implementations (see typecheck_tests/
# DIVERGENCES.md for what pyright cannot see).
AbstractVar: TypeAlias = Annotated[_T, "AbstractVar"]

# --- field -------------------------------------------------------------------
# The overloads carry a converter's input type: `default` must be of that type,
# and (PEP 712 semantics, which pyright implements) the generated __init__
# parameter takes it. The result type is the converter's output, checked
# against the field's annotation. A class converter without a default is
# matched as `type[_T]` first: pyright would otherwise leave a generic class's
# parameters unsolved (`converter=tuple` giving `tuple[object, ...]`).

@overload
def field(
    *,
    converter: Callable[[_In], _T],
    static: bool = False,
    default: _In,
    init: bool = True,
    repr: bool = True,
    hash: bool | None = None,
    compare: bool = True,
    metadata: Mapping[Any, Any] | None = None,
    kw_only: bool = ...,
) -> _T: ...
@overload
def field(
    *,
    converter: Callable[[_In], _T],
    static: bool = False,
    default_factory: Callable[[], _In],
    init: bool = True,
    repr: bool = True,
    hash: bool | None = None,
    compare: bool = True,
    metadata: Mapping[Any, Any] | None = None,
    kw_only: bool = ...,
) -> _T: ...
@overload
def field(
    *,
    converter: type[_T],
    static: bool = False,
    init: bool = True,
    repr: bool = True,
    hash: bool | None = None,
    compare: bool = True,
    metadata: Mapping[Any, Any] | None = None,
    kw_only: bool = ...,
) -> _T: ...
@overload
def field(
    *,
    converter: Callable[[_In], _T],
    static: bool = False,
    init: bool = True,
    repr: bool = True,
    hash: bool | None = None,
    compare: bool = True,
    metadata: Mapping[Any, Any] | None = None,
    kw_only: bool = ...,
) -> _T: ...
@overload
def field(
    *,
    converter: None = None,
    static: bool = False,
    default: _T,
    init: bool = True,
    repr: bool = True,
    hash: bool | None = None,
    compare: bool = True,
    metadata: Mapping[Any, Any] | None = None,
    kw_only: bool = ...,
) -> _T: ...
@overload
def field(
    *,
    converter: None = None,
    static: bool = False,
    default_factory: Callable[[], _T],
    init: bool = True,
    repr: bool = True,
    hash: bool | None = None,
    compare: bool = True,
    metadata: Mapping[Any, Any] | None = None,
    kw_only: bool = ...,
) -> _T: ...
@overload
def field(
    *,
    converter: None = None,
    static: bool = False,
    init: bool = True,
    repr: bool = True,
    hash: bool | None = None,
    compare: bool = True,
    metadata: Mapping[Any, Any] | None = None,
    kw_only: bool = ...,
) -> Any: ...

# Equinox's names for old code, kept so that ported code runs, and marked deprecated
# (editors strike them through). `static_field` has one signature, without the
# overloads' converter typing.
@deprecated("static_field is deprecated, as in Equinox: write field(static=True, ...)")
def static_field(
    *,
    converter: Callable[[Any], Any] | None = None,
    default: Any = ...,
    default_factory: Callable[[], Any] = ...,
    init: bool = True,
    repr: bool = True,
    hash: bool | None = None,
    compare: bool = True,
    metadata: Mapping[Any, Any] | None = None,
    kw_only: bool = ...,
) -> Any: ...
@deprecated(
    "tree_inference is Equinox's old name for nn.inference_mode: write "
    "equimod.nn.inference_mode(model, value)"
)
def tree_inference(pytree: _T, value: bool = True) -> _T: ...

# --- Module ------------------------------------------------------------------

_ModuleMeta = abc.ABCMeta

@dataclass_transform(eq_default=False, field_specifiers=(field, dataclasses.field, static_field))
class Module(metaclass=_ModuleMeta):
    # The dataclass options a Module subclass takes as class arguments:
    # `class M(equimod.Module, kw_only=True)`. `init=False` keeps the inherited
    # hand-written __init__ for every checker, as the run time always does.
    def __init_subclass__(
        cls, *, init: bool = True, kw_only: bool = False, match_args: bool = True
    ) -> None: ...
    # The abstract attributes the class leaves unimplemented, by name.
    __abstractvars__: ClassVar[frozenset[str]]
    __abstractclassvars__: ClassVar[frozenset[str]]
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    if sys.version_info >= (3, 13):
        # Added by dataclasses on 3.13, for `copy.replace`.
        def __replace__(self, **changes: Any) -> Self: ...

# --- filtering ---------------------------------------------------------------

@overload
def combine(pytree: _T, /, *, is_leaf: Callable[[Any], bool] | None = None) -> _T: ...
@overload
def combine(first: Any, /, *rest: _T, is_leaf: Callable[[Any], bool] | None = None) -> _T: ...

# --- transforms --------------------------------------------------------------

@overload
def filter_jit(
    fun: Callable[_P, _R],
    *,
    donate: Literal["none", "all", "all-except-first", "warn", "warn-except-first"] = "none",
    keep_unused: bool = False,
    inline: bool = False,
    compiler_options: dict[str, Any] | None = None,
) -> Callable[_P, _R]: ...
@overload
def filter_jit(
    fun: None = None,
    *,
    donate: Literal["none", "all", "all-except-first", "warn", "warn-except-first"] = "none",
    keep_unused: bool = False,
    inline: bool = False,
    compiler_options: dict[str, Any] | None = None,
) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]: ...
@overload
def filter_value_and_grad(
    fun: Callable[Concatenate[_Diff, _P], _R],
    *,
    has_aux: bool = False,
    holomorphic: bool = False,
    allow_int: bool = False,
) -> Callable[Concatenate[_Diff, _P], tuple[_R, Any]]: ...
@overload
def filter_value_and_grad(
    fun: None = None, *, has_aux: bool = False, holomorphic: bool = False, allow_int: bool = False
) -> Callable[
    [Callable[Concatenate[_Diff, _P], _R]], Callable[Concatenate[_Diff, _P], tuple[_R, Any]]
]: ...
@overload
def filter_grad(
    fun: Callable[Concatenate[_Diff, _P], Any],
    *,
    has_aux: bool = False,
    holomorphic: bool = False,
    allow_int: bool = False,
) -> Callable[Concatenate[_Diff, _P], Any]: ...
@overload
def filter_grad(
    fun: None = None, *, has_aux: bool = False, holomorphic: bool = False, allow_int: bool = False
) -> Callable[[Callable[Concatenate[_Diff, _P], Any]], Callable[Concatenate[_Diff, _P], Any]]: ...

class if_array:  # noqa: N801 - named as in Equinox
    axis: int
    def __init__(self, axis: int) -> None: ...
    def __call__(self, leaf: Any) -> int | None: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@overload
def filter_vmap(
    fun: Callable[_P, _R],
    *,
    in_axes: Any = ...,
    out_axes: Any = ...,
    axis_name: Any = None,
    axis_size: int | None = None,
    spmd_axis_name: Hashable | tuple[Hashable, ...] | None = None,
) -> Callable[_P, _R]: ...
@overload
def filter_vmap(
    fun: None = None,
    *,
    in_axes: Any = ...,
    out_axes: Any = ...,
    axis_name: Any = None,
    axis_size: int | None = None,
    spmd_axis_name: Hashable | tuple[Hashable, ...] | None = None,
) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]: ...
@overload
def filter_pmap(
    fun: Callable[_P, _R],
    *,
    in_axes: Any = ...,
    out_axes: Any = ...,
    axis_name: Hashable = None,
    axis_size: int | None = None,
    donate: Literal["all", "warn", "none"] = "none",
    devices: Sequence[jax.Device] | None = None,
    backend: str | None = None,
) -> Callable[_P, _R]: ...
@overload
def filter_pmap(
    fun: None = None,
    *,
    in_axes: Any = ...,
    out_axes: Any = ...,
    axis_name: Hashable = None,
    axis_size: int | None = None,
    donate: Literal["all", "warn", "none"] = "none",
    devices: Sequence[jax.Device] | None = None,
    backend: str | None = None,
) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]: ...
@overload
def filter_checkpoint(
    fun: Callable[_P, _R], *, prevent_cse: bool = True, policy: Callable[..., bool] | None = None
) -> Callable[_P, _R]: ...
@overload
def filter_checkpoint(
    fun: None = None, *, prevent_cse: bool = True, policy: Callable[..., bool] | None = None
) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]: ...
@overload
def filter_vjp(
    fun: Callable[..., _R], *primals: Any, has_aux: Literal[False] = False
) -> tuple[_R, Callable[[Any], tuple[Any, ...]]]: ...
@overload
def filter_vjp(
    fun: Callable[..., tuple[_R, _Aux]], *primals: Any, has_aux: Literal[True]
) -> tuple[_R, Callable[[Any], tuple[Any, ...]], _Aux]: ...
def filter_make_jaxpr(
    fun: Callable[_P, Any],
) -> Callable[_P, tuple[jax.extend.core.ClosedJaxpr, Any, Any]]: ...

class filter_custom_jvp(Module, Generic[_P, _R]):  # noqa: N801 - named as in Equinox
    fn: Callable[_P, _R]
    rules: Any
    def __init__(self, fn: Callable[_P, _R]) -> None: ...
    @property
    def __wrapped__(self) -> Callable[_P, _R]: ...
    def def_jvp(self, fn_jvp: _JvpRule) -> _JvpRule: ...
    def __call__(self, /, *args: _P.args, **kwargs: _P.kwargs) -> _R: ...

class filter_custom_vjp(Module, Generic[_P, _R]):  # noqa: N801 - named as in Equinox
    fn: Callable[_P, _R]
    rules: Any
    def __init__(self, fn: Callable[_P, _R]) -> None: ...
    @property
    def __wrapped__(self) -> Callable[_P, _R]: ...
    def def_fwd(self, fn_fwd: _FwdRule) -> _FwdRule: ...
    def def_bwd(self, fn_bwd: _BwdRule) -> _BwdRule: ...
    def defvjp(
        self, fn_fwd: Callable[..., tuple[Any, Any]], fn_bwd: Callable[..., Any]
    ) -> None: ...
    def __call__(self, /, *args: _P.args, **kwargs: _P.kwargs) -> _R: ...

# --- wrappers and partial application ----------------------------------------

class Partial(Module, Generic[_R]):
    """`functools.partial` as a Module: the bound arguments' arrays are leaves."""

    func: Callable[..., _R]
    args: tuple[Any, ...]
    keywords: dict[str, Any]
    def __init__(self, func: Callable[..., _R], /, *args: Any, **kwargs: Any) -> None: ...
    @property
    def __wrapped__(self) -> Callable[..., _R]: ...
    def __call__(self, /, *args: Any, **kwargs: Any) -> _R: ...

def module_update_wrapper(wrapper: _W, wrapped: Callable[..., Any] | None = None) -> _W: ...

# --- Enumeration -------------------------------------------------------------
# Declared as an enum, so that both checkers type an item (`RESULTS.successful`)
# as its Enumeration, not as the str written in the class body. At run time an
# item is a Module holding its index as an array (see stubtest-allowlist.txt).

class _EnumerationMeta(enum.EnumMeta):
    # The message of an item (not, as for an enum, the item of a name).
    def __getitem__(cls, item: Enumeration) -> str: ...  # type: ignore[override]
    def __len__(cls) -> int: ...

# An enum without members here: its subclasses declare them.
class Enumeration(enum.Enum, metaclass=_EnumerationMeta):  # type: ignore[misc]
    # Items compare with items of the same Enumeration only, giving a boolean array.
    def __eq__(self, other: Self, /) -> jax.Array: ...  # type: ignore[override]
    def __ne__(self, other: Self, /) -> jax.Array: ...  # type: ignore[override]
    def __hash__(self) -> int: ...
    @classmethod
    def promote(cls, item: Enumeration) -> Self: ...
    @classmethod
    def where(cls, pred: ArrayLike, a: Self, b: Self) -> Self: ...
    def error_if(self, token: _T, pred: ArrayLike) -> _T: ...
    def is_traced(self) -> bool: ...

# --- serialisation -----------------------------------------------------------

_PathOrFile: TypeAlias = str | os.PathLike[str] | BinaryIO

def default_serialise_filter_spec(f: BinaryIO, x: Any) -> None: ...
def default_deserialise_filter_spec(f: BinaryIO, x: Any) -> Any: ...
def tree_serialise_leaves(
    path_or_file: _PathOrFile,
    pytree: Any,
    filter_spec: Any = ...,
    is_leaf: Callable[[Any], bool] | None = None,
) -> None: ...
def tree_deserialise_leaves(
    path_or_file: _PathOrFile,
    like: _T,
    filter_spec: Any = ...,
    is_leaf: Callable[[Any], bool] | None = None,
) -> _T: ...
