"""`clear_caches`: drop what equimod keeps between calls."""

from __future__ import annotations

from collections.abc import Callable

_CLEARS: list[Callable[[], object]] = []


def register_cache(clear: Callable[[], object]) -> None:
    """Have `clear_caches` call `clear`, which empties one of equimod's caches."""
    _CLEARS.append(clear)


def clear_caches() -> None:
    """Empty equimod's internal caches, as `jax.clear_caches` does JAX's.

    Compiled functions are kept by JAX (`filter_jit` and `filter_pmap` compile
    through `jax.jit` and `jax.pmap` functions that this also lets go of): call
    `jax.clear_caches()` too to free them.
    """
    for clear in _CLEARS:
        clear()
