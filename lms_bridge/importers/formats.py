"""Choosing a reader by the file's format (given, or from the extension) and reading a file safely.

Readers take a binary stream and return a ``Table`` whose records may be read lazily. ``read_table``
holds a small file whole (curators, the course map, tests); ``open_table`` streams a file from disk
(the diagnostics import), so memory does not grow with the file. Either way, whatever a reader
raises besides ValidationError becomes one (never a crash), also while the records are iterated.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from lms_bridge.errors import Problem, ValidationError
from lms_bridge.importers.csv_reader import stream_csv
from lms_bridge.importers.table import Record, Table
from lms_bridge.importers.xlsx_reader import stream_xlsx

Reader = Callable[[BinaryIO, str], Table]
TABULAR: dict[str, Reader] = {"csv": stream_csv, "xlsx": stream_xlsx}


def format_of(source: str, given: str | None, allowed: tuple[str, ...]) -> str:
    """The format named on the command line, else the file's extension."""
    fmt = (given or Path(source).suffix.lstrip(".")).lower()
    if fmt not in allowed:
        what = f"формат «{fmt}»" if fmt else "формат не указан и не ясен из расширения"
        raise ValidationError(
            [Problem(f"{what}; поддерживаются: {', '.join(allowed)}")],
            source=source,
        )
    return fmt


def _unreadable(path: str | Path, e: OSError) -> ValidationError:
    if isinstance(e, FileNotFoundError):
        reason = "файл не найден"
    elif isinstance(e, IsADirectoryError):
        reason = "это папка, а не файл"
    elif isinstance(e, PermissionError):
        reason = "нет прав на чтение файла"
    else:
        reason = f"файл не читается ({e.errno})"
    return ValidationError([Problem(reason)], source=str(path))


def read_file(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as e:
        raise _unreadable(path, e) from None


def _not_readable(source: str, fmt: str, e: Exception) -> ValidationError:
    return ValidationError(
        [Problem(f"файл не читается как {fmt.upper()} ({type(e).__name__})")], source=source
    )


def _read(reader: Reader, stream: BinaryIO, source: str, fmt: str) -> Table:
    try:
        table = reader(stream, source)
    except ValidationError:
        raise
    except Exception as e:  # the contract: bad input only ever yields ValidationError
        raise _not_readable(source, fmt, e) from None
    table.records = _guarded(table.records, source, fmt)
    return table


def _guarded(records: Iterable[Record], source: str, fmt: str) -> Iterator[Record]:
    try:
        yield from records
    except ValidationError:
        raise
    except Exception as e:
        raise _not_readable(source, fmt, e) from None


def read_table(data: bytes, source: str, fmt: str, readers: dict[str, Reader] = TABULAR) -> Table:
    """The whole table in memory (records a list)."""
    table = _read(readers[fmt], io.BytesIO(data), source, fmt)
    table.records = list(table.records)
    return table


@contextmanager
def open_table(path: str | Path, fmt: str, readers: dict[str, Reader] = TABULAR) -> Iterator[Table]:
    """The table of the file at ``path``, its records read from disk as they are iterated."""
    try:
        stream = Path(path).open("rb")  # noqa: SIM115 (closed by the with below; open errors mapped here)
    except OSError as e:
        raise _unreadable(path, e) from None
    with stream:
        yield _read(readers[fmt], stream, str(path), fmt)
