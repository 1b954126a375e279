"""The catalogue of activities and the register of internship sites out as CSV or XLSX.

The files are the import's own format (the Russian headers of ``course_map.loading``): an export edited
in a spreadsheet imports back unchanged, so a centre keeps its catalogue in the tool and in Excel alike.
Cells go through ``exporters/cells.py`` (text is never a formula).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from io import BytesIO, StringIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from course_map.loading import COLUMNS, SITE_COLUMNS
from course_map.models import CourseEntry, EntryKind, InternshipSite
from lms_bridge.exporters.cells import csv_row, csv_writer, xlsx_row
from lms_bridge.importers.rows import Columns

FORMATS = ("csv", "xlsx")
CSV_DELIMITER = ";"
_KIND_WORDS = {EntryKind.COURSE: "курс", EntryKind.EVENT: "мероприятие", EntryKind.INTERNSHIP: "стажировка"}


def _joined(items: Iterable[str]) -> str:
    return "; ".join(items)


def entry_cells(e: CourseEntry) -> dict[str, Any]:
    need = e.prerequisites
    return {
        "lms_course": e.lms_course,
        "title": e.title,
        "kind": _KIND_WORDS[e.kind],
        "deficit_codes": _joined(e.deficit_codes),
        "blocks": _joined(b.label for b in e.blocks),
        "hours": e.hours,
        "format": e.format,
        "level": e.level.label,
        "final_item": e.final_item,
        "decided_by": e.decided_by.value,
        "pass_grade": e.pass_grade,
        "organiser": e.organiser,
        "start": e.start,
        "end": e.end,
        "weeks": e.weeks,
        "source": e.source.label if e.source else "",
        "capacity": e.capacity,
        "required_education": need.education.label if need.education else "",
        "required_positions": _joined(need.positions),
        "required_courses": _joined(need.courses),
        "internship_site": e.internship_site,
        "sites": _joined(e.sites),
        "annotation": e.annotation,
    }


def site_cells(s: InternshipSite) -> dict[str, Any]:
    return {
        "code": s.code,
        "school": s.school,
        "municipality": s.municipality,
        "topics": _joined(s.topics),
        "deficit_codes": _joined(s.deficit_codes),
        "places": s.places,
        "period_start": s.period_start,
        "period_end": s.period_end,
        "tutors": _joined(s.tutors),
    }


def _headers(columns: Columns) -> list[tuple[str, str]]:
    """(key, header) in the import's order; the header is the first Russian name the import accepts."""
    return [(c.key, c.aliases[0] if c.aliases else c.key) for c in columns.columns.values()]


def _csv(columns: Columns, rows: Iterable[dict[str, Any]]) -> bytes:
    buf = StringIO()
    writer = csv_writer(buf, delimiter=CSV_DELIMITER)
    heads = _headers(columns)
    writer.writerow([h for _, h in heads])
    for row in rows:
        values = (row.get(k) for k, _ in heads)
        writer.writerow(
            csv_row(f"{v:%d.%m.%Y}" if isinstance(v, date) else ("" if v is None else v) for v in values)
        )
    return buf.getvalue().encode("utf-8-sig")


def _xlsx(columns: Columns, rows: Iterable[dict[str, Any]], title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    heads = _headers(columns)
    ws.append([h for _, h in heads])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(xlsx_row(ws, ["" if row.get(k) is None else row.get(k) for k, _ in heads]))
    for column in ws.iter_cols(min_row=2):
        for cell in column:
            if isinstance(cell.value, date):
                cell.number_format = "DD.MM.YYYY"
    ws.freeze_panes = "A2"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _writer(fmt: str, columns: Columns, title: str) -> Callable[[Iterable[dict[str, Any]]], bytes]:
    if fmt == "csv":
        return lambda rows: _csv(columns, rows)
    if fmt == "xlsx":
        return lambda rows: _xlsx(columns, rows, title)
    raise ValueError(f"формат «{fmt}» не поддерживается; возможны: {', '.join(FORMATS)}")


def export_catalogue(entries: Sequence[CourseEntry], fmt: str) -> bytes:
    return _writer(fmt, COLUMNS, "Каталог мероприятий")(entry_cells(e) for e in entries)


def export_sites(sites: Sequence[InternshipSite], fmt: str) -> bytes:
    return _writer(fmt, SITE_COLUMNS, "Стажировочные площадки")(site_cells(s) for s in sites)
