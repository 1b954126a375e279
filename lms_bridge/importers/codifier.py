"""The deficit codifier import: code, name, competency block, optional parent code (CSV or XLSX).

All or nothing: any bad row rejects the file (the codifier is replaced whole, so half of one would drop
names). Memory is bounded: the file streams from disk and at most ``MAX_CODES`` rows are accepted (a
region's codifier has tens to a few hundred codes); repeated codes are found as the rows go.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lms_bridge.domain.codifier import DeficitEntry
from lms_bridge.domain.limits import limit
from lms_bridge.domain.vocabulary import Block
from lms_bridge.errors import Problem, ValidationError
from lms_bridge.importers.formats import TABULAR, format_of, open_table, read_table
from lms_bridge.importers.rows import DEFICIT_CODE, Column, Columns, RowReader
from lms_bridge.importers.table import Table

FORMATS = ("csv", "xlsx")
MAX_CODES = 10_000

COLUMNS = Columns(
    [
        Column("code", ("Код", "Код дефицита"), required=True),
        Column("name", ("Наименование", "Наименование дефицита", "Дефицит", "Название"), required=True),
        Column("block", ("Блок компетенций", "Блок")),
        Column("parent", ("Родительский код", "Код раздела", "Раздел")),
    ]
)
_block = lru_cache(maxsize=32)(Block.parse)


@dataclass
class ParsedCodifier:
    source: str
    entries: list[DeficitEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _code(row: RowReader, key: str, *, required: bool) -> str:
    code = row.text(key, required=required)
    if code and not DEFICIT_CODE.match(code):
        row.fail(key, f"«{code}» — недопустимый код: буквы, цифры, точки и дефисы, до 32 знаков")
        return ""
    return code


def _entry(row: RowReader, first_row: dict[str, int]) -> DeficitEntry | None:
    code = _code(row, "code", required=True)
    name = row.text("name", required=True, max_length=limit("deficit_name"))
    block = row.choice("block", _block)
    parent = _code(row, "parent", required=False)
    if code and code in first_row:
        row.fail("code", f"код «{code}» уже есть в строке {first_row[code]}")
    elif code and parent == code:
        row.fail("parent", f"код «{code}» не может быть разделом самого себя")
    if row.problems:
        return None
    first_row[code] = row.number
    return DeficitEntry(code, name, block, parent)


def _rows(table: Table) -> Iterator[RowReader]:
    index, shown, header_problems = COLUMNS.map_headers(table)
    if header_problems:
        raise ValidationError(header_problems + table.problems, source=table.source)
    for n, record in enumerate(table.records, start=1):
        if n > MAX_CODES:
            raise ValidationError(
                [Problem(f"в кодификаторе больше {MAX_CODES} строк: это не кодификатор дефицитов?")],
                source=table.source,
            )
        row = RowReader(record, index, shown)
        row.extra_cells(len(table.headers))
        yield row


def parse_codifier(table: Table) -> ParsedCodifier:
    out = ParsedCodifier(table.source, problems=list(table.problems))
    first_row: dict[str, int] = {}
    parents: list[tuple[int, str, str]] = []  # row, column as written, parent code
    for row in _rows(table):
        entry = _entry(row, first_row)
        out.problems.extend(row.problems)
        if entry is not None:
            out.entries.append(entry)
            if entry.parent:
                parents.append((row.number, row.field_name("parent"), entry.parent))
    for number, column, parent in parents:  # a parent may come after its children
        if parent not in first_row:
            out.problems.append(Problem(f"раздела «{parent}» нет в кодификаторе", row=number, field=column))
    out.problems.sort(key=lambda p: p.row or 0)
    return out


def read_codifier(data: bytes, source: str, fmt: str | None = None) -> ParsedCodifier:
    """A codifier held in memory (tests, small files); raises ValidationError for file-level faults."""
    return parse_codifier(read_table(data, source, format_of(source, fmt, FORMATS), TABULAR))


def load_codifier(path: str | Path, fmt: str | None = None) -> list[DeficitEntry]:
    """The codifier in the file at ``path``, streamed; ValidationError lists every bad row."""
    with open_table(path, format_of(str(path), fmt, FORMATS), TABULAR) as table:
        parsed = parse_codifier(table)
    if parsed.problems:
        raise ValidationError(parsed.problems, source=str(path))
    return parsed.entries
