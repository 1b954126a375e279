"""The card's «Информационная справка» columns of the diagnostics import (CSV, XLSX, XML)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from lms_bridge.domain.limits import limit
from lms_bridge.importers.diagnostics import (
    TEXT_COLUMNS,
    ParsedDiagnostics,
    read_diagnostics,
)
from lms_bridge.services.imports import import_diagnostics
from lms_bridge.storage import tables
from lms_bridge.storage.store import SqlRouteStore
from tests.importers.helpers import EXAMPLES, HEADER, TODAY, csv_bytes, row, xlsx_bytes

INFO = {
    "education": "высшее, ЧГПУ, 2009, учитель математики",
    "experience_years": "16",
    "attestation_date": "2023-04-20",
    "recent_courses": "«Функциональная грамотность», 36 ч, 2024; «ФГОС ООО», 72 ч, 2023",
    "degree": "кандидат педагогических наук",
    "academic_title": "Почётный работник воспитания и просвещения РФ",
    "awards": "Грамота Управления образования (2022)",
    "phone": "+7 912 401-15-27",
    "self_education_theme": "Математическая грамотность на уроках геометрии",
}
RUSSIAN = {
    "education": "Образование",
    "experience_years": "Педагогический стаж",
    "attestation_date": "Дата аттестации",
    "recent_courses": "Курсы повышения квалификации за последние 3 года",
    "degree": "Учёная степень",
    "academic_title": "Звание",
    "awards": "Награды",
    "phone": "Контактный телефон",
    "self_education_theme": "Тема самообразования",
}
KEYS = (*HEADER, *INFO)


def table(rows: list[dict[str, str]], names: dict[str, str] | None = None) -> bytes:
    """CSV of ``rows`` with every column, the information columns headed as ``names`` says."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([(names or {}).get(k, k) for k in KEYS])
    w.writerows([r.get(k, "") for k in KEYS] for r in rows)
    return out.getvalue().encode()


def parse(data: bytes, name: str = "d.csv") -> ParsedDiagnostics:
    return read_diagnostics(data, name, today=TODAY)


def test_every_information_column_reaches_the_teacher() -> None:
    parsed = parse(table([row(1, **INFO), row(2)]))
    assert parsed.problems == []
    (full, _), (bare, _) = parsed.rows
    assert full.education == INFO["education"]
    assert full.experience_years == 16
    assert full.attestation_date == date(2023, 4, 20)
    assert full.recent_courses == INFO["recent_courses"]
    assert (full.degree, full.academic_title, full.awards) == (
        INFO["degree"],
        INFO["academic_title"],
        INFO["awards"],
    )
    assert full.phone == "+7 912 401-15-27"
    assert full.self_education_theme == INFO["self_education_theme"]
    # all optional: empty cells are empty values, a blank experience is unknown (not zero)
    assert (bare.education, bare.experience_years, bare.attestation_date, bare.phone) == ("", None, None, "")


def test_russian_headers_and_russian_date_format() -> None:
    values = {**INFO, "attestation_date": "20.04.2023", "experience_years": "0"}
    parsed = parse(table([row(1, **values)], RUSSIAN))
    assert parsed.problems == []
    ((teacher, _),) = parsed.rows
    assert teacher.attestation_date == date(2023, 4, 20)
    assert teacher.experience_years == 0
    assert teacher.self_education_theme == INFO["self_education_theme"]


@pytest.mark.parametrize(
    ("values", "field", "needle"),
    [
        ({"experience_years": "-1"}, "experience_years", "не может быть меньше 0"),
        ({"experience_years": "пять"}, "experience_years", "не целое число"),
        ({"experience_years": "12,5"}, "experience_years", "не целое число"),
        ({"experience_years": "1_0"}, "experience_years", "не целое число"),
        ({"experience_years": "2008"}, "experience_years", "не может быть больше 70"),
        ({"attestation_date": "2023-02-30"}, "attestation_date", "не дата"),
        ({"attestation_date": "весна 2023"}, "attestation_date", "не дата"),
        ({"attestation_date": "2026-12-01"}, "attestation_date", "ещё не наступила"),
        ({"phone": "8" * 51}, "phone", "не более 50"),
        ({"degree": "к" * 201}, "degree", "не более 200"),
        ({"academic_title": "з" * 201}, "academic_title", "не более 200"),
        ({"education": "в" * 301}, "education", "не более 300"),
    ],
)
def test_each_bad_value_is_reported_at_its_row_and_column(
    values: dict[str, str], field: str, needle: str
) -> None:
    parsed = parse(table([row(1, **INFO), row(2, **{**INFO, **values}), row(3)]))
    (problem,) = parsed.problems
    assert (problem.row, problem.field) == (3, field)
    assert needle in problem.message
    assert parsed.rejected == {3}
    assert [t.email for t, _ in parsed.rows] == ["teacher1@school.ru", "teacher3@school.ru"]


def test_problems_name_the_column_as_the_file_writes_it() -> None:
    parsed = parse(table([row(1, experience_years="-3", attestation_date="01.01.2030")], RUSSIAN))
    assert [(p.row, p.field) for p in parsed.problems] == [(2, "Педагогический стаж"), (2, "Дата аттестации")]


def test_length_limits_fit_the_registry_columns() -> None:
    widths = {c.name: c.type.length for c in tables.teachers.c if getattr(c.type, "length", None)}
    limited = {k: limit(k) for k in TEXT_COLUMNS if k in widths}
    assert limited == {k: widths[k] for k in limited}
    assert set(limited) == {
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
        "degree",
        "academic_title",
    }


def test_xlsx_numbers_and_dates_typed_by_excel() -> None:
    header = ["email", "Фамилия", "Имя", "Роль", "Вид диагностики", "Дата диагностики", *RUSSIAN.values()]
    cells = ["a@s.ru", "Иванова", "Мария", "педагог", "самодиагностика", date(2026, 9, 15)]
    info = ["высшее", 16, date(2023, 4, 20), "курсы", "", "", "", 79124011527, "тема"]
    parsed = parse(xlsx_bytes([header, cells + info]), "d.xlsx")
    assert parsed.problems == []
    ((teacher, _),) = parsed.rows
    assert (teacher.experience_years, teacher.attestation_date, teacher.phone) == (
        16,
        date(2023, 4, 20),
        "79124011527",
    )


def xml(extra: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<diagnostics version="1"><diagnostic>'
        "<email>a@s.ru</email><last_name>Иванова</last_name><first_name>Мария</first_name>"
        "<role>teacher</role><diagnostic_kind>self</diagnostic_kind><diagnostic_date>2026-09-15</diagnostic_date>"
        f"{extra}</diagnostic></diagnostics>"
    ).encode()


def test_xml_elements_reach_the_teacher() -> None:
    elements = "".join(
        f"<{k}>{v if k != 'attestation_date' else '2023-04-20'}</{k}>" for k, v in INFO.items()
    )
    parsed = parse(xml(elements), "d.xml")
    assert parsed.problems == []
    ((teacher, _),) = parsed.rows
    assert teacher.experience_years == 16
    assert teacher.attestation_date == date(2023, 4, 20)
    assert teacher.awards == INFO["awards"]
    assert teacher.self_education_theme == INFO["self_education_theme"]


@pytest.mark.parametrize(
    ("extra", "field", "needle"),
    [
        ("<experience_years>-1</experience_years>", "experience_years", "не соответствует схеме"),
        ("<experience_years>71</experience_years>", "experience_years", "не соответствует схеме"),
        ("<attestation_date>20.04.2023</attestation_date>", "attestation_date", "не соответствует схеме"),
        ("<attestation_date>2027-01-01</attestation_date>", "attestation_date", "ещё не наступила"),
        (f"<phone>{'8' * 51}</phone>", "phone", "не соответствует схеме"),
    ],
)
def test_xml_bad_values_are_pinned_to_the_record(extra: str, field: str, needle: str) -> None:
    parsed = parse(xml(extra), "d.xml")
    (problem,) = parsed.problems
    assert (problem.row, problem.field) == (2, field)
    assert needle in problem.message


def test_example_files_carry_the_information(store: SqlRouteStore) -> None:
    for name in ("diagnostics.csv", "diagnostics.xlsx", "diagnostics.xml"):
        parsed = parse((EXAMPLES / name).read_bytes(), name)
        teachers = [t for t, _ in parsed.rows]
        assert parsed.problems == [], name
        assert sum(1 for t in teachers if t.phone and t.education) >= 20, name
    import_diagnostics(store, parse((EXAMPLES / "diagnostics.csv").read_bytes()))
    teacher = store.find_teacher("petrov.as@s15-chel.ru")
    assert teacher is not None
    assert teacher.degree == "кандидат физико-математических наук"
    assert teacher.attestation_date == date(2022, 12, 15)
    assert teacher.experience_years == 24


def test_a_later_file_without_the_columns_keeps_the_information(store: SqlRouteStore) -> None:
    import_diagnostics(store, parse(table([row(1, **INFO)])))
    later = row(1, diagnostic_date="2026-11-01", category="высшая")
    import_diagnostics(store, parse(csv_bytes([later]), "later.csv"))  # no information columns
    teacher = store.find_teacher("teacher1@school.ru")
    assert teacher is not None
    assert teacher.category == "высшая"  # the identity part follows the file
    assert teacher.phone == INFO["phone"]
    assert teacher.experience_years == 16
    assert teacher.self_education_theme == INFO["self_education_theme"]
