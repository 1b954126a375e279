"""Choosing a reader by the file's format (given, or from the extension) and reading a file safely."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lms_bridge.errors import Problem, ValidationError
from lms_bridge.importers.csv_reader import read_csv
from lms_bridge.importers.table import Table
from lms_bridge.importers.xlsx_reader import read_xlsx

Reader = Callable[[bytes, str], Table]
TABULAR: dict[str, Reader] = {"csv": read_csv, "xlsx": read_xlsx}


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


def read_file(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        reason = "файл не найден"
    except IsADirectoryError:
        reason = "это папка, а не файл"
    except PermissionError:
        reason = "нет прав на чтение файла"
    except OSError as e:
        reason = f"файл не читается ({e.errno})"
    raise ValidationError([Problem(reason)], source=str(path))


def read_table(data: bytes, source: str, fmt: str, readers: dict[str, Reader] = TABULAR) -> Table:
    """Run the reader; whatever a reader raises besides ValidationError becomes one (never a crash)."""
    try:
        return readers[fmt](data, source)
    except ValidationError:
        raise
    except Exception as e:  # the contract: bad input only ever yields ValidationError
        raise ValidationError(
            [Problem(f"файл не читается как {fmt.upper()} ({type(e).__name__})")], source=source
        ) from None
