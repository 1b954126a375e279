"""Diagnostics import: one row per person and diagnostic → (Teacher, Diagnostic) pairs → the registry.

All-or-nothing by default: a single bad row rejects the file and nothing is stored. With
``partial=True`` the good rows are stored and the bad ones still reported. Header problems
(unknown or missing columns) always reject the whole file: the meaning of every row is in doubt.

Memory stays flat however long the file is: records stream from the reader, are parsed in batches
of ``BATCH`` rows, which ``services.imports.import_diagnostics`` stores batch by batch inside the
one transaction (rolled back when a bad row rejects the file); repeated rows are found through an
on-disk index (``first_rows``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from lms_bridge.domain.deficits import LEGACY_RULE, DeficitRule
from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.domain.limits import limit
from lms_bridge.domain.people import Teacher
from lms_bridge.domain.vocabulary import (
    FOUR_LEVELS,
    TEACHER_BLOCKS,
    Block,
    DeficitLevel,
    DiagnosticKind,
    Level,
    RouteModel,
    StaffRole,
    blocks_for,
)
from lms_bridge.errors import Problem, ValidationError
from lms_bridge.importers.first_rows import FirstRows
from lms_bridge.importers.formats import TABULAR, Reader, format_of, read_table
from lms_bridge.importers.rows import Column, Columns, RowReader
from lms_bridge.importers.table import Table
from lms_bridge.importers.xml_reader import stream_diagnostics_xml

FORMATS = ("csv", "xlsx", "xml")
READERS: dict[str, Reader] = {**TABULAR, "xml": stream_diagnostics_xml}
BATCH = 2_000  # rows parsed (and then stored) at a time


# A registry file repeats a handful of words 30,000 times: parse each distinct word once.
# (lru_cache does not cache exceptions, so bad values are still reported every time.)
_level = lru_cache(maxsize=512)(Level.parse)
_kind = lru_cache(maxsize=512)(DiagnosticKind.parse)
_role = lru_cache(maxsize=512)(StaffRole.parse)


def level_key(block: Block) -> str:
    return f"level_{block.value}"


def _level_aliases(block: Block) -> tuple[str, ...]:
    short = {Block.ICT: ("ИКТ", "цифровые")}.get(block, ())
    return (block.label, *short)


COLUMNS = Columns(
    [
        Column("email", ("Электронная почта", "e-mail", "эл. почта", "почта"), required=True),
        Column("last_name", ("Фамилия",), required=True),
        Column("first_name", ("Имя",), required=True),
        Column("middle_name", ("Отчество",)),
        Column("school", ("Образовательная организация", "ОО", "Школа")),
        Column("municipality", ("Муниципалитет", "Муниципальное образование")),
        Column("position", ("Должность",)),
        Column("subject", ("Предмет",)),
        Column("category", ("Квалификационная категория", "Категория")),
        # «Информационная справка» of the card: optional, a blank cell keeps what is known
        Column("education", ("Образование",)),
        Column("experience_years", ("Педагогический стаж",)),
        Column("attestation_date", ("Дата аттестации",)),
        Column(
            "recent_courses",
            ("Курсы повышения квалификации за последние 3 года", "Курсы повышения квалификации", "Курсы ПК"),
        ),
        Column("degree", ("Учёная степень",)),
        Column("academic_title", ("Звание", "Учёное звание")),
        Column("awards", ("Награды", "Награды, поощрения")),
        Column("phone", ("Телефон", "Контактный телефон")),
        Column("self_education_theme", ("Тема самообразования",)),
        Column("role", ("Роль",), required=True),
        Column("diagnostic_kind", ("Вид диагностики",), required=True),
        Column("diagnostic_date", ("Дата диагностики",), required=True),
        *(Column(level_key(b), _level_aliases(b)) for b in Block),
        Column("deficit_codes", ("Коды дефицитов", "Дефициты")),
        Column("recommendations", ("Рекомендации",)),
        # the region's profile decides whether these are needed (ImportRules)
        Column("deficit_level", ("Уровень профессиональных дефицитов", "Уровень дефицитов")),
        Column("route_model", ("Модель ИОМ", "Модель маршрута")),
    ]
)


@dataclass(frozen=True)
class ImportRules:
    """What the region's profile asks of a diagnostics file (docs/profiles.md).

    - ``scale``: the levels a block may have (002's four or 004's three);
    - ``grade_rule``: how the grade of deficits is derived when the file does not state it; None: every
      row must state it (column «Уровень профессиональных дефицитов»);
    - ``models``: the route models (003 §2.3) a row may name (column «Модель ИОМ», blank = the first);
    - ``profile``: the profile's name, for messages;
    - ``known_codes``: the codes of the profile's codifier (None: no codifier loaded, codes not checked);
      a code missing from it is a warning naming the row (``unknown_codes = "warn"``) or rejects the row
      (``"reject"``).
    """

    scale: tuple[Level, ...] = FOUR_LEVELS
    grade_rule: DeficitRule | None = LEGACY_RULE
    models: tuple[RouteModel, ...] = (RouteModel.DIAGNOSTIC,)
    profile: str = "chelyabinsk"
    known_codes: frozenset[str] | None = None
    unknown_codes: str = "warn"

    def unknown(self, codes: tuple[str, ...]) -> list[str]:
        return [] if self.known_codes is None else [c for c in codes if c not in self.known_codes]

    def unknown_message(self, codes: list[str]) -> str:
        listed = ", ".join(f"«{c}»" for c in codes)
        return f"нет в кодификаторе профиля «{self.profile}»: {listed}"


DEFAULT_IMPORT_RULES = ImportRules()
_grade = lru_cache(maxsize=16)(DeficitLevel.parse)
_model = lru_cache(maxsize=16)(RouteModel.parse)


# Free-text columns: a longer value than the domain's limit (lms_bridge/domain/limits.py, which also
# keeps within the registry's column widths) is a row problem, not a database error mid-import.
TEXT_COLUMNS = (
    "last_name",
    "first_name",
    "middle_name",
    "school",
    "municipality",
    "position",
    "subject",
    "category",
    "education",
    "phone",
    "recent_courses",
    "degree",
    "academic_title",
    "awards",
    "self_education_theme",
)
MAX_EXPERIENCE_YEARS = 70  # more is a year typed instead of a number of years


def _text(row: RowReader, key: str, *, required: bool = False) -> str:
    return row.text(key, required=required, max_length=limit(key))


@dataclass
class ParsedDiagnostics:
    source: str
    rows: list[tuple[Teacher, Diagnostic]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rejected: set[int] = field(default_factory=set)  # numbers of rows with a problem
    warnings: list[Problem] = field(default_factory=list)  # stored rows a person should look at

    def error(self) -> ValidationError:
        return ValidationError(self.problems, source=self.source)


def _levels(row: RowReader, role: StaffRole | None, rules: ImportRules) -> dict[Block, Level]:
    levels: dict[Block, Level] = {}
    for block in Block:
        level = row.choice(level_key(block), _level)
        if level is None:
            continue
        if level not in rules.scale:
            words = ", ".join(lv.label for lv in rules.scale)
            row.fail(
                level_key(block), f"«{level.label}» — не уровень шкалы профиля «{rules.profile}»: {words}"
            )
            continue
        if role is not None and block not in blocks_for(role):
            wanted = "педагога" if block in TEACHER_BLOCKS else "руководителя"
            row.fail(level_key(block), f"блок компетенций {wanted}, а в строке роль «{role.label}»")
            continue
        levels[block] = level
    return levels


def _grade_and_model(
    row: RowReader, levels: dict[Block, Level], codes: tuple[str, ...], rules: ImportRules
) -> tuple[DeficitLevel | None, RouteModel | None]:
    """The grade of deficits (stated, else by the profile's rule) and the route model of the row."""
    grade = row.choice("deficit_level", _grade, required=rules.grade_rule is None)
    if grade is None and rules.grade_rule is not None and not row.problems_in("deficit_level"):
        grade = rules.grade_rule.level_of(levels.values(), codes)
    model = row.choice("route_model", _model) or rules.models[0]
    if model not in rules.models:
        allowed = ", ".join(m.label for m in rules.models)
        row.fail(
            "route_model", f"«{model.label}» — модель не предусмотрена профилем «{rules.profile}»: {allowed}"
        )
    return grade, model


# long: one field per column, in the file's order; each line is one check
def parse_row(
    row: RowReader, today: date, rules: ImportRules = DEFAULT_IMPORT_RULES
) -> tuple[Teacher, Diagnostic] | None:
    email = row.email("email")
    last_name = _text(row, "last_name", required=True)
    first_name = _text(row, "first_name", required=True)
    role = row.choice("role", _role, required=True)
    kind = row.choice("diagnostic_kind", _kind, required=True)
    on = row.date("diagnostic_date", today=today)
    levels = _levels(row, role, rules)
    codes = row.codes("deficit_codes")
    grade, model = _grade_and_model(row, levels, codes, rules)
    text = {key: _text(row, key) for key in TEXT_COLUMNS if key not in ("last_name", "first_name")}
    experience = row.integer("experience_years", minimum=0, maximum=MAX_EXPERIENCE_YEARS)
    attested = row.date("attestation_date", today=today, required=False)
    if row.problems or email is None or role is None or kind is None or on is None:
        return None
    teacher = Teacher(
        email=email,
        last_name=last_name,
        first_name=first_name,
        middle_name=text["middle_name"],
        school=text["school"],
        municipality=text["municipality"],
        position=text["position"],
        subject=text["subject"],
        category=text["category"],
        staff_role=role,
        education=text["education"],
        experience_years=experience,
        phone=text["phone"],
        attestation_date=attested,
        recent_courses=text["recent_courses"],
        degree=text["degree"],
        academic_title=text["academic_title"],
        awards=text["awards"],
        self_education_theme=text["self_education_theme"],
    )
    diagnostic = Diagnostic(
        teacher_email=email,
        kind=kind,
        date=on,
        levels=levels,
        deficit_codes=codes,
        recommendations=_text(row, "recommendations"),
        stated_deficit_level=grade,
        route_model=model or RouteModel.DIAGNOSTIC,
    )
    return teacher, diagnostic


def _check_row(
    row: RowReader, today: date, seen: FirstRows, rules: ImportRules
) -> tuple[Teacher, Diagnostic] | None:
    pair = parse_row(row, today, rules)
    if pair is None:
        return None
    teacher, d = pair
    unknown = rules.unknown(d.deficit_codes)
    if unknown and rules.unknown_codes == "reject":
        row.fail("deficit_codes", rules.unknown_message(unknown))
        return None
    first = seen.first(f"{teacher.email}\x1f{d.kind.value}\x1f{d.date.isoformat()}", row.number)
    if first is not None:
        row.fail("email", f"повтор строки {first}: тот же педагог, вид и дата диагностики")
        return None
    return pair


def _warn_unknown(out: ParsedDiagnostics, row: RowReader, d: Diagnostic, rules: ImportRules) -> None:
    """A stored row with codes the codifier lacks (the profile says «warn»): named in a warning."""
    unknown = rules.unknown(d.deficit_codes)
    if unknown:
        message = rules.unknown_message(unknown) + " (строка загружена)"
        out.warnings.append(Problem(message, row=row.number, field=row.field_name("deficit_codes")))


def parse_batches(
    table: Table, today: date, *, batch: int | None = None, rules: ImportRules = DEFAULT_IMPORT_RULES
) -> Iterator[ParsedDiagnostics]:
    """The table's rows parsed ``batch`` (default ``BATCH``) records at a time; header problems raise
    at once. A row repeating an earlier one is found however far apart they are."""
    batch = batch or BATCH
    index, shown, header_problems = COLUMNS.map_headers(table)
    if rules.grade_rule is None and "deficit_level" not in index:
        header_problems.append(
            Problem(
                f"нет столбца «Уровень профессиональных дефицитов»: профиль «{rules.profile}» берёт уровень "
                "дефицитов (высокий, средний, низкий) из файла диагностики",
                row=1,
                field="deficit_level",
            )
        )
    if header_problems:
        raise ValidationError(header_problems + table.problems, source=table.source)
    out = ParsedDiagnostics(table.source, problems=list(table.problems), rejected=set(table.broken))
    count = 0
    with FirstRows() as seen:
        for record in table.records:
            row = RowReader(record, index, shown)
            row.extra_cells(len(table.headers))
            pair = _check_row(row, today, seen, rules)
            if pair is not None:
                out.rows.append(pair)
                unknown = rules.unknown(pair[1].deficit_codes)
                if unknown:
                    message = rules.unknown_message(unknown) + " (строка загружена)"
                    out.warnings.append(
                        Problem(message, row=row.number, field=row.field_name("deficit_codes"))
                    )
            if row.problems:
                out.problems.extend(row.problems)
                out.rejected.add(record.number)
            count += 1
            if count % batch == 0:
                yield out
                out = ParsedDiagnostics(table.source)
    yield out


def parse_table(table: Table, today: date, rules: ImportRules = DEFAULT_IMPORT_RULES) -> ParsedDiagnostics:
    """The whole table parsed at once (small files and tests); see ``parse_batches``."""
    out = ParsedDiagnostics(table.source)
    for part in parse_batches(table, today, rules=rules):
        out.rows.extend(part.rows)
        out.problems.extend(part.problems)
        out.rejected |= part.rejected
        out.warnings.extend(part.warnings)
    out.problems.sort(key=lambda p: p.row or 0)
    return out


def read_diagnostics(
    data: bytes,
    source: str,
    *,
    today: date,
    fmt: str | None = None,
    rules: ImportRules = DEFAULT_IMPORT_RULES,
) -> ParsedDiagnostics:
    """Parse a diagnostics file (CSV, XLSX or XML). Raises ValidationError only for file-level faults."""
    table = read_table(data, source, format_of(source, fmt, FORMATS), READERS)
    return parse_table(table, today, rules)
