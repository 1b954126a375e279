"""XLSX: the first worksheet, header in row 1, read in openpyxl's streaming (read-only) mode."""

from __future__ import annotations

import io
import warnings
import zipfile
from datetime import date, datetime, time
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from lms_bridge.errors import Problem, ValidationError
from lms_bridge.importers.table import Record, Table


def cell_text(value: Any) -> str:
    """A cell as the text a person sees: dates ISO, whole numbers without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(data: bytes, source: str) -> Table:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ValidationError([Problem("файл не является книгой Excel (XLSX)")], source=source)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not read; they do not matter here
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                ws = wb.worksheets[0] if wb.worksheets else None
                if ws is None:
                    raise ValidationError([Problem("в книге нет ни одного листа")], source=source)
                if isinstance(ws, ReadOnlyWorksheet):
                    # streaming mode trusts the sheet's <dimension>, which some exporters write wrong
                    # (openpyxl then silently drops rows and columns): read what is really there
                    ws.reset_dimensions()
                rows = [tuple(cell_text(v) for v in row) for row in ws.iter_rows(values_only=True)]
            finally:
                wb.close()
    except ValidationError:
        raise
    except Exception as e:  # a broken workbook fails in many library-specific ways
        raise ValidationError(
            [Problem(f"книга Excel повреждена или не читается ({type(e).__name__})")], source=source
        ) from None
    if not rows or not any(c.strip() for c in rows[0]):
        raise ValidationError([Problem("нет строки заголовка: первая строка пуста", row=1)], source=source)
    header = rows[0]
    while header and not header[-1].strip():  # trailing formatted-but-empty columns
        header = header[:-1]
    records = [
        Record(number, row) for number, row in enumerate(rows[1:], start=2) if any(c.strip() for c in row)
    ]
    return Table(source=source, headers=header, records=records)
