"""The demand bank («банк запросов», 004 §3; 003 App. 2 §6.6.1): deficits of the region's teachers that no
catalogue activity addresses — the brief («техническое задание») for new ДПП and events.

Decisions:

* A teacher counts with the deficits of their **latest** diagnostic (a deficit an earlier diagnostic named
  and the latest no longer names is not demand any more); people, not diagnostics.
* A deficit is covered when any catalogue activity (a ДПП or an event) names it.
* The number of teachers follows the reports' small-cell rule (``services.disclosure.publishable``): it is
  shown only when neither it nor «everyone diagnosed minus it» is 1…k−1 people; otherwise «менее k»
  (the deficit itself is still listed: the centre must know it has no activity for it).
* The codifier's name and block are shown when the region has one (``names``: code → (name, block)).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from io import BytesIO

from course_map.models import CourseEntry
from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.exporters.cells import xlsx_row
from lms_bridge.ports import RouteStore
from lms_bridge.services.disclosure import publishable


@dataclass(frozen=True)
class DemandRow:
    code: str
    people: int | None  # None: withheld (a count of fewer than ``min_group`` people, or its complement)
    name: str = ""  # from the codifier, when the region has one
    block: str = ""


@dataclass(frozen=True)
class DemandBank:
    rows: tuple[DemandRow, ...]  # most people first; withheld counts last
    population: int  # teachers with a diagnostic
    min_group: int


def demand_bank(
    diagnostics: Iterable[Diagnostic],
    entries: Sequence[CourseEntry],
    *,
    min_group: int,
    names: Mapping[str, tuple[str, str]] | None = None,
) -> DemandBank:
    latest: dict[str, Diagnostic] = {}
    for d in diagnostics:
        if d.teacher_email not in latest or d.date >= latest[d.teacher_email].date:
            latest[d.teacher_email] = d
    covered = {code for e in entries for code in e.deficit_codes}
    people: dict[str, set[str]] = {}
    for email, d in latest.items():
        for code in d.deficit_codes:
            if code not in covered:
                people.setdefault(code, set()).add(email)
    n, known = len(latest), names or {}
    rows = [
        DemandRow(
            code,
            len(who) if publishable(len(who), n, min_group) else None,
            *known.get(code, ("", "")),
        )
        for code, who in people.items()
    ]
    rows.sort(key=lambda r: (r.people is None, -(r.people or 0), r.code))
    return DemandBank(tuple(rows), n, min_group)


def region_bank(store: RouteStore, min_group: int, profile: str) -> DemandBank:
    """The bank over every diagnostic in the registry and the current catalogue, named by the codifier of
    the region's ``profile`` (bare codes while none is loaded)."""
    with store.transaction():
        names = {e.code: (e.name, e.block.label if e.block else "") for e in store.list_codifier(profile)}
        return demand_bank(
            store.list_diagnostics(), store.list_course_map(), min_group=min_group, names=names
        )


def people_label(row: DemandRow, min_group: int) -> str:
    return str(row.people) if row.people is not None else f"менее {min_group}"


HEADER = ("Код дефицита", "Дефицит", "Блок компетенций", "Педагогов с дефицитом")


def demand_xlsx(bank: DemandBank) -> bytes:
    """The bank as an XLSX brief for new ДПП (formula-safe cells, ``exporters.cells``)."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Банк запросов")
    ws.append(xlsx_row(ws, ["Банк запросов: дефициты, не закрытые мероприятиями каталога"]))
    ws.append(
        xlsx_row(
            ws,
            [
                f"Педагогов с диагностикой: {bank.population}; число меньше {bank.min_group} не показывается",
            ],
        )
    )
    ws.append(xlsx_row(ws, HEADER))
    for r in bank.rows:
        count: int | str = r.people if r.people is not None else f"менее {bank.min_group}"
        ws.append(xlsx_row(ws, [r.code, r.name, r.block, count]))
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
