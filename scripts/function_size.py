"""Functions over the size limit, each unless it says why: a rule that holds itself (CI and pre-commit).

A function's size is its body without the docstring, in source lines (blank and comment lines count:
they are what a reader scrolls through). Over ``--limit`` (40) lines, the function needs a comment
``# long: <reason>`` on the line above its ``def`` (or first decorator) or on the ``def`` line itself.
Nested functions count on their own and inside their parent. Exit code 1 lists each offender.

    python scripts/function_size.py lms_bridge course_map
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from pathlib import Path

SKIP = ("migrations/versions",)  # Alembic revisions are generated, one upgrade() per schema change
MARK = "# long:"


def _body_start(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    first = fn.body[0]
    is_doc = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    if is_doc and isinstance(first.value.value, str) and len(fn.body) > 1:
        return fn.body[1].lineno
    return first.lineno


def offenders(path: Path, limit: int) -> Iterator[str]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    for node in ast.walk(ast.parse(source, str(path))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        size = (node.end_lineno or node.lineno) - _body_start(node) + 1
        if size <= limit:
            continue
        top = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        around = lines[max(0, top - 2) : node.lineno]
        if not any(MARK in line for line in around):
            yield f"{path}:{node.lineno}: {node.name} has {size} lines (limit {limit}) and no «{MARK} why»"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="+", type=Path, help="packages or files to check")
    parser.add_argument("--limit", type=int, default=40, help="body lines allowed without a reason (40)")
    args = parser.parse_args(argv)
    files = [f for p in args.paths for f in ([p] if p.is_file() else sorted(p.rglob("*.py")))]
    found = [o for f in files if not any(s in f.as_posix() for s in SKIP) for o in offenders(f, args.limit)]
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
