"""CSV: UTF-8 with or without a BOM, separated by commas or semicolons (Russian Excel writes ``;``)."""

from __future__ import annotations

import csv
import io

from lms_bridge.errors import Problem, ValidationError
from lms_bridge.importers.table import Record, Table

_BOM = b"\xef\xbb\xbf"


def decode(data: bytes, source: str) -> str:
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValidationError(
            [
                Problem(
                    f"файл не в кодировке UTF-8 (байт {e.start + 1}); "
                    "сохраните его как «CSV UTF-8 (разделитель — запятая или точка с запятой)»"
                )
            ],
            source=source,
        ) from None
    if "\x00" in text:
        raise ValidationError(
            [Problem("файл содержит двоичные данные (символ NUL): это не CSV")], source=source
        )
    return text


def detect_delimiter(text: str) -> str:
    """``;`` when the header line has more semicolons than commas (outside quotes), else ``,``."""
    counts = {",": 0, ";": 0}
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "\r\n":
            break
        elif not quoted and ch in counts:
            counts[ch] += 1
    return ";" if counts[";"] > counts[","] else ","


def read_csv(data: bytes, source: str) -> Table:
    text = decode(data, source)
    delimiter = detect_delimiter(text)
    if text[:4].lower() == "sep=" and text[5:6] in ("\r", "\n", ""):
        # Excel's own hint line (``sep=;``): it hides it, so the header is still row 1 for the user
        delimiter, text = text[4], text[5:].lstrip("\r\n")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        rows = list(reader)
    except csv.Error as e:
        raise ValidationError(
            [Problem(f"файл не читается как CSV: {e}", row=reader.line_num or None)], source=source
        ) from None
    if not rows or not any(c.strip() for c in rows[0]):
        raise ValidationError([Problem("нет строки заголовка: первая строка пуста", row=1)], source=source)
    header = rows[0]
    while header and not header[-1].strip():  # a trailing separator Excel leaves behind
        header = header[:-1]
    records = [
        Record(number, tuple(row))
        for number, row in enumerate(rows[1:], start=2)
        if any(c.strip() for c in row)
    ]
    return Table(source=source, headers=tuple(header), records=records)
