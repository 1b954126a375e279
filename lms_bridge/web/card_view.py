"""The route card as the page shows it: grouped, counted and labelled, with no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from lms_bridge.domain.access import can_see, redact_for
from lms_bridge.domain.completion import completion_gaps
from lms_bridge.domain.results import REFLECTION_QUESTIONS
from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.signatures import CONCLUSIONS_SIGNED_IN, CORRECTIONS_SIGNED_IN, PARTIES, party_of
from lms_bridge.domain.vocabulary import (
    ActivityCategory,
    Block,
    Level,
    ProductKind,
    RouteStatus,
    SignatureParty,
)
from lms_bridge.domain.workflow import (
    DEFAULT_POLICY,
    WorkflowPolicy,
    allowed_actions,
    deadline,
    is_overdue,
    may,
)
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
    event: bool = False  # plan final events (a teacher proposes)
    event_held: bool = False
    event_confirm: bool = False
    product: bool = False  # the educational product and the reflection
    close: bool = False  # close an activity by a correction


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


def permissions(route: Route, p: Principal, policy: WorkflowPolicy = DEFAULT_POLICY) -> Permissions:
    """The forms the card offers (``workflow.may``). A teacher's way to change the roadmap on the page
    is a proposal to the curator, so the correction form is not offered to them."""
    return Permissions(
        mark=may(route, p.role, "mark", policy),
        note=may(route, p.role, "note", policy),
        correct=may(route, p.role, "correct", policy) and not may(route, p.role, "propose", policy),
        conclude=may(route, p.role, "conclude", policy),
        propose=may(route, p.role, "propose", policy),
        transitions=[(t.action, t.label) for t in allowed_actions(route, p.role, policy)],
        event=may(route, p.role, "event", policy),
        event_held=may(route, p.role, "event_held", policy),
        event_confirm=may(route, p.role, "event_confirm", policy),
        product=may(route, p.role, "product", policy),
        close=may(route, p.role, "close", policy),
    )


@dataclass(frozen=True)
class Signing:
    """What the caller may acknowledge on this card: their party and where they may sign."""

    party: SignatureParty | None
    corrections: bool
    conclusion: bool


def signing(route: Route, p: Principal) -> Signing:
    party = party_of(p.role) if route.archived_on is None else None
    return Signing(
        party=party,
        corrections=party is not None and route.status in CORRECTIONS_SIGNED_IN,
        conclusion=party is not None and route.status in CONCLUSIONS_SIGNED_IN and bool(route.conclusion),
    )


@dataclass(frozen=True)
class PastRoute:
    """One line of the teacher's route history: the route and how the levels moved across it."""

    number: str
    status: str
    period: str
    dynamics: str
    current: bool


def history(routes: list[Route], current: str) -> list[PastRoute]:
    """The teacher's routes, oldest first, each with its dynamics (entry → final per block)."""
    out = []
    for r in routes:
        moves = ", ".join(f"{b.label} {d:+d}" for b, d in r.dynamics().items())
        period = f"{fmt_date(r.start)} — {fmt_date(r.completed_on or r.end)}"
        out.append(PastRoute(r.number, r.status.label, period, moves or "—", r.number == current))
    return out


def view(
    route: Route,
    p: Principal,
    today: date,
    moodle_url: str,
    course_ids: dict[str, int],
    policy: WorkflowPolicy = DEFAULT_POLICY,
    routes_of_teacher: list[Route] | None = None,
) -> dict[str, object]:
    """What the card template shows, of ``route`` as ``p`` may see it (``domain.access.redact_for``)."""
    implementing = route.status in (RouteStatus.IN_PROGRESS, RouteStatus.PROLONGED)
    gaps = completion_gaps(route) if implementing and may(route, p.role, "complete") else []
    route = redact_for(route, p)
    past = [redact_for(r, p) for r in routes_of_teacher or [] if can_see(p, r)]
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
        "may": permissions(route, p, policy),
        "signing": signing(route, p),
        "parties": PARTIES,
        "dynamics": route.dynamics(),
        "gaps": gaps,
        "history": history(past, route.number) if len(past) > 1 else [],
        "today": today,
        "product_kinds": list(ProductKind),
        "questions": REFLECTION_QUESTIONS,
    }


def card_document(route: Route, p: Principal, issuer: Issuer) -> tuple[bytes, str]:
    """The card as DOCX bytes (the exporters' ``docx_card``) as ``p`` may see it, and a file name."""
    return route_card_docx(redact_for(route, p), issuer), f"IOM-{route.number}.docx"
