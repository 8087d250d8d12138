"""The equimod mypy plugin: enable with `plugins = ["equimod_mypy"]`."""

from __future__ import annotations

from mypy.plugin import Plugin


class EquimodPlugin(Plugin):
    """Placeholder: the checks arrive with the plugin issue."""


def plugin(version: str) -> type[Plugin]:
    return EquimodPlugin
