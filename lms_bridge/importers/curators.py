"""Curators import (CSV/XLSX): who may curate routes — methodists, lecturers, union heads, mentors."""

from __future__ import annotations

from lms_bridge.domain.limits import limit
from lms_bridge.domain.people import Curator
from lms_bridge.domain.vocabulary import CuratorKind
from lms_bridge.errors import ValidationError
from lms_bridge.importers.formats import TABULAR, format_of, read_table
from lms_bridge.importers.rows import Column, Columns, RowReader
from lms_bridge.importers.table import Table

FORMATS = tuple(TABULAR)
COLUMNS = Columns(
    [
        Column("email", ("Электронная почта", "e-mail", "эл. почта", "почта"), required=True),
        Column("full_name", ("ФИО", "Фамилия, имя, отчество"), required=True),
        Column("kind", ("Вид куратора", "Вид", "Тип"), required=True),
        Column("subject", ("Предмет", "Профиль")),
        Column("school", ("Образовательная организация", "ОО", "Школа")),
        Column("municipality", ("Муниципалитет", "Муниципальное образование")),
    ]
)


def parse_curators(table: Table) -> list[Curator]:
    index, shown, problems = COLUMNS.map_headers(table)
    if problems:
        raise ValidationError(problems, source=table.source)
    out: list[Curator] = []
    first_row: dict[str, int] = {}
    for record in table.records:
        row = RowReader(record, index, shown)
        row.extra_cells(len(table.headers))
        email = row.email("email")
        full_name = row.text("full_name", required=True, max_length=limit("full_name"))
        kind = row.choice("kind", CuratorKind.parse, required=True)
        if email is not None and email in first_row:
            row.fail("email", f"куратор с этим адресом уже есть в строке {first_row[email]}")
        if row.problems or email is None or kind is None:
            problems.extend(row.problems)
            continue
        first_row[email] = record.number
        out.append(
            Curator(
                email=email,
                full_name=full_name,
                kind=kind,
                subject=row.text("subject", max_length=limit("subject")),
                school=row.text("school", max_length=limit("school")),
                municipality=row.text("municipality", max_length=limit("municipality")),
            )
        )
    if problems:
        raise ValidationError(problems, source=table.source)
    return out


def read_curators(data: bytes, source: str, *, fmt: str | None = None) -> list[Curator]:
    """All curators of the file, or ValidationError listing every bad row (nothing partial)."""
    return parse_curators(read_table(data, source, format_of(source, fmt, FORMATS)))
