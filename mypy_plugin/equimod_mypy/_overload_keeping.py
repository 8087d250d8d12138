"""Transforms that return what they wrap keep every signature of an overloaded callable.

Their stubs say `(fun: Callable[_P, _R]) -> Callable[_P, _R]`, and mypy binds a
ParamSpec to one signature only: an overloaded function, or a Module whose
`__call__` is overloaded (such as `nn.Sequential`, with and without a state),
would come out with its first signature alone, and a correct call of another
one would be reported. pyright keeps the overloads; with this hook, so does mypy.
"""

from __future__ import annotations

from typing import Final

from mypy.plugin import FunctionContext
from mypy.typeops import bind_self
from mypy.types import Instance, Overloaded, Type, get_proper_type

SIGNATURE_KEEPING: Final = frozenset(
    f"equimod.{name}" for name in ("filter_jit", "filter_vmap", "filter_pmap", "filter_checkpoint")
)


def keep_overloads(ctx: FunctionContext) -> Type:
    """The wrapped callable's own overloaded type, where the stub would keep only one."""
    if len(ctx.arg_types) < 1 or len(ctx.arg_types[0]) != 1:
        return ctx.default_return_type
    wrapped = get_proper_type(ctx.arg_types[0][0])
    if isinstance(wrapped, Overloaded):
        return wrapped
    if isinstance(wrapped, Instance):
        call = wrapped.type.get_method("__call__")
        call_type = get_proper_type(call.type) if call is not None else None
        if isinstance(call_type, Overloaded):
            return bind_self(call_type, wrapped)
    return ctx.default_return_type
