"""Building diagnostics files in tests: rows as dicts → CSV / XLSX bytes."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
TODAY = date(2026, 11, 22)

HEADER = (
    "email",
    "last_name",
    "first_name",
    "middle_name",
    "school",
    "municipality",
    "position",
    "subject",
    "category",
    "role",
    "diagnostic_kind",
    "diagnostic_date",
    "level_subject",
    "level_methodical",
    "level_staff",
    "deficit_codes",
    "recommendations",
)


def row(n: int = 1, **values: str) -> dict[str, str]:
    base = {
        "email": f"Teacher{n}@School.ru",
        "last_name": f"Иванова{n}",
        "first_name": "Мария",
        "middle_name": "Петровна",
        "school": "МАОУ «СОШ № 15» г. Челябинска",
        "municipality": "г. Челябинск",
        "position": "учитель",
        "subject": "математика",
        "category": "первая",
        "role": "teacher",
        "diagnostic_kind": "standardized",
        "diagnostic_date": "2026-09-15",
        "level_subject": "низкий",
        "level_methodical": "basic",
        "level_staff": "",
        "deficit_codes": "П1.1; М2.3",
        "recommendations": "",
    }
    base.update(values)
    return base


def csv_bytes(
    rows: Sequence[dict[str, str]],
    header: Sequence[str] = HEADER,
    *,
    delimiter: str = ",",
    bom: bool = False,
) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(h, "") for h in HEADER])
    data = out.getvalue().encode("utf-8")
    return b"\xef\xbb\xbf" + data if bom else data


def xlsx_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r in rows:
        ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
