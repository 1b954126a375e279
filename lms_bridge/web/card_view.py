"""The route card as the page shows it: grouped, counted and labelled, with no I/O."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import quote

from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import ActivityCategory, Block, Level, Role
from lms_bridge.domain.workflow import EDITORS, UNDER_CORRECTION, allowed_actions, deadline, is_overdue
from lms_bridge.exporters.card_text import Issuer
from lms_bridge.exporters.docx_card import route_card_docx
from lms_bridge.ports import Principal

BAR = 48  # px per competence level in the chart


@dataclass(frozen=True)
class Bar:
    label: str
    entry: int  # 1..4
    final: int | None
    y: int


@dataclass(frozen=True)
class Permissions:
    mark: bool
    note: bool
    correct: bool
    conclude: bool
    propose: bool
    transitions: list[tuple[str, str]]  # (action, Russian label)


def fmt_date(d: date | None) -> str:
    return d.strftime("%d.%m.%Y") if d else "—"


def course_url(moodle_url: str, activity: Activity, course_ids: dict[str, int]) -> str | None:
    if not activity.lms_course or not moodle_url:
        return None
    base = moodle_url.rstrip("/")
    cid = course_ids.get(activity.lms_course)
    if cid is not None:
        return f"{base}/course/view.php?id={cid}"
    return f"{base}/course/search.php?search={quote(activity.lms_course)}"


def grouped(route: Route) -> list[tuple[ActivityCategory, list[Activity]]]:
    return [(c, [a for a in route.activities if a.category is c]) for c in ActivityCategory]


def progress(activities: tuple[Activity, ...]) -> tuple[int, int]:
    return sum(a.done for a in activities), len(activities)


def bars(route: Route) -> list[Bar]:
    out = []
    for i, (block, entry) in enumerate(route.diagnostic.levels.items()):
        final = route.final_levels.get(block)
        out.append(Bar(block.label, entry.rank + 1, final.rank + 1 if final else None, i * 34))
    return out


def permissions(route: Route, p: Principal) -> Permissions:
    under = route.status in UNDER_CORRECTION
    staff = p.role in (Role.CURATOR, Role.ADMIN)
    return Permissions(
        mark=under and p.role in (Role.TEACHER, Role.CURATOR, Role.ADMIN),
        note=under and staff,
        correct=p.role in EDITORS.get(route.status, frozenset()) and p.role is not Role.TEACHER,
        conclude=staff and route.status.value in ("in_progress", "prolonged"),
        propose=p.role is Role.TEACHER and route.status.value not in ("completed", "cancelled"),
        transitions=[(t.action, t.label) for t in allowed_actions(route, p.role)],
    )


def sees_diagnostics(p: Principal) -> bool:
    """Individual diagnostic results never go to the school (003 App.2 §6.3–6.4): heads see the
    roadmap and its progress, not levels or deficit codes."""
    return p.role is not Role.HEAD


def view(
    route: Route, p: Principal, today: date, moodle_url: str, course_ids: dict[str, int]
) -> dict[str, object]:
    formal = route.formal_activities
    informal = tuple(a for a in route.activities if not a.formal)
    return {
        "route": route,
        "deadline": deadline(route),
        "overdue": is_overdue(route, today),
        "progress": route.progress(),
        "progress_formal": progress(formal),
        "progress_informal": progress(informal),
        "groups": grouped(route),
        "links": {a.key: course_url(moodle_url, a, course_ids) for a in route.activities},
        "bars": bars(route),
        "bar_unit": BAR,
        "levels": list(Level),
        "blocks": list(route.diagnostic.levels) or list(Block)[:5],
        "may": permissions(route, p),
        "diagnostics_visible": sees_diagnostics(p),
        "dynamics": route.dynamics(),
    }


def redacted(route: Route) -> Route:
    """The route without individual diagnostic results (for heads of schools)."""
    return replace(
        route,
        diagnostic=replace(route.diagnostic, levels={}, deficit_codes=(), recommendations=""),
        final_levels={},
        activities=tuple(replace(a, deficit_codes=()) for a in route.activities),
    )


def card_document(route: Route, p: Principal, issuer: Issuer) -> tuple[bytes, str]:
    """The card as DOCX bytes (the exporters' ``docx_card``) and a file name."""
    shown = route if sees_diagnostics(p) else redacted(route)
    return route_card_docx(shown, issuer), f"IOM-{route.number}.docx"
