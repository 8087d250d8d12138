"""The equimod mypy plugin with the time spent in it added up, for `mypy_overhead.py`.

mypy loads this file as a plugin (`plugins = .../timed_plugin.py`). It behaves
as `equimod_mypy` and counts, in `SPENT`, the seconds spent finding hooks and
running them: the plugin's own share of a run, which the machine's changing
speed affects like everything else but which does not depend on comparing two
runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from equimod_mypy._plugin import EquimodPlugin
from mypy.plugin import Plugin

SPENT = [0.0]
_depth = [0]  # a hook that makes mypy call another is counted once


def _timed(function: Callable[..., Any]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        if _depth[0]:
            return function(*args, **kwargs)
        _depth[0] += 1
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[0] += time.perf_counter() - start
            _depth[0] -= 1

    return timed


def _timed_lookup(lookup: Callable[[Any, str], Any]) -> Callable[[Any, str], Any]:
    def timed_lookup(self: Any, fullname: str) -> Any:
        hook = _timed(lookup)(self, fullname)
        return None if hook is None else _timed(hook)

    return timed_lookup


class TimedPlugin(EquimodPlugin):
    pass


# Every hook lookup the plugin defines, so that one added later is counted too.
for _name, _lookup in vars(EquimodPlugin).items():
    if _name.startswith("get_") and _name.endswith("_hook"):
        setattr(TimedPlugin, _name, _timed_lookup(_lookup))


def plugin(version: str) -> type[Plugin]:
    return TimedPlugin
