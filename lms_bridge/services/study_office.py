"""The study office report (000 §2.7): ДПП taken within routes, per programme and per listener — route number,
teacher, school, programme, enrolment date, final attestation date and result — for a period, as CSV or XLSX.

A personal report for the ЦНППМ's study office (отдел учебной работы): only ЦНППМ staff get it (the CLI, and
the web download for the centre role); it carries no diagnostic results.

Decisions: a listener is a teacher the enrol job put on the course (its transmission record gives the
enrolment date); a row belongs to the period when the enrolment or the final attestation falls in it. The
result: «зачтено» (with the grade when the LMS gave one), «не зачтено» (a grade below the pass mark, with
both), otherwise «нет результата»; a pass recorded by a person, not the LMS, says who recorded it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from io import BytesIO, StringIO

from lms_bridge.domain.route import Activity, Route
from lms_bridge.exporters.cells import csv_row, csv_writer, xlsx_row
from lms_bridge.ports import RouteFilter, RouteStore

COLUMNS = (
    "Программа (ДПП)",
    "Курс в СДО",
    "№ маршрута",
    "Педагог",
    "Образовательная организация",
    "Муниципалитет",
    "Дата зачисления",
    "Дата итоговой аттестации",
    "Результат",
    "Оценка",
)
SOURCES = {"teacher": "отметка педагога", "curator": "отметка куратора"}


@dataclass(frozen=True)
class ListenerRow:
    programme: str
    lms_course: str
    route_number: str
    teacher: str
    school: str
    municipality: str
    enrolled_on: date | None
    attested_on: date | None
    result: str
    grade: float | None

    @property
    def passed(self) -> bool:
        return self.result.startswith("зачтено")


def listener_rows(
    routes: Iterable[Route], enrolled: Mapping[tuple[str, str], date], start: date, end: date
) -> list[ListenerRow]:
    """The listeners of the period; ``enrolled``: (route number, item key) → the enrolment date."""
    rows = []
    for r in routes:
        for a in r.formal_activities:
            on = enrolled.get((r.number, a.key))
            if on is None:
                continue
            attested = a.done_on if (a.done or a.failed_attestation) else None
            if not (start <= on <= end or (attested is not None and start <= attested <= end)):
                continue
            rows.append(
                ListenerRow(
                    a.title,
                    a.lms_course or "",
                    r.number,
                    r.teacher.full_name,
                    r.teacher.school,
                    r.teacher.municipality,
                    on,
                    attested,
                    _result(a),
                    a.grade,
                )
            )
    rows.sort(key=lambda x: (x.programme, x.teacher, x.route_number))
    return rows


def report_rows(store: RouteStore, flt: RouteFilter, start: date, end: date) -> list[ListenerRow]:
    """The period's listeners among the routes ``flt`` selects (archived ones included: the period may be
    long past)."""
    enrolled = store.list_enrolment_dates()
    return listener_rows(store.iter_routes(replace(flt, archived=None)), enrolled, start, end)


def _result(a: Activity) -> str:
    if a.done:
        who = SOURCES.get(a.result_source, "")
        return "зачтено" + (f" ({who})" if who else "")
    if a.failed_attestation:
        return "не зачтено"
    return "нет результата"


def _values(r: ListenerRow) -> list[object]:
    return [
        r.programme,
        r.lms_course,
        r.route_number,
        r.teacher,
        r.school,
        r.municipality,
        r.enrolled_on,
        r.attested_on,
        r.result,
        r.grade,
    ]


def report_csv(rows: list[ListenerRow]) -> bytes:
    out = StringIO()
    w = csv_writer(out, delimiter=";")
    w.writerow(csv_row(COLUMNS))
    for r in rows:
        w.writerow(csv_row(_dated(_values(r))))
    return ("\ufeff" + out.getvalue()).encode()  # a BOM: Excel opens UTF-8 as such


def _dated(values: list[object]) -> list[object]:
    return [f"{v:%d.%m.%Y}" if isinstance(v, date) else ("" if v is None else v) for v in values]


def report_xlsx(rows: list[ListenerRow], start: date, end: date) -> bytes:
    """Two sheets: «По программам» (listeners, passed, not passed, no result) and «Слушатели»."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("По программам")
    ws.append(xlsx_row(ws, [f"Обучение по ДПП в рамках ИОМ за период {start:%d.%m.%Y} – {end:%d.%m.%Y}"]))
    ws.append(
        xlsx_row(
            ws, ["Программа (ДПП)", "Курс в СДО", "Слушателей", "Зачтено", "Не зачтено", "Нет результата"]
        )
    )
    counts: dict[tuple[str, str], Counter[str]] = {}
    for r in rows:
        c = counts.setdefault((r.programme, r.lms_course), Counter())
        c["all"] += 1
        c["passed" if r.passed else "failed" if r.result == "не зачтено" else "none"] += 1
    for (title, course), c in sorted(counts.items()):
        ws.append(xlsx_row(ws, [title, course, c["all"], c["passed"], c["failed"], c["none"]]))
    ws = wb.create_sheet("Слушатели")
    ws.append(xlsx_row(ws, COLUMNS))
    for r in rows:
        ws.append(xlsx_row(ws, _values(r)))
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
