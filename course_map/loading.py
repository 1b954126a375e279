"""Loading the course map from CSV or XLSX (the same reading rules as the diagnostics import).

Pure parsing from bytes: the caller reads the file and stores the entries. Every bad row is
reported (row number as the user counts it, the column as written); one bad row rejects the map.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from course_map.models import CourseEntry, DecidedBy, EntryKind
from lms_bridge.domain.limits import limit
from lms_bridge.domain.vocabulary import ActivityLevel, Block
from lms_bridge.errors import ValidationError
from lms_bridge.importers.formats import TABULAR, format_of, read_table
from lms_bridge.importers.rows import Column, Columns, RowReader
from lms_bridge.importers.table import Table

FORMATS = tuple(TABULAR)
SITE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
E = TypeVar("E", EntryKind, DecidedBy)

COLUMNS = Columns(
    [
        Column("lms_course", ("Курс в СДО", "Идентификатор курса"), required=True),
        Column("title", ("Название",), required=True),
        Column("kind", ("Вид",), required=True),
        Column("deficit_codes", ("Коды дефицитов", "Дефициты"), required=True),
        Column("blocks", ("Блоки компетенций", "Блоки"), required=True),
        Column("hours", ("Часы", "Объём, ч", "Объем часов"), required=True),
        Column("format", ("Формат", "Форма")),
        Column("level", ("Уровень",), required=True),
        Column("final_item", ("Итоговая аттестация", "Элемент итоговой аттестации")),
        Column("decided_by", ("Зачёт по", "Итог по")),
        Column("pass_grade", ("Проходной балл",)),
        Column("organiser", ("Организатор",)),
        Column("start", ("Начало", "Дата начала")),
        Column("end", ("Окончание", "Дата окончания")),
        Column("weeks", ("Недель", "Продолжительность, недель")),
        Column("sites", ("Сайты СДО", "Сайт СДО")),
    ]
)

_KIND_WORDS = {"курс": EntryKind.COURSE, "дпп": EntryKind.COURSE, "мероприятие": EntryKind.EVENT}
_DECIDED_WORDS = {"оценка": DecidedBy.GRADE, "оценке": DecidedBy.GRADE, "завершение": DecidedBy.COMPLETION}


def _word_parser(enum: type[E], words: dict[str, E]) -> Callable[[str], E]:
    def parse(text: str) -> E:
        key = text.strip().lower().replace("ё", "е")
        for member in enum:
            if key == member.value:
                return member
        if key in words:
            return words[key]
        allowed = ", ".join(f"{m.value}|{w}" for w, m in words.items())
        raise ValueError(f"«{text}» — недопустимое значение; допустимо: {allowed}")

    return parse


parse_kind = _word_parser(EntryKind, _KIND_WORDS)
parse_decided_by = _word_parser(DecidedBy, _DECIDED_WORDS)


def _blocks(row: RowReader) -> tuple[Block, ...]:
    out: list[Block] = []
    for piece in row.text("blocks").split(";"):
        if not piece.strip():
            continue
        block = row.choice_value("blocks", piece, Block.parse)
        if block is not None and block not in out:
            out.append(block)
    return tuple(out)


# optional text columns → their row in the domain's limits table (domain/limits.py)
_TEXT = {"format": "course_format", "final_item": "final_item", "organiser": "organiser"}


def parse_row(row: RowReader) -> CourseEntry | None:
    lms_course = row.text("lms_course", required=True, max_length=limit("lms_course"))
    title = row.text("title", required=True, max_length=limit("title"))
    text = {key: row.text(key, max_length=limit(name)) for key, name in _TEXT.items()}
    kind = row.choice("kind", parse_kind, required=True)
    codes = row.codes("deficit_codes")
    if not codes and not row.problems_in("deficit_codes"):
        row.fail("deficit_codes", "нужен хотя бы один код дефицита: иначе курс никому не рекомендуется")
    blocks = _blocks(row)
    hours = row.integer("hours", minimum=0, required=True)
    if hours == 0 and kind is EntryKind.COURSE:
        row.fail("hours", "у курса ДПП объём должен быть больше 0 часов")
    level = row.choice("level", ActivityLevel.parse, required=True)
    decided_by = row.choice("decided_by", parse_decided_by) or DecidedBy.GRADE
    pass_grade = row.number_value("pass_grade", minimum=0)
    start, end, weeks = _schedule(row)
    if row.problems or kind is None or hours is None or level is None:
        return None
    return CourseEntry(
        lms_course=lms_course,
        title=title,
        kind=kind,
        deficit_codes=codes,
        blocks=blocks,
        hours=hours,
        format=text["format"],
        level=level,
        final_item=text["final_item"],
        decided_by=decided_by,
        pass_grade=pass_grade,
        organiser=text["organiser"],
        start=start,
        end=end,
        weeks=weeks,
        sites=_sites(row),
    )


def _sites(row: RowReader) -> tuple[str, ...]:
    """The LMS site names, separated by «;» or «,» (empty: the course lives on every site)."""
    out: list[str] = []
    for piece in row.text("sites").replace(",", ";").split(";"):
        name = piece.strip()
        if not name:
            continue
        if not SITE_NAME.match(name):
            row.fail("sites", f"«{name}» — не имя сайта СДО (строчные латинские буквы, цифры, «-», «_»)")
        elif name not in out:
            out.append(name)
    return tuple(out)


def _schedule(row: RowReader) -> tuple[date | None, date | None, int | None]:
    """Planned dates (``start``, ``end``) or a duration in ``weeks``; dates win when both are given."""
    start = row.date("start", required=False)
    end = row.date("end", required=False)
    weeks = row.integer("weeks", minimum=1)
    if start and end and end < start:
        row.fail("end", f"окончание {end:%d.%m.%Y} раньше начала {start:%d.%m.%Y}")
    if (start is None) != (end is None) and weeks is None:
        row.fail("end" if end is None else "start", "укажите обе даты (начало и окончание) или число недель")
    return start, end, weeks


def parse_course_map(table: Table) -> list[CourseEntry]:
    index, shown, problems = COLUMNS.map_headers(table)
    if problems:
        raise ValidationError(problems, source=table.source)
    entries: list[CourseEntry] = []
    first_row: dict[str, int] = {}
    for record in table.records:
        row = RowReader(record, index, shown)
        row.extra_cells(len(table.headers))
        entry = parse_row(row)
        ref = row.text("lms_course")
        if ref and ref in first_row:
            row.fail("lms_course", f"курс «{ref}» уже описан в строке {first_row[ref]}")
        elif ref:
            first_row[ref] = record.number
        problems.extend(row.problems)
        if entry is not None and not row.problems:
            entries.append(entry)
    if problems:
        raise ValidationError(problems, source=table.source)
    return entries


def load_course_map(data: bytes, source: str, *, fmt: str | None = None) -> list[CourseEntry]:
    """The course map in ``data`` (CSV or XLSX), or ValidationError listing every bad row."""
    return parse_course_map(read_table(data, source, format_of(source, fmt, FORMATS)))
