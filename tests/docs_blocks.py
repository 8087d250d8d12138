"""The Python code blocks of the documentation, as programs the tests run.

Each page's ```python blocks, in order, form one program: later blocks use what
earlier ones defined. A block that marks a line with `# error: [code]` shows
wrong code: it is type-checked (the line must give exactly that mypy error,
under the plugin) but never run. Every other block runs, and is type-checked too.
Blocks in other languages are parsed as what they claim to be (see
tests/test_docs.py). Pages may include files of the repository with `--8<-- "path"` (snippets); the
included text is checked like the page's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

_FENCE = re.compile(r"^(?P<indent> *)```(?P<info>[^\n`]*)$")
ERROR_MARK = re.compile(r"#\s*error:\s*\[(?P<codes>[\w\-, ]+)\]")
_SNIPPET = re.compile(r'^ *--8<-- "(?P<path>[^":]+)(?::(?P<section>[\w\-]+))?"\s*$')


@dataclass
class Block:
    page: Path
    line: int  # 1-based line of the block's first code line in the page
    code: str
    expects_errors: bool


@dataclass
class Page:
    path: Path
    blocks: list[Block] = field(default_factory=list)
    # Blocks in other languages (configuration files, shell commands): language, block.
    other_blocks: list[tuple[str, Block]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.path.relative_to(DOCS))

    def program(self, *, runnable_only: bool) -> tuple[str, dict[int, tuple[Path, int]]]:
        """The blocks as one module, and where each of its lines came from."""
        lines: list[str] = []
        origin: dict[int, tuple[Path, int]] = {}
        for block in self.blocks:
            if runnable_only and block.expects_errors:
                continue
            for offset, text in enumerate(block.code.splitlines()):
                lines.append(text)
                origin[len(lines)] = (block.page, block.line + offset)
        return "\n".join(lines) + "\n", origin


def expand_snippets(text: str) -> str:
    """Replace `--8<-- "path"` and `--8<-- "path:section"` lines by what they include."""
    out = []
    for line in text.splitlines():
        match = _SNIPPET.match(line)
        if match is None:
            out.append(line)
            continue
        included = (ROOT / match["path"]).read_text()
        section = match["section"]
        if section is not None:
            start = included.index(f"--8<-- [start:{section}]")
            end = included.index(f"--8<-- [end:{section}]")
            included = included[included.index("\n", start) + 1 : included.rindex("\n", 0, end)]
        out.extend(included.splitlines())
    return "\n".join(out)


def read_page(path: Path) -> Page:
    page = Page(path)
    lines = expand_snippets(path.read_text()).splitlines()
    number = 0
    while number < len(lines):
        opening = _FENCE.match(lines[number])
        number += 1
        if opening is None or not opening["info"].strip():
            continue
        indent = len(opening["indent"])
        language = opening["info"].split()[0]
        start = number
        while not lines[number].strip().startswith("```"):
            number += 1
        body = [text[indent:] for text in lines[start:number]]
        number += 1
        code = "\n".join(body)
        block = Block(path, start + 1, code, bool(ERROR_MARK.search(code)))
        if language == "python":
            page.blocks.append(block)
        else:
            page.other_blocks.append((language, block))
    return page


def pages() -> list[Page]:
    return [read_page(path) for path in sorted(DOCS.rglob("*.md")) if "api" not in path.parts]


def as_mypy_case(source: str) -> str:
    """`# error: [code]` marks become suppressions that mypy must find used."""
    return ERROR_MARK.sub(lambda m: f"# type: ignore[{m['codes']}]", source)
