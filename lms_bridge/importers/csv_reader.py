"""CSV: UTF-8 with or without a BOM, separated by commas or semicolons (Russian Excel writes ``;``).

The file is read as a stream, one physical line at a time (a line is capped at ``MAX_LINE_BYTES``,
so a file without line breaks cannot fill the memory), and records are yielded as they are parsed.
A decoding fault is reported at its byte position in the file, as when the file was read whole.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from itertools import chain
from typing import BinaryIO

from lms_bridge.errors import Problem, ValidationError
from lms_bridge.importers.table import Record, Table

_BOM = b"\xef\xbb\xbf"
MAX_LINE_BYTES = 1 << 20  # the longest text field is a few thousand characters
_LONE_CR = re.compile(r"(?<=\r)(?!\n)")  # old Mac line ends: split after a CR not followed by LF


def _fail(message: str, source: str, row: int | None = None) -> ValidationError:
    return ValidationError([Problem(message, row=row)], source=source)


def _decoded_lines(stream: BinaryIO, source: str) -> Iterator[str]:
    offset = 0
    while raw := stream.readline(MAX_LINE_BYTES + 1):
        if len(raw) > MAX_LINE_BYTES:
            raise _fail(f"строка файла длиннее {MAX_LINE_BYTES >> 20} МБ: это не таблица CSV", source)
        start = len(_BOM) if offset == 0 and raw.startswith(_BOM) else 0
        try:
            line = raw[start:].decode("utf-8")
        except UnicodeDecodeError as e:
            raise _fail(
                f"файл не в кодировке UTF-8 (байт {offset + start + e.start + 1}); "
                "сохраните его как «CSV UTF-8 (разделитель — запятая или точка с запятой)»",
                source,
            ) from None
        if "\x00" in line:
            raise _fail("файл содержит двоичные данные (символ NUL): это не CSV", source)
        offset += len(raw)
        yield from _LONE_CR.split(line) if "\r" in line.rstrip("\r\n") else (line,)


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


def _header_lines(lines: Iterator[str]) -> tuple[list[str], str]:
    """The physical lines of the header record (a quoted header cell may span lines) and the delimiter."""
    head = [next(lines, "")]
    if head[0][:4].lower() == "sep=" and head[0][5:6] in ("\r", "\n", ""):
        # Excel's own hint line (``sep=;``): it hides it, so the header is still row 1 for the user
        return [next(lines, "")], head[0][4]
    while "".join(head).count('"') % 2 and (more := next(lines, None)) is not None:
        head.append(more)
    return head, detect_delimiter("".join(head))


def stream_csv(stream: BinaryIO, source: str) -> Table:
    lines = _decoded_lines(stream, source)
    head, delimiter = _header_lines(lines)
    reader = csv.reader(chain(head, lines), delimiter=delimiter, strict=True)
    try:
        header = next(reader, [])
    except csv.Error as e:
        raise _fail(f"файл не читается как CSV: {e}", source, reader.line_num or None) from None
    if not any(c.strip() for c in header):
        raise _fail("нет строки заголовка: первая строка пуста", source, 1)
    while header and not header[-1].strip():  # a trailing separator Excel leaves behind
        header = header[:-1]
    return Table(source=source, headers=tuple(header), records=_records(reader, source))


def _records(reader: Iterator[list[str]], source: str) -> Iterator[Record]:
    try:
        for number, row in enumerate(reader, start=2):
            if any(c.strip() for c in row):
                yield Record(number, tuple(row))
    except csv.Error as e:
        raise _fail(f"файл не читается как CSV: {e}", source, getattr(reader, "line_num", None)) from None
