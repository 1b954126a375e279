"""The demand bank («банк запросов»): uncovered deficits of the teachers' latest diagnostics, counted in
people, with the reports' small-cell rule; the XLSX brief keeps text as text."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from openpyxl import load_workbook

from course_map.models import CourseEntry, EntryKind
from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.domain.vocabulary import DiagnosticKind
from lms_bridge.services.demand import DemandRow, demand_bank, demand_xlsx

MAP = [
    CourseEntry("DPP-1", "Курс", deficit_codes=("П1.1",), hours=36),
    CourseEntry("EV-1", "Семинар", EntryKind.EVENT, deficit_codes=("М2.3",), hours=4),
]


def diag(email: str, codes: tuple[str, ...], on: date = date(2026, 9, 15)) -> Diagnostic:
    return Diagnostic(email, DiagnosticKind.STANDARDIZED, on, {}, codes)


def people(n: int, codes: tuple[str, ...], start: int = 0) -> list[Diagnostic]:
    return [diag(f"t{i}@s.ru", codes) for i in range(start, start + n)]


def test_uncovered_deficits_are_counted_in_people_of_their_latest_diagnostic() -> None:
    ds = [*people(6, ("Пс3.4", "П1.1")), *people(6, ("М2.3",), start=6)]
    ds.append(diag("t0@s.ru", ("Пс3.4",), on=date(2025, 1, 1)))  # older: the same person counts once
    ds.append(diag("t6@s.ru", ("Ц5.1",), on=date(2024, 1, 1)))  # older and gone from the latest: not demand
    bank = demand_bank(ds, MAP, min_group=5)
    assert bank.population == 12
    assert bank.rows == (DemandRow("Пс3.4", 6),)


def test_a_count_of_fewer_than_five_or_that_leaves_fewer_than_five_out_is_withheld_but_named() -> None:
    ds = [*people(3, ("У7.3",)), *people(8, ("Пс3.4",), start=3), *people(5, ("П1.1",), start=11)]
    bank = demand_bank(ds, MAP, min_group=5)
    assert bank.rows == (DemandRow("Пс3.4", 8), DemandRow("У7.3", None))
    everyone_but_two = [*people(7, ("Пс3.4",)), *people(2, (), start=7)]
    assert demand_bank(everyone_but_two, MAP, min_group=5).rows == (DemandRow("Пс3.4", None),)


def test_codifier_names_and_blocks_are_shown_when_known() -> None:
    bank = demand_bank(people(5, ("Пс3.4",)), MAP, min_group=5, names={"Пс3.4": ("Профилактика", "Пс")})
    assert bank.rows == (DemandRow("Пс3.4", 5, "Профилактика", "Пс"),)


def test_the_xlsx_brief_lists_the_rows_and_keeps_formulas_as_text() -> None:
    names = {"Пс3.4": ('=HYPERLINK("http://evil")', "психолого-педагогические")}
    ds = [*people(5, ("Пс3.4",)), *people(1, ("У7.3",), start=5), *people(5, (), start=6)]
    bank = demand_bank(ds, MAP, min_group=5, names=names)
    ws = load_workbook(BytesIO(demand_xlsx(bank))).active
    rows = [tuple(c.value for c in row) for row in ws.iter_rows(min_row=3)]
    assert rows[0] == ("Код дефицита", "Дефицит", "Блок компетенций", "Педагогов с дефицитом")
    assert rows[1] == ("Пс3.4", '=HYPERLINK("http://evil")', "психолого-педагогические", 5)
    assert rows[2] == ("У7.3", None, None, "менее 5")
    assert ws.cell(row=4, column=2).data_type == "s"
