"""The registry of routes out as CSV, XLSX or JSON: one ``route_summary`` line per route.

No diagnostic details here (levels, deficit codes stay on the card, 003 App.2 §6.3). CSV and XLSX
carry Russian column headers for people; JSON keeps the English keys of ``route_summary``
(the same contract as ``routes list --json``). Cells go through ``exporters/cells.py``: a name
that looks like a formula is written as text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from io import BytesIO, StringIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from lms_bridge.exporters.card_text import fmt_date
from lms_bridge.exporters.cells import csv_row, csv_writer, xlsx_row

Row = Mapping[str, Any]

COLUMNS: tuple[tuple[str, str], ...] = (
    ("number", "Номер ИОМ"),
    ("teacher", "ФИО педагога"),
    ("school", "Образовательная организация"),
    ("municipality", "Муниципальное образование"),
    ("status_label", "Статус"),
    ("curator", "Куратор"),
    ("done", "Выполнено мероприятий"),
    ("total", "Всего мероприятий"),
    ("deadline", "Срок"),
    ("overdue", "Срок нарушен"),
)
FORMATS = ("csv", "xlsx", "json")
CSV_DELIMITER = ";"  # what Excel with Russian regional settings splits on when it opens a .csv


def _deadline(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _cells(row: Row) -> list[Any]:
    """Typed values in column order: numbers stay numbers, the deadline a date, flags «да»/«нет»."""
    out: list[Any] = []
    for key, _ in COLUMNS:
        value = row.get(key)
        if key == "deadline":
            value = _deadline(value)
        elif key == "overdue":
            value = "да" if value else "нет"
        out.append(value)
    return out


def registry_csv(rows: Iterable[Row]) -> bytes:
    """UTF-8 with a BOM (so Excel detects the encoding), ``;``-separated, dates as ДД.ММ.ГГГГ."""
    buf = StringIO()
    writer = csv_writer(buf, delimiter=CSV_DELIMITER)
    writer.writerow([header for _, header in COLUMNS])
    for row in rows:
        writer.writerow(
            csv_row(fmt_date(v) if isinstance(v, date) else ("" if v is None else v) for v in _cells(row))
        )
    return buf.getvalue().encode("utf-8-sig")


def registry_xlsx(rows: Iterable[Row]) -> bytes:
    """One sheet «Реестр ИОМ» with a bold, frozen header row, an autofilter and real date cells."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Реестр ИОМ"
    ws.append([header for _, header in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    count = 0
    for row in rows:
        ws.append(xlsx_row(ws, _cells(row)))
        count += 1
    deadline_col = get_column_letter([k for k, _ in COLUMNS].index("deadline") + 1)
    for cell in ws[deadline_col][1:]:
        cell.number_format = "DD.MM.YYYY"
    widths = (16, 34, 34, 26, 18, 28, 12, 12, 12, 10)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{count + 1}"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def registry_json(rows: Iterable[Row]) -> bytes:
    return json.dumps(list(rows), ensure_ascii=False, indent=2).encode("utf-8")


def export_registry(rows: Sequence[Row], fmt: str) -> bytes:
    """The registry in ``fmt`` (one of ``FORMATS``)."""
    writers = {"csv": registry_csv, "xlsx": registry_xlsx, "json": registry_json}
    if fmt not in writers:
        raise ValueError(f"формат «{fmt}» не поддерживается; возможны: {', '.join(FORMATS)}")
    return writers[fmt](rows)
