"""Loading the catalogue (the course map) from CSV or XLSX (the same reading rules as the diagnostics import).

Pure parsing from bytes: the caller reads the file and stores the entries. Every bad row is
reported (row number as the user counts it, the column as written); one bad row rejects the map.
The catalogue's columns (source, capacity, prerequisites, internship site, annotation) are optional:
a course map written before them loads as it did.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from datetime import date
from typing import Any, TypeVar

from course_map.models import (
    SOURCE_LABELS,
    CourseEntry,
    DecidedBy,
    Education,
    EntryKind,
    InternshipSite,
    Prerequisites,
    Source,
)
from course_map.prerequisites import education_of
from lms_bridge.domain.limits import limit
from lms_bridge.domain.vocabulary import ActivityLevel, Block
from lms_bridge.errors import Problem, ValidationError
from lms_bridge.importers.formats import TABULAR, format_of, read_table
from lms_bridge.importers.rows import Column, Columns, RowReader
from lms_bridge.importers.table import Table

FORMATS = tuple(TABULAR)
SITE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
E = TypeVar("E", EntryKind, DecidedBy, Source)

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
        Column("source", ("Источник",)),
        Column("capacity", ("Мест", "Количество мест")),
        Column("required_education", ("Требуемое образование", "Образование")),
        Column("required_positions", ("Должности", "Для должностей")),
        Column("required_courses", ("Предварительные курсы", "Сначала пройти")),
        Column("internship_site", ("Стажировочная площадка", "Площадка")),
        Column("annotation", ("Аннотация",)),
    ]
)

_KIND_WORDS = {
    "курс": EntryKind.COURSE,
    "дпп": EntryKind.COURSE,
    "мероприятие": EntryKind.EVENT,
    "стажировка": EntryKind.INTERNSHIP,
}
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
_SOURCE_WORDS = {
    **{label.lower().replace("ё", "е"): source for source, label in SOURCE_LABELS.items()},
    "фрдпп": Source.FEDERAL_REGISTRY,
    "федеральный реестр": Source.FEDERAL_REGISTRY,
    "академия": Source.ACADEMY,
    "региональный": Source.REGIONAL,
    "муниципальный": Source.MUNICIPAL,
    "школьный": Source.SCHOOL,
    "оо": Source.SCHOOL,
}
parse_source = _word_parser(Source, _SOURCE_WORDS)


def parse_education(text: str) -> Education:
    key = text.strip().lower()
    for member in Education:
        if key == member.value:
            return member
    found = education_of(text)
    if found is None:
        raise ValueError(f"«{text}» — недопустимое значение; допустимо: высшее, среднее профессиональное")
    return found


def _list(row: RowReader, key: str) -> tuple[str, ...]:
    """A ``;``-separated list of short texts (positions, topics, tutors), each within a line's limit."""
    out: list[str] = []
    for piece in row.text(key).split(";"):
        item = piece.strip()
        if len(item) > limit("full_name"):
            row.fail(
                key,
                f"слишком длинное значение: {len(item)} знаков, допускается не более {limit('full_name')}",
            )
        elif item and item not in out:
            out.append(item)
    return tuple(out)


def _prerequisites(row: RowReader) -> Prerequisites:
    education = row.choice("required_education", parse_education)
    courses = row.codes("required_courses") if row.has("required_courses") else ()
    ref = row.text("lms_course")
    if ref and ref in courses:
        row.fail("required_courses", f"курс «{ref}» не может требовать сам себя")
    return Prerequisites(education, _list(row, "required_positions"), courses)


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
_TEXT = {
    "format": "course_format",
    "final_item": "final_item",
    "organiser": "organiser",
    "internship_site": "lms_course",
    "annotation": "annotation",
}


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
    extra = _catalogue(row, kind, text["internship_site"])
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
        **extra,
        internship_site=text["internship_site"],
        annotation=text["annotation"],
        sites=_sites(row),
    )


def _catalogue(row: RowReader, kind: EntryKind | None, site: str) -> dict[str, Any]:
    """The catalogue's columns: source, places, prerequisites; an internship names its site."""
    source = row.choice("source", parse_source)
    capacity = row.integer("capacity", minimum=1)
    prerequisites = _prerequisites(row)
    if kind is EntryKind.INTERNSHIP and not site:
        row.fail(
            "internship_site", "у стажировки укажите стажировочную площадку (её код из реестра площадок)"
        )
    elif kind is not None and kind is not EntryKind.INTERNSHIP and site:
        row.fail("internship_site", "площадка указывается только у стажировки (вид «стажировка»)")
    return {"source": source, "capacity": capacity, "prerequisites": prerequisites}


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


def parse_course_map(table: Table, sites: Collection[str] | None = None) -> list[CourseEntry]:
    """The entries of ``table``; with ``sites`` (the register's codes) an internship must name one of them."""
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
        site = row.text("internship_site")
        if sites is not None and site and site not in sites:
            row.fail(
                "internship_site",
                f"стажировочной площадки «{site}» нет в реестре площадок (загрузите его раньше)",
            )
        problems.extend(row.problems)
        if entry is not None and not row.problems:
            entries.append(entry)
    problems.extend(
        _unknown_prerequisites(entries, first_row, shown.get("required_courses", "required_courses"))
    )
    if problems:
        raise ValidationError(problems, source=table.source)
    return entries


def _unknown_prerequisites(entries: list[CourseEntry], rows: dict[str, int], field: str) -> list[Problem]:
    """An earlier course a row requires must be a ДПП of the catalogue (else nobody could ever enrol: a
    done ДПП is what the check finds in the teacher's routes)."""
    kinds = {e.lms_course: e.kind for e in entries}
    out = []
    for e in entries:
        for ref in e.prerequisites.courses:
            if ref not in rows:
                why = f"курса «{ref}» нет в каталоге: требовать можно только курс ДПП каталога"
            elif kinds.get(ref, EntryKind.COURSE) is not EntryKind.COURSE:
                why = f"«{ref}» — не курс ДПП: требовать можно только пройденный курс ДПП"
            else:
                continue
            out.append(Problem(why, row=rows[e.lms_course], field=field))
    return out


def load_course_map(
    data: bytes, source: str, *, fmt: str | None = None, sites: Collection[str] | None = None
) -> list[CourseEntry]:
    """The catalogue in ``data`` (CSV or XLSX), or ValidationError listing every bad row."""
    return parse_course_map(read_table(data, source, format_of(source, fmt, FORMATS)), sites)


SITE_COLUMNS = Columns(
    [
        Column("code", ("Код площадки", "Код"), required=True),
        Column("school", ("Образовательная организация", "ОО"), required=True),
        Column("municipality", ("Муниципальное образование",)),
        Column("topics", ("Тематика", "Темы"), required=True),
        Column("deficit_codes", ("Коды дефицитов", "Дефициты")),
        Column("places", ("Мест", "Количество мест"), required=True),
        Column("period_start", ("Начало периода",)),
        Column("period_end", ("Окончание периода",)),
        Column("tutors", ("Тьюторы",)),
    ]
)


def parse_site_row(row: RowReader) -> InternshipSite | None:
    code = row.text("code", required=True, max_length=limit("lms_course"))
    school = row.text("school", required=True, max_length=limit("school"))
    municipality = row.text("municipality", max_length=limit("municipality"))
    topics = _list(row, "topics")
    if not topics and not row.problems_in("topics"):
        row.fail("topics", "обязательное поле не заполнено")
    codes = row.codes("deficit_codes")
    places = row.integer("places", minimum=0, required=True)
    start = row.date("period_start", required=False)
    end = row.date("period_end", required=False)
    if start and end and end < start:
        row.fail("period_end", f"окончание {end:%d.%m.%Y} раньше начала {start:%d.%m.%Y}")
    tutors = _list(row, "tutors")
    if row.problems or places is None:
        return None
    return InternshipSite(code, school, topics, codes, places, start, end, tutors, municipality)


def parse_sites(table: Table) -> list[InternshipSite]:
    index, shown, problems = SITE_COLUMNS.map_headers(table)
    if problems:
        raise ValidationError(problems, source=table.source)
    sites: list[InternshipSite] = []
    first_row: dict[str, int] = {}
    for record in table.records:
        row = RowReader(record, index, shown)
        row.extra_cells(len(table.headers))
        site = parse_site_row(row)
        code = row.text("code")
        if code and code in first_row:
            row.fail("code", f"площадка «{code}» уже описана в строке {first_row[code]}")
        elif code:
            first_row[code] = record.number
        problems.extend(row.problems)
        if site is not None and not row.problems:
            sites.append(site)
    if problems:
        raise ValidationError(problems, source=table.source)
    return sites


def load_sites(data: bytes, source: str, *, fmt: str | None = None) -> list[InternshipSite]:
    """The register of internship sites in ``data`` (CSV or XLSX), or ValidationError naming every bad
    row."""
    return parse_sites(read_table(data, source, format_of(source, fmt, FORMATS)))
