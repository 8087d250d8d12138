"""The deliberate differences from Equinox, listed in porting/equinox_differences.json
(Equinox's test id -> reason, and the test of ours that shows equimod's behaviour):
each entry names a public-API test file of Equinox, is shown by a test here or
elsewhere in this suite, and is stated on the docs' "Coming from Equinox" page."""

from __future__ import annotations

import json
import logging
import re
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import pytest
from messages import assert_mentions

import equimod

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "porting"))

from equinox_tests import DIFFERENCES, PUBLIC_API_FILES  # noqa: E402

_ENTRIES: dict[str, dict[str, str]] = json.loads(DIFFERENCES.read_text())
_TEST_ID = re.compile(r"^tests/(?P<file>test_\w+\.py)::(?P<name>test_\w+)(\[[^\]]+\])?$")


def test_each_difference_names_an_equinox_public_api_test() -> None:
    assert _ENTRIES
    for test_id, entry in _ENTRIES.items():
        match = _TEST_ID.match(test_id)
        assert match is not None, test_id
        assert match["file"] in PUBLIC_API_FILES, test_id
        assert set(entry) == {"reason", "shown_by"}, test_id
        assert len(entry["reason"]) > 40, test_id


def test_each_difference_is_shown_by_a_test_of_ours() -> None:
    for test_id, entry in _ENTRIES.items():
        path, _, name = entry["shown_by"].partition("::")
        source = (ROOT / path).read_text()
        assert re.search(rf"^def {re.escape(name)}\(", source, re.M), (test_id, entry)


def test_each_difference_is_stated_in_the_docs() -> None:
    page = (ROOT / "docs" / "from-equinox.md").read_text()
    for test_id, entry in _ENTRIES.items():
        assert f"| `{test_id}` | {entry['reason']} |" in page, test_id


# --- the behaviours that differ, as equimod has them ------------------------------


def test_equinoxs_strict_config_is_left_out_with_what_to_write() -> None:
    with pytest.raises(AttributeError) as info:
        equimod.StrictConfig  # type: ignore[attr-defined]  # noqa: B018
    assert_mentions(info, "equimod has no StrictConfig", "without `strict=`", "Coming from Equinox")


def test_a_name_neither_has_gets_pythons_own_error() -> None:
    with pytest.raises(AttributeError, match=r"^module 'equimod' has no attribute 'filter_jitt'$"):
        equimod.filter_jitt  # type: ignore[attr-defined]  # noqa: B018


def test_equinoxs_strict_class_keyword_is_refused_with_what_to_do() -> None:
    with pytest.raises(TypeError) as info:

        class Legacy(equimod.Module, strict=True):  # type: ignore[call-arg]
            x: int

    assert_mentions(info, "Legacy is declared with `strict=`", "Remove `strict=...`", "AbstractVar")


def test_tree_at_replaces_a_none_leaf() -> None:
    layer = equimod.nn.Linear(2, 3, use_bias=False, key=jax.random.key(0))
    assert layer.bias is None
    biased = equimod.tree_at(lambda m: m.bias, layer, jnp.zeros(3))
    assert biased.bias is not None and biased.bias.shape == (3,)
    assert equimod.tree_at(lambda y: y[0], (None, None, 0), True) == (True, None, 0)


def test_a_failed_check_raises_its_own_message_and_logs_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    @equimod.filter_jit
    def f(x: jax.Array) -> jax.Array:
        return equimod.error_if(x, x > 0, "egads")

    with caplog.at_level(logging.ERROR), pytest.raises(equimod.EquimodRuntimeError) as info:
        f(jnp.array(1.0))
    assert str(info.value) == "egads"
    assert info.value.__cause__ is None
    assert caplog.text == ""


def test_filter_pmap_traces_once_per_static_part() -> None:
    traces = []

    @equimod.filter_pmap(in_axes=None, axis_size=1)
    def add(x: jax.Array, y: int) -> jax.Array:
        traces.append(y)
        return x + y

    assert add(jnp.array(1), 2).tolist() == [3]
    assert add(jnp.array(3), 2).tolist() == [5]
    assert traces == [2]  # Equinox: [2, 2] (an eval_shape first)
    assert add(jnp.array(1), 3).tolist() == [4]
    assert traces == [2, 3]
