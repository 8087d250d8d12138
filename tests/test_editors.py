"""What editors show, asked over the language server protocol as an editor asks.

Each server (pyright's, which Pylance is built on; ty's; pyrefly's; jedi's) is
started on a sample project outside the checkout, so that it reads the
installed stubs as in a user's project, and asked for the signature pop-up and
the keyword completions inside a call, and for the completions after
`instance.`. Where a server is wrong by its own limits, what it shows is pinned, and
the docs say so: jedi builds the signature of a dataclass-like class from its
fields even where the class writes its own `__init__`, and knows nothing of
converters; every server shows the fields for a subclass that inherits a
hand-written `__init__`, unless it is declared `init=False` (jedi still shows
the fields).
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

import pytest
from lsp_client import LanguageServer, server_command

SAMPLE = textwrap.dedent(
    """
    import jax
    import jax.numpy as jnp

    import equimod


    def to_count(value: str) -> int:
        return int(value)


    class Generated(equimod.Module):
        weight: jax.Array
        scale: float = 1.0


    class HandWritten(equimod.Module):
        size: int

        def __init__(self, in_size: int, *, key: jax.Array) -> None:
            self.size = in_size


    class Converted(equimod.Module):
        count: int = equimod.field(converter=to_count)


    class Sub(Generated):
        extra: str = "x"


    class MyLinear(equimod.nn.Linear):
        pass


    class KeptLinear(equimod.nn.Linear, init=False):
        pass


    @equimod.filter_jit
    def step(model: Generated, x: jax.Array) -> jax.Array:
        return model.weight * x


    g = Generated(jnp.ones(2))
    lin = equimod.nn.Linear(2, 3, key=jax.random.key(0))

    # The editor asks inside each call below, and after each `instance.`.
    """
).lstrip()

LINEAR = ["in_features", "out_features", "use_bias", "dtype", "key"]
LINEAR_FIELDS = ["weight", "bias", "in_features", "out_features", "use_bias"]
CONV2D = ["in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation"]
CONV2D += ["groups", "use_bias", "padding_mode", "dtype", "key"]

# Where the editor asks (a line of its own, `Generated()` with the cursor
# between the brackets), and the parameters the signature shows, in order.
CALLS = {
    "Generated(": ["weight", "scale"],
    "Sub(": ["weight", "scale", "extra"],
    "HandWritten(": ["in_size", "key"],
    # Every server's limit: a subclass that writes no __init__ is shown the
    # generated one, its fields, where the run time keeps the inherited
    # hand-written one (DIVERGENCES.md, inherited-user-init).
    "MyLinear(": LINEAR_FIELDS,
    # ... unless the class says `init=False`.
    "KeptLinear(": LINEAR,
    "equimod.nn.Linear(": LINEAR,
    "equimod.nn.Conv2d(": CONV2D,
    "Converted(": ["count"],
    "step(": ["model", "x"],
}
ATTRIBUTES = {"g.": {"weight", "scale"}, "lin.": {"weight", "bias", "in_features", "out_features"}}

# jedi's own limits: a hand-written __init__ is shown as the class's fields,
# and a converter field as the field's type.
JEDI_CALLS = {
    **CALLS,
    "HandWritten(": ["size"],
    "KeptLinear(": LINEAR_FIELDS,
    "equimod.nn.Linear(": LINEAR_FIELDS,
    "equimod.nn.Conv2d(": [
        "num_spatial_dims",
        "weight",
        "bias",
        "in_channels",
        "out_channels",
        "kernel_size",
        "stride",
        "padding",
        "dilation",
        "groups",
        "use_bias",
        "padding_mode",
    ],
}

SERVERS = ["pyright", "ty", "pyrefly", "jedi"]

# A parameter's name in a signature label: after `(` or `,`, before `:`.
_PARAMETER = re.compile(r"[(,]\s*\**(\w+)\s*:")


def parameters(label: str) -> list[str]:
    """The parameter names a signature label shows, `self` left out (pyrefly shows it)."""
    return [name for name in _PARAMETER.findall(label) if name != "self"]


def _project(folder: Path) -> Path:
    """The sample, with each checker's server told which interpreter the project uses."""
    sample = folder / "sample.py"
    probes = [f"{call})" for call in CALLS] + list(ATTRIBUTES)
    sample.write_text(SAMPLE + "".join(f"{probe}\n" for probe in probes))
    (folder / "ty.toml").write_text(f"[environment]\npython = {sys.executable!r}\n")
    (folder / "pyrefly.toml").write_text(f"python-interpreter-path = {sys.executable!r}\n")
    return sample


def _settings(name: str) -> dict[str, object]:
    if name == "pyright":
        return {"configuration": {"python": {"pythonPath": sys.executable}}}
    if name == "jedi":
        return {"initializationOptions": {"workspace": {"environmentPath": sys.executable}}}
    return {}


@pytest.fixture(scope="module", params=SERVERS)
def editor(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp(f"editor-{request.param}")
    sample = _project(folder)
    server = LanguageServer(server_command(request.param), folder, _settings(request.param))
    server.open(sample)
    yield request.param, server, sample
    server.close()


def _position(sample: Path, probe: str) -> tuple[int, int]:
    """The line that starts with `probe` (a call or `instance.`), the cursor after it."""
    for number, line in enumerate(sample.read_text().splitlines()):
        if line in (probe, f"{probe})"):
            return number, len(probe)
    raise AssertionError(f"{probe!r} is not a line of the sample")


@pytest.mark.parametrize("call", sorted(CALLS))
def test_signature_and_keywords_inside_a_call(editor, call: str) -> None:  # type: ignore[no-untyped-def]
    name, server, sample = editor
    expected = (JEDI_CALLS if name == "jedi" else CALLS)[call]
    line, character = _position(sample, call)
    label = server.signature(sample, line, character)
    assert label is not None, f"{name} shows no signature in {call}"
    assert parameters(label) == expected, label
    keywords = {item for item in server.completions(sample, line, character) if item.endswith("=")}
    # Every parameter a keyword can name is offered as one.
    assert {f"{parameter}=" for parameter in expected} <= keywords, sorted(keywords)


def test_a_converter_field_takes_the_converter_input(editor) -> None:  # type: ignore[no-untyped-def]
    name, server, sample = editor
    label = server.signature(sample, *_position(sample, "Converted("))
    assert label is not None
    # jedi shows the field's type, not what its converter takes.
    assert ("count: int" if name == "jedi" else "count: str") in label, label


@pytest.mark.parametrize("instance", sorted(ATTRIBUTES))
def test_fields_complete_after_the_instance(editor, instance: str) -> None:  # type: ignore[no-untyped-def]
    _, server, sample = editor
    offered = server.completions(sample, *_position(sample, instance))
    assert ATTRIBUTES[instance] <= offered, sorted(offered)
