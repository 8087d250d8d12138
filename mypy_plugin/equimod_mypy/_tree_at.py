"""`equimod.tree_at` under mypy: the tree's own type wherever the replacement keeps it.

The stub can only say that the result is `Any`: a replacement may change the
type of what it replaces (`None` for a weight, another type parameter of a
generic Module), and a result typed as the input tree would then be a wrong
type, reported wherever it is used. The plugin sees the types of the selected
nodes (the return type of `where`) and of the replacement, and gives the
result the tree's type when every replacement value fits the node it replaces;
otherwise the result stays `Any`.

A tree whose type mypy could not resolve (an annotation mypy rejected, such as
a variable used as a type) makes `where`'s parameter `Any` as well, so that
the one error at the annotation is not followed by others in the lambda.
"""

from __future__ import annotations

from typing import Final

from mypy.expandtype import expand_type
from mypy.nodes import MemberExpr, NameExpr
from mypy.plugin import FunctionContext, FunctionSigContext
from mypy.subtypes import is_subtype
from mypy.types import (
    AnyType,
    CallableType,
    FunctionLike,
    ProperType,
    TupleType,
    Type,
    TypeOfAny,
    get_proper_type,
)

from ._analysed_types import is_analysed

# Where tree_at is defined: the stubs re-export it from its typed source.
TREE_AT: Final = "equimod._tree.tree_at"


def tree_at_signature(ctx: FunctionSigContext) -> FunctionLike:
    """`where` takes `Any` when the tree's type is one mypy could not resolve."""
    signature = ctx.default_signature
    trees = ctx.args[1] if len(ctx.args) > 1 else []
    if len(trees) != 1 or not isinstance(trees[0], (NameExpr, MemberExpr)):
        return signature  # only names and attributes: reading their type twice is harmless
    if is_analysed(ctx.api.get_expression_type(trees[0])):
        return signature
    unknown = AnyType(TypeOfAny.from_error)
    replaced = expand_type(signature, {var.id: unknown for var in signature.variables})
    if not isinstance(replaced, CallableType):
        return signature
    return replaced.copy_modified(variables=[])


def tree_at_type(ctx: FunctionContext) -> Type:
    """The tree's type if every replacement fits the node it replaces, else `Any`."""
    unknown = AnyType(TypeOfAny.special_form)
    types = dict(zip(ctx.callee_arg_names, ctx.arg_types, strict=False))
    where, tree = types.get("where", []), types.get("pytree", [])
    if len(where) != 1 or len(tree) != 1 or not is_analysed(tree[0]):
        return unknown
    selector = get_proper_type(where[0])
    if not isinstance(selector, CallableType):
        return unknown
    nodes = get_proper_type(selector.ret_type)
    replace, replace_fn = types.get("replace", []), types.get("replace_fn", [])
    if len(replace) == 1 and not replace_fn:
        fits = _fits(get_proper_type(replace[0]), nodes)
    elif len(replace_fn) == 1 and not replace:
        function = get_proper_type(replace_fn[0])
        fits = isinstance(function, CallableType) and _each_fits(function.ret_type, nodes)
    else:
        fits = False  # neither or both: a run-time error
    return tree[0] if fits else unknown


def _fits(replacement: ProperType, nodes: ProperType) -> bool:
    """Whether `replace` fits the node, or each of a tuple of nodes, that `where` selects."""
    if isinstance(nodes, TupleType):
        return (
            isinstance(replacement, TupleType)
            and len(replacement.items) == len(nodes.items)
            and all(
                is_subtype(new, old)
                for new, old in zip(replacement.items, nodes.items, strict=True)
            )
        )
    return is_subtype(replacement, nodes)


def _each_fits(result: Type, nodes: ProperType) -> bool:
    """Whether what `replace_fn` returns fits every node `where` selects."""
    if isinstance(nodes, TupleType):
        return all(is_subtype(result, old) for old in nodes.items)
    return is_subtype(result, nodes)
