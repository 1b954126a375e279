"""Row validation of the diagnostics import: each bad value is reported at its row and column."""

from __future__ import annotations

from datetime import date

import pytest

from lms_bridge.domain.vocabulary import Block, DiagnosticKind, Level, StaffRole
from lms_bridge.errors import Problem, ValidationError
from lms_bridge.importers.diagnostics import ParsedDiagnostics, read_diagnostics
from tests.importers.helpers import HEADER, TODAY, csv_bytes, row


def parse(data: bytes, name: str = "diag.csv") -> ParsedDiagnostics:
    return read_diagnostics(data, name, today=TODAY)


def only_problem(parsed: ParsedDiagnostics) -> Problem:
    assert len(parsed.problems) == 1, parsed.problems
    return parsed.problems[0]


def test_good_rows_become_teacher_and_diagnostic_pairs() -> None:
    parsed = parse(
        csv_bytes(
            [
                row(1),
                row(
                    2,
                    role="manager",
                    level_subject="",
                    level_methodical="",
                    level_staff="высокий",
                    deficit_codes="У8.1",
                ),
            ]
        )
    )
    assert parsed.problems == []
    (t1, d1), (t2, d2) = parsed.rows
    assert t1.email == "teacher1@school.ru"  # lower-cased
    assert t1.full_name == "Иванова1 Мария Петровна"
    assert t1.school == "МАОУ «СОШ № 15» г. Челябинска"
    assert d1.kind is DiagnosticKind.STANDARDIZED
    assert d1.date == date(2026, 9, 15)
    assert d1.levels == {Block.SUBJECT: Level.LOW, Block.METHODICAL: Level.BASIC}  # empty = not assessed
    assert d1.deficit_codes == ("П1.1", "М2.3")
    assert t2.staff_role is StaffRole.MANAGER
    assert d2.levels == {Block.STAFF: Level.HIGH}


@pytest.mark.parametrize(
    ("values", "field", "needle"),
    [
        ({"email": "not-an-email"}, "email", "не адрес электронной почты"),
        ({"email": ""}, "email", "не заполнено"),
        ({"last_name": "  "}, "last_name", "не заполнено"),
        ({"first_name": ""}, "first_name", "не заполнено"),
        ({"diagnostic_date": "2026-13-01"}, "diagnostic_date", "не дата"),
        ({"diagnostic_date": "15/09/2026"}, "diagnostic_date", "не дата"),
        ({"diagnostic_date": "2027-01-10"}, "diagnostic_date", "ещё не наступила"),
        ({"diagnostic_kind": "опрос"}, "diagnostic_kind", "недопустимое значение"),
        ({"role": "директор"}, "role", "недопустимое значение"),
        ({"level_subject": "отличный"}, "level_subject", "недопустимое значение"),
        ({"level_subject": "средний"}, "level_subject", "не уровень шкалы профиля «chelyabinsk»"),
        ({"level_staff": "высокий"}, "level_staff", "блок компетенций руководителя"),
        ({"role": "manager", "level_staff": ""}, "level_subject", "блок компетенций педагога"),
        ({"deficit_codes": "П1.1, М2.3"}, "deficit_codes", "разделяются точкой с запятой"),
        ({"deficit_codes": "П1.1;<script>"}, "deficit_codes", "недопустимый код"),
        ({"deficit_codes": "." + "1" * 5}, "deficit_codes", "недопустимый код"),
    ],
)
def test_each_bad_value_is_reported_at_its_row_and_column(
    values: dict[str, str], field: str, needle: str
) -> None:
    parsed = parse(csv_bytes([row(1), row(2, **values), row(3)]))
    problem = parsed.problems[0]
    assert (problem.row, problem.field) == (3, field)
    assert needle in problem.message
    assert parsed.rejected == {3}
    assert [t.email for t, _ in parsed.rows] == ["teacher1@school.ru", "teacher3@school.ru"]


def test_every_bad_row_is_reported_not_only_the_first() -> None:
    parsed = parse(csv_bytes([row(1, email="x"), row(2), row(3, diagnostic_kind="?"), row(4, role="")]))
    assert [(p.row, p.field) for p in parsed.problems] == [(2, "email"), (4, "diagnostic_kind"), (5, "role")]
    with pytest.raises(ValidationError) as err:
        raise parsed.error()
    assert err.value.source == "diag.csv"
    assert len(err.value.problems) == 3


def test_dates_in_russian_format_and_russian_words_are_accepted() -> None:
    parsed = parse(
        csv_bytes(
            [
                row(
                    1,
                    diagnostic_date="05.10.2026",
                    diagnostic_kind="Самодиагностика",
                    role="педагог",
                    level_subject="Высокий",
                    level_methodical="повышенный",
                )
            ]
        )
    )
    ((_, d),) = parsed.rows
    assert d.date == date(2026, 10, 5)
    assert d.kind is DiagnosticKind.SELF
    assert d.levels == {Block.SUBJECT: Level.HIGH, Block.METHODICAL: Level.ADVANCED}


def test_duplicate_teacher_kind_and_date_inside_the_file_is_reported() -> None:
    parsed = parse(
        csv_bytes([row(1), row(2), row(1, email="TEACHER1@school.ru", diagnostic_date="15.09.2026")])
    )
    problem = only_problem(parsed)
    assert (problem.row, problem.field) == (4, "email")
    assert "повтор строки 2" in problem.message
    assert len(parsed.rows) == 2


def test_same_teacher_with_another_kind_is_not_a_duplicate() -> None:
    parsed = parse(csv_bytes([row(1), row(1, diagnostic_kind="self")]))
    assert parsed.problems == []
    assert len(parsed.rows) == 2


def test_unknown_column_rejects_the_file_naming_the_column() -> None:
    data = csv_bytes([row(1)], header=(*HEADER, "Стаж"))
    with pytest.raises(ValidationError) as err:
        parse(data)
    assert [(p.row, p.field) for p in err.value.problems] == [(1, "Стаж")]
    assert "неизвестный столбец" in err.value.problems[0].message


def test_missing_required_column_rejects_the_file() -> None:
    header = tuple(h for h in HEADER if h != "diagnostic_date")
    with pytest.raises(ValidationError) as err:
        parse(csv_bytes([row(1)], header=header))
    assert [(p.row, p.field) for p in err.value.problems] == [(1, "diagnostic_date")]


def test_repeated_column_is_reported() -> None:
    header = (*HEADER[:-1], "Фамилия")
    with pytest.raises(ValidationError) as err:
        parse(csv_bytes([row(1)], header=header))
    assert err.value.problems[0].field == "Фамилия"
    assert "повторяется" in err.value.problems[0].message


def test_values_beyond_the_header_are_reported() -> None:
    data = csv_bytes([row(1)]) + "a@b.ru,Б,В,,,,,,,teacher,self,2026-01-01,,,,,,лишнее\r\n".encode()
    parsed = parse(data)
    assert [(p.row, p.field) for p in parsed.problems] == [(3, None)]
