"""The study office report (000 §2.7): listeners of ДПП within routes for a period, per programme."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date
from io import BytesIO, StringIO

from openpyxl import load_workbook

from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import ActivityCategory, RouteStatus
from lms_bridge.services.study_office import listener_rows, report_csv, report_xlsx
from tests.conftest import make_diagnostic, make_teacher

SEP, DEC = date(2026, 9, 1), date(2026, 12, 31)


def course(key: str, ref: str, **kw: object) -> Activity:
    return Activity(key=key, category=ActivityCategory.KNOWLEDGE, title=f"ДПП {ref}", lms_course=ref, **kw)  # type: ignore[arg-type]


def route(n: int, *activities: Activity, school: str = "МБОУ «СОШ № 1»") -> Route:
    return Route(
        number=f"74-2026-{n:06d}",
        teacher=make_teacher(n, school=school),
        diagnostic=make_diagnostic(n),
        status=RouteStatus.IN_PROGRESS,
        activities=(*activities, Activity(key="9", category=ActivityCategory.EXCHANGE, title="Семинар")),
    )


ROUTES = [
    route(1, course("1", "PK-MATH", done=True, done_on=date(2026, 11, 20), grade=85, result_source="lms")),
    route(
        2, course("1", "PK-MATH", grade=40, pass_grade=60, done_on=date(2026, 11, 21), result_source="lms")
    ),
    route(
        3,
        course("1", "PK-MATH"),
        course("2", "PK-DIG", done=True, done_on=date(2026, 10, 1), result_source="curator"),
    ),
    route(4, course("1", "PK-MATH")),  # never enrolled: not a listener
    route(5, course("1", "PK-MATH", done=True, done_on=date(2026, 6, 1))),  # enrolled and passed before
]
ENROLLED = {
    ("74-2026-000001", "1"): date(2026, 9, 10),
    ("74-2026-000002", "1"): date(2026, 9, 10),
    ("74-2026-000003", "1"): date(2026, 9, 11),
    ("74-2026-000003", "2"): date(2026, 8, 1),  # before the period, attested in it
    ("74-2026-000005", "1"): date(2026, 3, 1),
}


def test_listeners_of_the_period_with_enrolment_attestation_and_result() -> None:
    rows = listener_rows(ROUTES, ENROLLED, SEP, DEC)
    got = [(r.route_number, r.lms_course, r.enrolled_on, r.attested_on, r.result, r.grade) for r in rows]
    assert got == [
        ("74-2026-000003", "PK-DIG", date(2026, 8, 1), date(2026, 10, 1), "зачтено (отметка куратора)", None),
        ("74-2026-000001", "PK-MATH", date(2026, 9, 10), date(2026, 11, 20), "зачтено", 85),
        ("74-2026-000002", "PK-MATH", date(2026, 9, 10), date(2026, 11, 21), "не зачтено", 40),
        ("74-2026-000003", "PK-MATH", date(2026, 9, 11), None, "нет результата", None),
    ]
    assert rows[1].teacher == "Иванова1 Мария Петровна"
    assert rows[1].school == "МБОУ «СОШ № 1»"


def test_csv_and_xlsx_carry_the_same_rows_and_keep_text_as_text() -> None:
    evil = [replace(ROUTES[0], teacher=replace(ROUTES[0].teacher, school='=HYPERLINK("http://x")'))]
    rows = listener_rows(evil + ROUTES[1:], ENROLLED, SEP, DEC)
    table = list(csv.reader(StringIO(report_csv(rows).decode("utf-8-sig")), delimiter=";"))
    assert table[0][:3] == ["Программа (ДПП)", "Курс в СДО", "№ маршрута"]
    assert len(table) == 1 + len(rows)
    row1 = next(t for t in table if t[2] == "74-2026-000001")
    assert row1[4] == '\'=HYPERLINK("http://x")'
    assert row1[6:9] == ["10.09.2026", "20.11.2026", "зачтено"]
    wb = load_workbook(BytesIO(report_xlsx(rows, SEP, DEC)))
    summary = [tuple(c.value for c in r) for r in wb["По программам"].iter_rows(min_row=3)]
    assert summary == [("ДПП PK-DIG", "PK-DIG", 1, 1, 0, 0), ("ДПП PK-MATH", "PK-MATH", 3, 1, 1, 1)]
    listeners = list(wb["Слушатели"].iter_rows(min_row=2))
    assert len(listeners) == len(rows)
    cell = next(r[4] for r in listeners if r[2].value == "74-2026-000001")
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x")', "s")
