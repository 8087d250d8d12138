"""`field`: a `dataclasses.field` that also knows about converters and static fields."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Mapping
from typing import Any

CONVERTER_KEY = "converter"
STATIC_KEY = "static"

_MSG_CONVERTER_NOT_CALLABLE = (
    "field(converter=...) must be callable, got {converter!r}. Pass a function or "
    "class taking the __init__ argument and returning the value to store."
)
_MSG_STATIC_FIELD = (
    "static_field is deprecated, as in Equinox: write field(static=True, ...), with the "
    "same keywords."
)
_MSG_METADATA_CLASH = (
    "field(metadata=...) may not contain the key {key!r}: equimod reserves it. Use "
    "field({key}=...) instead."
)


def field(
    *,
    converter: Callable[[Any], Any] | None = None,
    static: bool = False,
    **kwargs: Any,
) -> Any:
    """Declare a Module field, as `dataclasses.field` does, with two additions.

    Args:
        converter: Called on the value once `__init__` has finished (for the
            generated `__init__` and a hand-written one alike); its result is
            stored. It does not run when JAX unflattens a Module. With a generated
            `__init__`, the parameter takes what the converter accepts.
        static: Keep the value in the pytree structure (the treedef) rather than
            among the leaves, so JAX transformations treat it as a compile-time
            constant. It must be hashable and comparable; a JAX array in a static
            field warns.
        **kwargs: Every other keyword (`default`, `default_factory`, `init`,
            `repr`, `kw_only`, `metadata`, ...) goes to `dataclasses.field`.

    Returns:
        The field specifier, to assign to the annotated name in the class body.

    Raises:
        TypeError: If `converter` is not callable.
        ValueError: If `metadata` holds a key equimod reserves (`converter`,
            `static`).
    """
    metadata: dict[str, Any] = dict(kwargs.pop("metadata", None) or {})
    for key in (CONVERTER_KEY, STATIC_KEY):
        if key in metadata:
            raise ValueError(_MSG_METADATA_CLASH.format(key=key))
    if converter is not None:
        if not callable(converter):
            raise TypeError(_MSG_CONVERTER_NOT_CALLABLE.format(converter=converter))
        metadata[CONVERTER_KEY] = converter
    if static:
        metadata[STATIC_KEY] = True
    return dataclasses.field(metadata=metadata, **kwargs)


def static_field(**kwargs: Any) -> Any:
    """`field(static=True, ...)` under Equinox's deprecated name, so that ported code runs.

    Args:
        **kwargs: Those of `field`, `static` aside.

    Returns:
        The field specifier, as `field(static=True, **kwargs)` returns it.

    Warns:
        DeprecationWarning: Always: write `field(static=True, ...)` instead.
    """
    warnings.warn(_MSG_STATIC_FIELD, DeprecationWarning, stacklevel=2)
    return field(static=True, **kwargs)


def converter_of(f: dataclasses.Field[Any]) -> Callable[[Any], Any] | None:
    """The converter declared for a dataclass field, if any."""
    metadata: Mapping[str, Any] = f.metadata
    return metadata.get(CONVERTER_KEY)


def is_static(f: dataclasses.Field[Any]) -> bool:
    """Whether a dataclass field was declared with `field(static=True)`."""
    return bool(f.metadata.get(STATIC_KEY, False))
