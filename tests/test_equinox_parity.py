"""Porting from Equinox is a change of import: every callable both libraries name
takes Equinox's parameters, under the same names, in the same positions."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import equinox as eqx
import pytest

import equimod

P = inspect.Parameter
POSITIONAL = (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD)

# Equinox parameters equimod does not take, each with its reason.
NOT_TAKEN = {
    **dict.fromkeys(
        [
            ("filter_jit", "jitkwargs"),
            ("filter_grad", "gradkwargs"),
            ("filter_value_and_grad", "gradkwargs"),
            ("filter_vmap", "vmapkwargs"),
            ("filter_pmap", "pmapkwargs"),
        ],
        "further keywords passed on to JAX's transform, undocumented in Equinox",
    ),
    ("filter_pure_callback", "vectorized"): "deprecated by JAX for vmap_method",
    ("nn.LayerNorm", "elementwise_affine"): "deprecated in Equinox for use_weight/use_bias",
}


def _shared_callables() -> Iterator[tuple[str, Any, Any]]:
    spaces: list[tuple[str, ModuleType, ModuleType]] = [
        ("", eqx, equimod),
        ("nn.", eqx.nn, equimod.nn),
        ("debug.", eqx.debug, equimod.debug),
    ]
    for prefix, theirs, ours in spaces:
        for name in sorted(dir(theirs)):
            if name.startswith("_") or not hasattr(ours, name):
                continue
            their, our = getattr(theirs, name), getattr(ours, name)
            if callable(their) and not inspect.ismodule(their):
                yield prefix + name, their, our


def _parameters(obj: Any) -> list[inspect.Parameter] | None:
    try:
        return list(inspect.signature(obj).parameters.values())
    except (TypeError, ValueError):
        return None


CASES = [
    (name, their, our)
    for name, their, our in _shared_callables()
    if _parameters(their) is not None and _parameters(our) is not None
]


@pytest.mark.parametrize(("name", "their", "our"), CASES, ids=[case[0] for case in CASES])
def test_equimod_takes_equinoxs_parameters(name: str, their: Any, our: Any) -> None:
    their_names = [p.name for p in _parameters(their) or []]
    theirs = [p for p in _parameters(their) or [] if (name, p.name) not in NOT_TAKEN]
    ours = {p.name: p for p in _parameters(our) or []}
    for parameter in theirs:
        if parameter.kind == P.VAR_POSITIONAL or parameter.kind == P.VAR_KEYWORD:
            kinds = [p.kind for p in ours.values()]
            assert parameter.kind in kinds, f"{name}: no {parameter}"
            continue
        assert parameter.name in ours, f"{name}: no parameter {parameter.name!r}"
        if parameter.kind in POSITIONAL:
            # Passed by position in Equinox: at the same position here.
            assert ours[parameter.name].kind in POSITIONAL, f"{name}: {parameter.name}"
            position = their_names.index(parameter.name)
            assert list(ours).index(parameter.name) == position, f"{name}: {parameter.name}"
        if parameter.default is P.empty:
            assert ours[parameter.name].default is P.empty or parameter.kind == P.KEYWORD_ONLY


def test_the_parity_test_reads_many_callables() -> None:
    # Guards against a change that would leave the comparison empty.
    assert len(CASES) > 80
