"""Shared row validation: column headers (English keys or Russian words) and value parsers.

A ``Columns`` spec maps each header of a file to a canonical key; ``RowReader`` reads one
record's values by key and collects every problem of the row (row number + the column as the
user wrote it) instead of stopping at the first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import TypeVar

from lms_bridge.errors import Problem
from lms_bridge.importers.table import Record, Table

T = TypeVar("T")

EMAIL = re.compile(r"^[^@\s;,<>()\[\]\"']+@[^@\s;,<>()\[\]\"']+\.[^@\s;,<>()\[\]\"'.]{2,}$")
DEFICIT_CODE = re.compile(r"^[0-9A-Za-zА-Яа-яЁё][0-9A-Za-zА-Яа-яЁё.\-]{0,31}$")
"""A deficit code: a letter or digit, then up to 31 letters (Latin or Cyrillic), digits, dots or dashes."""
CODE_SEPARATOR = ";"
INTEGER = re.compile(r"^[+-]?[0-9]{1,9}$")


def normalise(header: str) -> str:
    """Header comparison key: case, ``ё``, surrounding spaces, inner runs of spaces, a trailing ``*``."""
    text = header.replace("\ufeff", "").strip().rstrip("*").strip().lower().replace("ё", "е")
    return re.sub(r"\s+", " ", text)


@dataclass(frozen=True)
class Column:
    key: str
    aliases: tuple[str, ...] = ()  # Russian headers (and other spellings) accepted for this column
    required: bool = False


class Columns:
    def __init__(self, columns: Iterable[Column]):
        self.columns = {c.key: c for c in columns}
        self._by_name: dict[str, str] = {}
        for c in self.columns.values():
            for name in (c.key, *c.aliases):
                self._by_name[normalise(name)] = c.key

    def key_for(self, header: str) -> str | None:
        return self._by_name.get(normalise(header))

    def map_headers(self, table: Table) -> tuple[dict[str, int], dict[str, str], list[Problem]]:
        """Key → column index, key → header as written, and header problems (all fatal)."""
        index: dict[str, int] = {}
        shown: dict[str, str] = {}
        problems: list[Problem] = []
        for i, header in enumerate(table.headers):
            if not header.strip():
                problems.append(Problem(f"столбец {i + 1} без названия", row=1))
                continue
            key = self.key_for(header)
            if key is None:
                problems.append(Problem("неизвестный столбец", row=1, field=header.strip()))
            elif key in index:
                problems.append(
                    Problem(f"столбец повторяется (уже есть «{shown[key]}»)", row=1, field=header.strip())
                )
            else:
                index[key] = i
                shown[key] = header.strip()
        for c in self.columns.values():
            if c.required and c.key not in index:
                names = " / ".join(f"«{n}»" for n in (c.key, *c.aliases[:1]))
                problems.append(Problem(f"нет обязательного столбца {names}", row=1, field=c.key))
        return index, shown, problems


class RowReader:
    """Values of one record by key; every parse failure is added to ``problems`` and yields None."""

    def __init__(self, record: Record, index: Mapping[str, int], shown: Mapping[str, str]):
        self.record = record
        self.index = index
        self.shown = shown
        self.problems: list[Problem] = []

    @property
    def number(self) -> int:
        return self.record.number

    def field_name(self, key: str) -> str:
        return self.shown.get(key, key)

    def fail(self, key: str | None, message: str) -> None:
        self.problems.append(
            Problem(message, row=self.record.number, field=self.field_name(key) if key else None)
        )

    def has(self, key: str) -> bool:
        return key in self.index

    def text(self, key: str, *, required: bool = False, max_length: int | None = None) -> str:
        i = self.index.get(key)
        value = self.record.cells[i].strip() if i is not None and i < len(self.record.cells) else ""
        if required and not value:
            self.fail(key, "обязательное поле не заполнено")
        if max_length is not None and len(value) > max_length:
            self.fail(
                key, f"слишком длинное значение: {len(value)} знаков, допускается не более {max_length}"
            )
            return ""
        return value

    def email(self, key: str) -> str | None:
        value = self.text(key, required=True).lower()
        if not value:
            return None
        if not EMAIL.match(value):
            self.fail(key, f"«{value}» — не адрес электронной почты")
            return None
        return value

    def date(self, key: str, *, today: date | None = None, required: bool = True) -> date | None:
        value = self.text(key, required=required)
        if not value:
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.fail(key, f"«{value}» — не дата; ожидается ГГГГ-ММ-ДД или ДД.ММ.ГГГГ")
            return None
        if today is not None and parsed > today:
            self.fail(key, f"дата {parsed:%d.%m.%Y} ещё не наступила")
            return None
        return parsed

    def choice(self, key: str, parse: Callable[[str], T], *, required: bool = False) -> T | None:
        """A closed-vocabulary value, e.g. ``row.choice("level", Level.parse)``."""
        value = self.text(key, required=required)
        return self.choice_value(key, value, parse) if value else None

    def choice_value(self, key: str, value: str, parse: Callable[[str], T]) -> T | None:
        """Parse one value of column ``key`` (e.g. one item of a ``;`` list)."""
        try:
            return parse(value)
        except ValueError as e:
            self.fail(key, str(e))
            return None

    def problems_in(self, key: str) -> bool:
        name = self.field_name(key)
        return any(p.field == name for p in self.problems)

    def codes(self, key: str) -> tuple[str, ...]:
        out: list[str] = []
        for piece in self.text(key).split(CODE_SEPARATOR):
            code = piece.strip()
            if not code:
                continue
            if not DEFICIT_CODE.match(code):
                hint = "; коды разделяются точкой с запятой" if "," in code or " " in code else ""
                self.fail(
                    key,
                    f"«{code}» — недопустимый код: буквы, цифры, точки и дефисы, до 32 знаков{hint}",
                )
                continue
            if code not in out:
                out.append(code)
        return tuple(out)

    def integer(
        self, key: str, *, minimum: int | None = None, maximum: int | None = None, required: bool = False
    ) -> int | None:
        value = self.text(key, required=required)
        if not value:
            return None
        if not INTEGER.match(value):  # int() would also take "1_0" and non-ASCII digits
            self.fail(key, f"«{value}» — не целое число")
            return None
        number = int(value)
        if minimum is not None and number < minimum:
            self.fail(key, f"{number} — число не может быть меньше {minimum}")
            return None
        if maximum is not None and number > maximum:
            self.fail(key, f"{number} — число не может быть больше {maximum}")
            return None
        return number

    def number_value(self, key: str, *, minimum: float | None = None) -> float | None:
        value = self.text(key)
        if not value:
            return None
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            self.fail(key, f"«{value}» — не число")
            return None
        if number != number or number in (float("inf"), float("-inf")):
            self.fail(key, f"«{value}» — не число")
            return None
        if minimum is not None and number < minimum:
            self.fail(key, f"{value} — число не может быть меньше {minimum:g}")
            return None
        return number

    def extra_cells(self, width: int) -> None:
        """Values to the right of the last header are an error (a shifted row, a stray separator)."""
        if any(c.strip() for c in self.record.cells[width:]):
            self.fail(None, "значения за последним столбцом заголовка (лишний разделитель?)")


@lru_cache(maxsize=4096)  # a file has few distinct dates; strptime is slow
def parse_date(value: str) -> date | None:
    # a time of day may follow (a date-time cell of a spreadsheet): the date is what counts
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None
