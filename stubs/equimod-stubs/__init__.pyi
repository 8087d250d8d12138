# Type stubs for equimod: what pyright, Pylance and mypy read for `import equimod`.
#
# `Module` is a `dataclass_transform`, so every checker sees generated __init__s.
# `eq_default=False`: Modules bring their own __eq__/__hash__. Frozenness is not
# declared (`frozen_default=True` would flag every assignment in a hand-written
# __init__); the mypy plugin checks it instead. See DESIGN.md "Static contract".

import abc
import os
import sys
from collections.abc import Callable, Mapping
from typing import (
    Annotated,
    Any,
    BinaryIO,
    Concatenate,
    Literal,
    ParamSpec,
    TypeAlias,
    TypeVar,
    overload,
)
from typing import ClassVar as AbstractClassVar

import jax
from typing_extensions import Self, dataclass_transform

from . import nn as nn

__all__ = [
    "AbstractClassVar",
    "AbstractVar",
    "Module",
    "apply_updates",
    "combine",
    "default_deserialise_filter_spec",
    "default_serialise_filter_spec",
    "field",
    "filter",
    "filter_grad",
    "filter_jit",
    "filter_shard",
    "filter_value_and_grad",
    "filter_vmap",
    "if_array",
    "is_array",
    "is_array_like",
    "is_inexact_array",
    "is_inexact_array_like",
    "nn",
    "partition",
    "tree_at",
    "tree_deserialise_leaves",
    "tree_equal",
    "tree_serialise_leaves",
]

__version__: str

_T = TypeVar("_T")
_In = TypeVar("_In")
# What the gradient transforms differentiate: their first argument, whose type
# the gradients have. Bound to Any so that pyright gives the parameter of a
# lambda or unannotated function passed in the type Any, not `object` (with
# which `lambda m, x: m(x)` is "not callable"); annotated functions keep theirs.
_Diff = TypeVar("_Diff", bound=Any)
_P = ParamSpec("_P")
_R = TypeVar("_R")

# An abstract instance attribute. Declared as `Annotated[T, ...]` so that a field
# implementing it in a subclass type-checks under every checker; the mypy plugin
# removes it from __init__ and checks implementations (see typecheck_tests/
# DIVERGENCES.md for what pyright cannot see).
AbstractVar: TypeAlias = Annotated[_T, "AbstractVar"]

# --- field -------------------------------------------------------------------
# The overloads carry a converter's input type: `default` must be of that type,
# and (PEP 712 semantics, which pyright implements) the generated __init__
# parameter takes it. The result type is the converter's output, checked
# against the field's annotation.

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

# --- Module ------------------------------------------------------------------

class _ModuleMeta(abc.ABCMeta): ...

@dataclass_transform(eq_default=False, field_specifiers=(field,))
class Module(metaclass=_ModuleMeta):
    # The dataclass options a Module subclass takes as class arguments:
    # `class M(equimod.Module, kw_only=True)`.
    def __init_subclass__(cls, *, kw_only: bool = False, match_args: bool = True) -> None: ...
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...
    if sys.version_info >= (3, 13):
        # Added by dataclasses on 3.13, for `copy.replace`.
        def __replace__(self, **changes: Any) -> Self: ...

# --- filtering ---------------------------------------------------------------

def is_array(element: Any) -> bool: ...
def is_array_like(element: Any) -> bool: ...
def is_inexact_array(element: Any) -> bool: ...
def is_inexact_array_like(element: Any) -> bool: ...
def filter(
    pytree: _T,
    filter_spec: Any,
    inverse: bool = False,
    replace: Any = None,
    is_leaf: Callable[[Any], bool] | None = None,
) -> _T: ...
def partition(
    pytree: _T,
    filter_spec: Any,
    replace: Any = None,
    is_leaf: Callable[[Any], bool] | None = None,
) -> tuple[_T, _T]: ...
def combine(*pytrees: _T, is_leaf: Callable[[Any], bool] | None = None) -> _T: ...

# --- transforms --------------------------------------------------------------

@overload
def filter_jit(
    fun: Callable[_P, _R], *, donate: Literal["none", "all", "all-except-first"] = "none"
) -> Callable[_P, _R]: ...
@overload
def filter_jit(
    fun: None = None, *, donate: Literal["none", "all", "all-except-first"] = "none"
) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]: ...
@overload
def filter_value_and_grad(
    fun: Callable[Concatenate[_Diff, _P], _R], *, has_aux: bool = False
) -> Callable[Concatenate[_Diff, _P], tuple[_R, _Diff]]: ...
@overload
def filter_value_and_grad(
    fun: None = None, *, has_aux: bool = False
) -> Callable[
    [Callable[Concatenate[_Diff, _P], _R]], Callable[Concatenate[_Diff, _P], tuple[_R, _Diff]]
]: ...
@overload
def filter_grad(
    fun: Callable[Concatenate[_Diff, _P], Any], *, has_aux: bool = False
) -> Callable[Concatenate[_Diff, _P], _Diff]: ...
@overload
def filter_grad(
    fun: None = None, *, has_aux: bool = False
) -> Callable[[Callable[Concatenate[_Diff, _P], Any]], Callable[Concatenate[_Diff, _P], _Diff]]: ...

class if_array:  # noqa: N801 - named as in Equinox
    axis: int
    def __init__(self, axis: int) -> None: ...
    def __call__(self, leaf: Any) -> int | None: ...

@overload
def filter_vmap(
    fun: Callable[_P, _R],
    *,
    in_axes: Any = ...,
    out_axes: Any = ...,
    axis_name: Any = None,
    axis_size: int | None = None,
) -> Callable[_P, _R]: ...
@overload
def filter_vmap(
    fun: None = None,
    *,
    in_axes: Any = ...,
    out_axes: Any = ...,
    axis_name: Any = None,
    axis_size: int | None = None,
) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]: ...
def filter_shard(x: _T, device_or_shardings: Any) -> _T: ...

# --- tree utilities ----------------------------------------------------------

def tree_at(
    where: Callable[[_T], Any],
    pytree: _T,
    replace: Any = ...,
    replace_fn: Callable[[Any], Any] = ...,
    is_leaf: Callable[[Any], bool] | None = None,
) -> _T: ...
def tree_equal(
    *pytrees: Any, typematch: bool = False, rtol: Any = 0.0, atol: Any = 0.0
) -> bool | jax.Array: ...
def apply_updates(model: _T, updates: Any) -> _T: ...

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
