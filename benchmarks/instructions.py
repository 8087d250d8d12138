"""The benchmark rows counted in instructions (callgrind), for comparing two versions.

`bench.py` times each row, and on a shared machine those times move by 30-40 %
from run to run, which hides a change of a few per cent. This script counts the
instructions one call of each candidate executes, under valgrind's callgrind:
the same code on the same inputs gives the same count however busy the machine
is, so the effect of a change can be read off one run before and one after.
Instructions are not time (a Python frame and a C++ loop run at different
speeds per instruction), so the README's tables stay timed; a ratio of
instructions tracks the ratio of times only roughly.

    python benchmarks/instructions.py "MLP of depth"          # rows whose name holds it
    python benchmarks/instructions.py --floors "method read"  # floors.py's rows
    python benchmarks/instructions.py --calls 200 construct   # fewer calls: faster
    python benchmarks/instructions.py --write ROWS...         # also write the table into
                                                              # docs/performance.md

Each candidate runs in a process of its own under valgrind (importing JAX there
takes about a minute), two at a time.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable

import bench
import jax

import equimod

_HERE = pathlib.Path(__file__).resolve()
DOCS = bench.ROOT / "docs" / "performance.md"
DOCS_START = "<!-- instruction counts: written by `python benchmarks/instructions.py --write` -->"
DOCS_END = "<!-- end of instruction counts -->"
_WARM_UP_CALLS = 20
# As instrumentation starts, after `calls` calls, and after twice as many.
_DUMPS = 3
# Below the title: a blank line, the table's header and its separator.
_HEAD_LINES = 3
_TOTALS = re.compile(r"^(?:totals|summary): (\d+)", re.MULTILINE)
_MSG_NO_VALGRIND = (
    "instructions.py needs valgrind and callgrind_control on the PATH "
    "(Debian: apt-get install valgrind)"
)
_MSG_COUNT_FAILED = (
    "counting {candidate!r} of {row!r} under callgrind gave no three dumps; its output ended:\n"
    "{output}"
)
_MSG_NO_ROW = "no row's name contains {text!r}; the rows are:\n  {names}"


def _rows(floors: bool) -> list[bench.Row]:
    if floors:
        import floors as floors_module

        return [floor.row for floor in floors_module.build_floors()]
    return bench.build_rows() + bench.build_scaling_rows()


def _candidate(row_name: str, candidate: str, floors: bool) -> Callable[[], object]:
    # Under valgrind, building rows is slow: only the table the row is in.
    if floors:
        rows = _rows(floors)
    elif any(row_name.startswith(f"{kind}, ") for kind in bench.SCALING_KINDS):
        rows = bench.build_scaling_rows()
    else:
        rows = bench.build_rows()
    for row in rows:
        if row.name == row_name:
            return row.candidates[candidate]
    raise SystemExit(_MSG_NO_ROW.format(text=row_name, names=_names(_rows(floors))))


def _names(rows: list[bench.Row]) -> str:
    return "\n  ".join(row.name for row in rows)


def _control(*words: str) -> None:
    # Output to /dev/null: reading it back would run a loop of ours whose length
    # depends on timing, counted with the calls.
    command = ["callgrind_control", *words, str(os.getpid())]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _count_here(row_name: str, candidate: str, calls: int, floors: bool) -> None:
    """Run under callgrind: dumps after `calls` calls and after twice as many more.
    Both stretches begin and end the same way (a dump requested by another program),
    so their difference is `calls` calls alone."""
    call = _candidate(row_name, candidate, floors)
    for _ in range(_WARM_UP_CALLS):
        call()
    _control("--instr=on")
    _control("--dump")
    for repeat in (calls, 2 * calls):
        for _ in range(repeat):
            call()
        _control("--dump")


def _count(row_name: str, candidate: str, calls: int, floors: bool) -> float:
    """Instructions per call of one candidate, counted in a process of its own."""
    with tempfile.TemporaryDirectory() as folder:
        out = pathlib.Path(folder) / "callgrind.out"
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out}",
            sys.executable,
            str(_HERE),
            "--count-here",
            row_name,
            candidate,
            str(calls),
            *(["--floors"] if floors else []),
        ]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        parts = sorted(
            pathlib.Path(folder).glob("callgrind.out.*"), key=lambda p: int(p.suffix[1:])
        )
        if result.returncode == 0 and len(parts) >= _DUMPS:
            once, twice = _total(parts[1]), _total(parts[2])
            if once is not None and twice is not None:
                return (twice - once) / calls
        raise SystemExit(
            _MSG_COUNT_FAILED.format(
                row=row_name, candidate=candidate, output=result.stderr[-2000:]
            )
        )


def _total(part: pathlib.Path) -> int | None:
    """The instruction total of a callgrind dump, or None if it has none."""
    found = _TOTALS.search(part.read_text())
    return int(found.group(1)) if found else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("rows", nargs="*", help="text the rows' names contain (all rows if none)")
    parser.add_argument("--calls", type=int, default=500, help="calls counted per candidate")
    parser.add_argument("--floors", action="store_true", help="floors.py's rows, not bench.py's")
    parser.add_argument("--write", action="store_true", help="write the table into the docs")
    parser.add_argument("--count-here", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.count_here:
        row_name, candidate, calls = args.count_here
        _count_here(row_name, candidate, int(calls), args.floors)
        return 0
    every_row = _rows(args.floors)
    rows = [row for row in every_row if not args.rows or any(t in row.name for t in args.rows)]
    if not rows:
        raise SystemExit(_MSG_NO_ROW.format(text=" ".join(args.rows), names=_names(every_row)))
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        raise SystemExit(_MSG_NO_VALGRIND)
    jobs = [(row.name, name) for row in rows for name in row.candidates]
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        futures = {job: pool.submit(_count, *job, args.calls, args.floors) for job in jobs}
        counts = {job: future.result() for job, future in futures.items()}
    text = render(rows, counts, args.calls)
    print(text)
    if args.write:
        bench.write_between_markers(merged(_written(), text), DOCS, DOCS_START, DOCS_END)
        print(f"wrote {DOCS.relative_to(bench.ROOT)}")
    return 0


def _written() -> str:
    content = DOCS.read_text()
    return content[content.index(DOCS_START) + len(DOCS_START) : content.index(DOCS_END)].strip()


def merged(written: str, text: str) -> str:
    """`text`'s table with the rows of `written` it did not count, in their places, when
    both were counted with the same versions and calls (a run of a few rows then
    updates those rows alone); `text` otherwise."""
    old_title, _, old_table = written.partition("\n")
    title, _, table = text.partition("\n")
    if old_title != title:
        return text
    old_rows, new_rows = _by_operation(old_table), _by_operation(table)
    # Each earlier row in its place (counted again, or as it was), then the new ones.
    rows = {**{op: new_rows.get(op, lines) for op, lines in old_rows.items()}, **new_rows}
    head = table.splitlines()[:_HEAD_LINES]
    return "\n".join([title, *head, *(line for lines in rows.values() for line in lines)])


def _by_operation(table: str) -> dict[str, list[str]]:
    """A table's body lines, by the operation in their first cell."""
    rows: dict[str, list[str]] = {}
    for line in table.splitlines()[_HEAD_LINES:]:
        rows.setdefault(line.split(" | ")[0].removeprefix("| "), []).append(line)
    return rows


def render(rows: list[bench.Row], counts: dict[tuple[str, str], float], calls: int) -> str:
    lines = [
        f"equimod {equimod.__version__}, JAX {jax.__version__}, Python "
        f"{sys.version.split()[0]}; instructions per call over {calls} calls (callgrind)",
        "",
        "| operation | candidate | instructions | ratio |",
        "|---|---|---|---|",
    ]
    for row in rows:
        base = counts[(row.name, row.baseline)]
        for name in row.candidates:
            count = counts[(row.name, name)]
            ratio = f"{count / base:.2f}x {row.baseline}" if base else "-"
            lines.append(f"| {row.name} | {name} | {count:,.0f} | {ratio} |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
