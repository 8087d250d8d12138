"""The documentation site: it builds strictly, its code runs and type-checks, and
every public name has an API entry with a signature and a complete docstring."""

from __future__ import annotations

import atexit
import configparser
import contextlib
import functools
import http.server
import inspect
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import traceback
import types
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from docs_blocks import DOCS, ERROR_MARK, ROOT, Page, as_mypy_case, pages
from typecheck_runner import (
    CASES,
    CHECKERS,
    check_as_a_user,
    divergence_tags,
    known_divergences,
    run_mypy,
)

import equimod
import equimod.debug
import equimod.nn

try:
    import tomllib
except ImportError:  # Python 3.10: mypy brings tomli
    import tomli as tomllib

PAGES = pages()
_PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PUBLIC = {"equimod": equimod, "equimod.nn": equimod.nn, "equimod.debug": equimod.debug}


def _where(page: Page, origin: dict[int, tuple[Path, int]], line: int) -> str:
    path, number = origin.get(line, (page.path, 0))
    return f"{path.relative_to(ROOT)}:{number}"


@pytest.mark.parametrize("page", [p for p in PAGES if p.blocks], ids=lambda p: p.name)
def test_page_code_runs(page: Page) -> None:
    source, origin = page.program(runnable_only=True)
    code = compile(source, f"<docs/{page.name}>", "exec")
    # A real module: dataclasses and pickle look classes up through sys.modules.
    module = types.ModuleType("docs_page")
    sys.modules[module.__name__] = module
    try:
        # A warning is an error: a page must not teach what equimod warns against.
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("error")
            # Not the page's doing: orbax-checkpoint (the distributed extra) reads, as
            # it is imported, an API that JAX 0.12.1 deprecates.
            warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"orbax\.")
            exec(code, module.__dict__)
    except Exception as error:
        frames = [
            f for f in traceback.extract_tb(error.__traceback__) if f.filename == code.co_filename
        ]
        where = _where(page, origin, frames[-1].lineno or 0) if frames else page.name
        pytest.fail(f"{where}: {type(error).__name__}: {error}")
    finally:
        del sys.modules[module.__name__]


Origins = dict[str, tuple[Page, dict[int, tuple[Path, int]]]]


def _write_pages(folder: Path, convert: Callable[[str], str]) -> Origins:
    """Each page's code as one module in `folder`, and where its lines come from."""
    origins = {}
    for page in PAGES:
        if not page.blocks:
            continue
        module = "docs_" + re.sub(r"\W", "_", page.name.removesuffix(".md"))
        source, origin = page.program(runnable_only=False)
        (folder / f"{module}.py").write_text(convert(source))
        origins[f"{module}.py"] = (page, origin)
    return origins


def test_page_code_typechecks_with_the_plugin(tmp_path: Path) -> None:
    shutil.copy(CASES / "mypy.ini", tmp_path / "mypy.ini")
    origins = _write_pages(tmp_path, as_mypy_case)
    result = run_mypy(tmp_path, tmp_path / "cache")
    problems = []
    for line in result.output.splitlines():
        match = re.match(r"(\w+\.py):(\d+): (.*)", line)
        if match and match[1] in origins:
            page, origin = origins[match[1]]
            problems.append(f"{_where(page, origin, int(match[2]))}: {match[3]}")
    assert result.ok, "\n".join(problems) or result.output


@pytest.mark.parametrize("checker", [c for c in CHECKERS if c != "mypy"])
def test_page_code_typechecks_under_every_checker(checker: str, tmp_path: Path) -> None:
    """The docs' idioms are clean under pyright, ty and pyrefly too. A line marked
    with a plugin error shows wrong code, and one tagged `# divergence: NAME` a
    checker's known difference: either may be an error to them."""
    origins = _write_pages(tmp_path, lambda source: source)
    marked = set()
    for name in origins:
        for number, line in enumerate((tmp_path / name).read_text().splitlines(), start=1):
            tags = divergence_tags(line)
            assert tags <= known_divergences(), f"{name}:{number}: no such divergence {tags}"
            if ERROR_MARK.search(line) or tags:
                marked.add((name, number))
    run = check_as_a_user(tmp_path, checker)
    problems = list(run.problems)
    for (name, number), codes in sorted(run.reports.items()):
        if (name, number) not in marked and name in origins:
            page, origin = origins[name]
            problems.append(f"{_where(page, origin, number)}: {checker}: {sorted(codes)}")
    assert not problems, "\n".join(problems) + "\n" + run.output


def test_pages_show_wrong_code_for_every_plugin_error_code() -> None:
    from equimod_mypy import _checks
    from mypy.errorcodes import ErrorCode

    codes = {c.code for c in vars(_checks).values() if isinstance(c, ErrorCode)}
    shown = set()
    for page in PAGES:
        for block in page.blocks:
            shown |= set(re.findall(r"#\s*error:\s*\[([\w\-]+)\]", block.code))
    assert codes and codes <= shown


# --- the API pages ---------------------------------------------------------------


def _documented_names() -> set[str]:
    text = "\n".join(p.read_text() for p in (DOCS / "api").glob("*.md"))
    return set(re.findall(r"^::: ([\w.]+)$", text, re.MULTILINE))


def test_every_public_name_has_an_api_entry() -> None:
    expected = {
        f"{module}.{name}"
        for module, namespace in PUBLIC.items()
        for name in namespace.__all__
        if not isinstance(getattr(namespace, name), type(equimod))
    }
    assert _documented_names() == expected


@functools.cache
def built_site() -> Path:
    # A folder of its own: the two ends of the test command run at once.
    site = Path(tempfile.mkdtemp(prefix="equimod-docs-site-"))
    atexit.register(shutil.rmtree, site, ignore_errors=True)
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": str(Path(sys.executable).parent)},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return site.resolve()


@contextlib.contextmanager
def served(site: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200
        return str(response.read().decode())


def test_the_site_builds_strictly_and_serves_every_page() -> None:
    site = built_site()
    nav = re.findall(r":\s*([\w/\-]+)\.md\s*$", (ROOT / "mkdocs.yml").read_text(), re.MULTILINE)
    assert len(nav) >= 15
    with served(site) as base:
        home = _get(base + "/")
        for page in nav:
            url = base + "/" + ("" if page == "index" else page + "/")
            html = _get(url)
            assert 'class="md-nav' in html, f"{page}: no navigation"
        for title in ("Getting started", "Static checking", "Coming from Equinox", "Performance"):
            assert title in home


# Classes that users subclass or catch, never call: they have no constructor to show.
NOT_CALLED = {
    "equimod.Module",
    "equimod.nn.StatefulLayer",
    "equimod.Enumeration",
    "equimod.EquimodRuntimeError",
    "equimod.EquimodTracetimeError",
    "equimod.EquinoxRuntimeError",
    "equimod.EquinoxTracetimeError",
    "equimod.AbstractVar",
    "equimod.AbstractClassVar",
}


def _api_page(module: str) -> str:
    page = {"equimod": "equimod", "equimod.nn": "nn", "equimod.debug": "debug"}[module]
    return (built_site() / "api" / page / "index.html").read_text()


def _api_entry(html: str, qualname: str) -> str:
    """The part of an API page from the heading of `qualname` to the next heading."""
    heading = f'id="{qualname}" class="doc doc-heading"'
    start = html.find(heading)
    assert start >= 0, f"{qualname} is not on its API page"
    return html[start : html.find('class="doc doc-heading"', start + len(heading))]


def test_api_pages_show_each_name_with_its_signature() -> None:
    for module, namespace in PUBLIC.items():
        html = _api_page(module)
        for name in namespace.__all__:
            if isinstance(getattr(namespace, name), type(equimod)):
                continue
            entry = _api_entry(html, f"{module}.{name}")
            if f"{module}.{name}" not in NOT_CALLED:
                assert "doc-signature" in entry, f"{module}.{name} has no signature"


def test_api_pages_name_public_bases_and_show_what_private_ones_define() -> None:
    # A layer that shares its code through a private base (`Conv2d` through
    # `_ConvOfFixedDimension`) names that base's public bases, and shows the public
    # methods and call the private base defines (`LayerNorm.__call__`).
    problems = []
    for module, namespace in PUBLIC.items():
        html = _api_page(module)
        for name in namespace.__all__:
            cls = getattr(namespace, name)
            if not isinstance(cls, type):
                continue
            entry = _api_entry(html, f"{module}.{name}")
            bases = re.sub(r"<[^>]+>", "", "".join(re.findall(r"Bases: (.*?)</p>", entry, re.S)))
            # Without what stands in brackets (type variables), what is left names classes.
            while re.search(r"\[[^][]*\]", bases):
                bases = re.sub(r"\[[^][]*\]", "", bases)
            if re.search(r"(?:^|, )_\w", bases):
                problems.append(f"{module}.{name}: Bases: {bases}")
            for base in cls.__mro__[1:]:
                if not base.__name__.startswith("_"):
                    break  # what a public base defines is shown in its own entry
                for member, value in vars(base).items():
                    public = member == "__call__" or not member.startswith("_")
                    if not (public and inspect.isfunction(value)) or member in vars(cls):
                        continue
                    if f'id="{module}.{name}.{member}"' not in html:
                        problems.append(f"{module}.{name}.{member} is not shown")
    assert problems == [], "\n".join(problems)


def test_the_performance_page_shows_the_benchmark_plot() -> None:
    site = built_site()
    html = (site / "performance" / "index.html").read_text()
    images = re.findall(r'<img[^>]+src="([^"]+benchmark\.png)"', html)
    assert images
    assert (site / "performance" / images[0]).resolve().read_bytes().startswith(b"\x89PNG")
    assert "equimod/baseline" in html  # the benchmark's own table


# --- docstrings ------------------------------------------------------------------

_SECTION_ITEM = re.compile(r"^ {4}(\*{0,2}\w+)(?: \([^)]*\))?:", re.MULTILINE)


_ARGUMENTS_OF = re.compile(r"Its arguments(?:, and [^,]+,)? are those of `(\w+)`")


def _section(doc: str, title: str) -> str | None:
    match = re.search(rf"^{title}:\n((?:(?: {{4}}.*)?\n)+)", doc + "\n", re.MULTILINE)
    return match[1] if match else None


def _parameters(function: object) -> list[str]:
    names = []
    for parameter in inspect.signature(function).parameters.values():  # type: ignore[arg-type]
        if parameter.name in ("self", "cls"):
            continue
        prefix = {parameter.VAR_POSITIONAL: "*", parameter.VAR_KEYWORD: "**"}.get(
            parameter.kind, ""
        )
        names.append(prefix + parameter.name)
    return names


def docstring_problems(qualname: str, obj: object) -> list[str]:
    """What the docstring of a public function, or of a class and its __call__, lacks."""
    problems = []
    if isinstance(obj, type):
        # mkdocstrings shows the class's docstring followed by its __init__'s, which
        # a per-dimension layer inherits (`init=False`).
        init = obj.__init__
        init_doc = inspect.getdoc(init) if inspect.isfunction(init) else None
        doc = "\n\n".join(d for d in (inspect.getdoc(obj), init_doc) if d)
        # A per-dimension layer (`Conv2d`) documents in one line that it is its
        # general class less the dimension: the general class's `Args` count.
        own_doc = inspect.getdoc(obj) or ""
        for base in obj.__mro__[1:]:
            if f"`{base.__name__}` with" in own_doc:
                doc += "\n\n" + (inspect.getdoc(base) or "")
        targets = [(qualname, obj, doc, True)]
        if qualname in NOT_CALLED:
            targets = []
        # Its call and its public methods, as the API page shows them.
        for name, member in vars(obj).items():
            if isinstance(member, (classmethod, staticmethod)):
                member = member.__func__
            member = getattr(member, "__func__", member)  # a method descriptor's function
            if inspect.isfunction(member) and (name == "__call__" or not name.startswith("_")):
                targets.append((f"{qualname}.{name}", member, inspect.getdoc(member) or "", False))
    else:
        targets = [(qualname, obj, inspect.getdoc(obj) or "", False)]
    for where, function, doc, is_class in targets:
        documented = set(_SECTION_ITEM.findall(_section(doc, "Args") or ""))
        # A function that takes another's arguments says so in one line, as
        # `filter_value_and_grad` does of `filter_grad`: the other's `Args` count.
        for name in _ARGUMENTS_OF.findall(doc):
            other = next(vars(n)[name] for n in PUBLIC.values() if name in vars(n))
            other_args = _section(inspect.getdoc(other) or "", "Args") or ""
            documented |= set(_SECTION_ITEM.findall(other_args))
        missing = [p for p in _parameters(function) if p not in documented]
        if missing:
            problems.append(f"{where}: arguments not in an 'Args:' section: {missing}")
        returns = None if is_class else inspect.signature(function).return_annotation  # type: ignore[arg-type]
        if returns not in (None, "None", inspect.Signature.empty) and not (
            _section(doc, "Returns") or _section(doc, "Yields")
        ):
            problems.append(f"{where}: no 'Returns:' section")
    return problems


def test_every_public_name_documents_its_arguments_and_return_value() -> None:
    problems = []
    for module, namespace in PUBLIC.items():
        for name in namespace.__all__:
            obj = getattr(namespace, name)
            if isinstance(obj, type(equimod)):
                continue
            if not (inspect.getdoc(obj) or "").strip():
                problems.append(f"{module}.{name}: no docstring")
                continue
            if callable(obj):
                problems.extend(docstring_problems(f"{module}.{name}", obj))
    assert problems == [], "\n".join(problems)


# --- in a browser ----------------------------------------------------------------

_CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # The machine's network is closed: without these, Chromium keeps trying to reach
    # Google's services.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = "headless Chromium is needed: install Debian's `chromium` package"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def test_the_site_renders_in_a_headless_browser(tmp_path: Path) -> None:
    browser = [_chromium(), *_CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    site = built_site()
    with served(site) as base:
        for page, expected in (
            ("", ["Getting started", "Static checking"]),
            ("api/nn/", ["equimod.nn.Linear", "in_features", "Returns:"]),
            ("performance/", ["equimod/baseline", "benchmark.png"]),
        ):
            done = subprocess.run(
                [*browser, "--dump-dom", f"{base}/{page}"],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            dom = done.stdout
            # The navigation is filled in by the theme's JavaScript.
            assert 'class="md-nav__link' in dom, done.stderr[-2000:]
            for text in expected:
                assert text in dom, f"{page or 'home'}: {text!r} not in the rendered page"
        shot = tmp_path / "api.png"
        subprocess.run(
            [*browser, "--window-size=1280,1600", f"--screenshot={shot}", f"{base}/api/equimod/"],
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 20_000


# --- blocks in other languages ---------------------------------------------------


def _parse_config(language: str, text: str) -> Any:
    if language == "ini":
        parser = configparser.ConfigParser()
        parser.read_string(text)
        return {section: dict(parser[section]) for section in parser.sections()}
    if language == "toml":
        return tomllib.loads(text)
    if language == "yaml":
        return yaml.safe_load(text)
    if language == "json":
        return json.loads(text)
    raise AssertionError(f"no parser for {language!r} blocks: add one here")


def test_configuration_blocks_parse_and_name_what_exists() -> None:
    """Each configuration block parses; a mypy configuration names the plugin that loads."""
    import equimod_mypy

    checked = 0
    for page in PAGES:
        for language, block in page.other_blocks:
            where = f"{block.page.relative_to(ROOT)}:{block.line}"
            if language == "bash":
                for path in re.findall(r"\b((?:scripts|benchmarks|examples)/[\w/.-]+)", block.code):
                    assert (ROOT / path).exists(), f"{where}: {path} does not exist"
                for extra in re.findall(r'\.\[(\w+)\]"', block.code):
                    assert extra in _PROJECT["project"]["optional-dependencies"], where
                checked += 1
                continue
            try:
                config = _parse_config(language, block.code)
            except Exception as error:
                pytest.fail(f"{where}: not valid {language}: {error}")
            text = json.dumps(config)
            if "mypy" in text and "plugins" in text:
                assert "equimod_mypy" in text and equimod_mypy.plugin, where
            checked += 1
    assert checked >= 8
