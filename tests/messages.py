"""What the tests ask of an error's words."""

from __future__ import annotations

from typing import Any

import pytest


def assert_mentions(info: pytest.ExceptionInfo[Any], *parts: str) -> None:
    """Assert that the raised error's message contains each of `parts`, naming those it lacks."""
    message = str(info.value)
    missing = [part for part in parts if part not in message]
    assert not missing, f"{missing} not in the message {message!r}"
