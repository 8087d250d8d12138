"""The equimod mypy plugin. Enable it with `plugins = ["equimod_mypy"]`.

It reports, at the offending line, what the `dataclass_transform` stubs cannot:
an unimplemented `AbstractVar`/`AbstractClassVar` where the class is
instantiated, a converter field's input type, assignment to a field after
`__init__`, the constructor a subclass inherits, and fields a hand-written
`__init__` never assigns. Error codes: `equimod-abstract`, `equimod-frozen`,
`equimod-missing-field`.
"""

from __future__ import annotations

from mypy.plugin import Plugin

from ._plugin import EquimodPlugin
from ._version import __version__

__all__ = ["EquimodPlugin", "__version__", "plugin"]

# The mypy releases (major, minor) this plugin is tested with: it reaches into mypy's
# semantic analysis, whose internals change between minor releases.
SUPPORTED_MYPY = ((2, 0), (2, 4))
MSG_UNSUPPORTED_MYPY = (
    "equimod_mypy {plugin_version} supports mypy {low}.x to {high}.x, but this is mypy "
    "{version}. Install a supported mypy (pip install 'mypy>={low},<{next_high}') or "
    "remove equimod_mypy from the plugins setting."
)


def _release(version: str) -> tuple[int, int]:
    parts = version.split("+")[0].split(".")
    try:
        return int(parts[0]), int("".join(c for c in parts[1] if c.isdigit()) or 0)
    except (IndexError, ValueError):
        return (0, 0)


def plugin(version: str) -> type[Plugin]:
    """The entry point mypy calls with its own version."""
    low, high = SUPPORTED_MYPY
    if not low <= _release(version) <= high:
        raise SystemExit(
            MSG_UNSUPPORTED_MYPY.format(
                plugin_version=__version__,
                low=".".join(map(str, low)),
                high=".".join(map(str, high)),
                next_high=f"{high[0]}.{high[1] + 1}",
                version=version,
            )
        )
    return EquimodPlugin
