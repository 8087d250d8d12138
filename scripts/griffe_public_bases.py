"""A griffe extension, loaded by `mkdocs.yml`: the API pages show public classes only.

Several public layers share their code through a private base (`Conv2d` is a
`_ConvOfFixedDimension`, which is a `Conv`). mkdocstrings would name that base
on the "Bases:" line, a class the reader cannot find, and leave out what the
private base defines (the `__call__` of `LayerNorm`). Here a public class
takes the members of its private bases as its own, where it has none of that
name, and names their public bases instead of them.
"""

from __future__ import annotations

from typing import Any

import griffe


def _resolved(cls: griffe.Class, base: Any) -> griffe.Class | None:
    """The class a base expression names, if it is one of the loaded package's."""
    path = base if isinstance(base, str) else base.canonical_path
    try:
        found = cls.modules_collection.get_member(path)
        found = found.final_target if found.is_alias else found
    except (griffe.AliasResolutionError, griffe.CyclicAliasError, KeyError):
        return None
    return found if isinstance(found, griffe.Class) else None


def _is_private(cls: griffe.Class) -> bool:
    return cls.name.startswith("_")


def _through_private_bases(cls: griffe.Class) -> tuple[list[griffe.Class], list[Any]]:
    """The private classes `cls` inherits from without passing through a public one
    (nearest first), and the bases it has once they are left out: theirs, in their
    places."""
    private: list[griffe.Class] = []
    public: list[Any] = []
    for base in cls.bases:
        resolved = _resolved(cls, base)
        if resolved is not None and _is_private(resolved):
            further_private, its_public = _through_private_bases(resolved)
            private += [resolved, *further_private]
            public += its_public
        else:
            public.append(base)
    return private, public


def _show_private_bases_as_own(cls: griffe.Class) -> None:
    private, public = _through_private_bases(cls)
    if _is_private(cls) or not private:
        return
    for base in private:
        for name, member in base.members.items():
            if name not in cls.members:
                cls.set_member(name, griffe.Alias(name, member, parent=cls))
    cls.bases = public


def _visit(module: griffe.Module) -> None:
    for member in list(module.members.values()):
        if member.is_alias:
            continue
        if isinstance(member, griffe.Module):
            _visit(member)
        elif isinstance(member, griffe.Class):
            _show_private_bases_as_own(member)


class PublicBases(griffe.Extension):
    """Rewrites every class of the package once it is loaded."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        _visit(pkg)
