"""The names Equinox exports and equimod leaves out on purpose, each with what to write.

Equinox keeps them for old code only. Those that ported code needs in order to
run, such as `static_field`, equimod keeps too, deprecated; the ones here
configure what equimod does differently. A port that still uses one gets an
`AttributeError` saying what to write, where Python would only say that the
attribute does not exist.
"""

from __future__ import annotations

from typing import Final

_MSG_LEFT_OUT: Final = (
    "equimod has no {name}: {reason}. Write {instead}. "
    "(docs: 'Coming from Equinox' lists what equimod leaves out.)"
)

_LEFT_OUT: Final = {
    "StrictConfig": (
        "it belongs to Equinox's `strict=` class keyword, deprecated there and, but for "
        "marking a class abstract, without effect",
        "the class without `strict=`; to keep it from being instantiated, give it an "
        "AbstractVar or an abstract method",
    ),
}


def module_getattr(name: str) -> object:
    """`equimod.__getattr__`: called only for a name the package does not have."""
    if name in _LEFT_OUT:
        reason, instead = _LEFT_OUT[name]
        raise AttributeError(_MSG_LEFT_OUT.format(name=name, reason=reason, instead=instead))
    raise AttributeError(f"module 'equimod' has no attribute {name!r}")
