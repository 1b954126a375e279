"""The teacher's choice of a ДПП among the recommended ones (000 §2.1 b, §1.7), and the ЦНППМ's rejection
of an application (pure).

Drafting offers, for each recommended ДПП, the catalogue's alternatives for the same deficits
(``Activity.options``, the recommended one first: ``course_map.recommend.alternatives``). While there are
two or more, the item waits for the teacher's choice and has no enrolment application
(``Activity.awaits_choice``); with one there is nothing to choose. The teacher chooses on the card page
during the agreement (003 §4.3.4–4.3.6: the teacher works on the route then); a teacher who did not choose
in time may still choose after the approval, until the head of school files the application. The choice
replaces the item by the chosen course (its title, hours, level, organiser, the deficits it covers, its
own dates when the catalogue fixes them) and is written to the audit trail by the service.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from lms_bridge.domain.limits import checked_text
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import ActivityLevel, Role, RouteStatus
from lms_bridge.errors import PermissionDenied, WorkflowError

S = RouteStatus
CHOICE_STATES = frozenset({S.AGREEMENT, S.APPROVED, S.IN_PROGRESS, S.PROLONGED})
CHOOSERS = frozenset({Role.TEACHER, Role.ADMIN})
REJECTERS = frozenset({Role.CENTRE, Role.ADMIN})


@dataclass(frozen=True)
class Offer:
    """A catalogue ДПП as the choice needs it (the service builds it from ``course_map``'s entry)."""

    lms_course: str
    title: str
    hours: int = 0
    level: ActivityLevel = ActivityLevel.REGIONAL
    organiser: str = ""
    start: date | None = None
    end: date | None = None
    deficit_codes: tuple[str, ...] = ()


def may_choose(route: Route, role: Role) -> bool:
    """Whether ``role`` may choose among the offered ДПП of ``route`` in its state (the items decide
    the rest: ``choosable``)."""
    return route.archived_on is None and route.status in CHOICE_STATES and role in CHOOSERS


def choosable(a: Activity) -> bool:
    """An item with alternatives, not done, whose application the head has not filed yet."""
    return a.formal and len(a.options) > 1 and not a.done and not a.closed and not a.head_confirmed_by


def choose(route: Route, key: str, entry: Offer, actor: Actor, today: date) -> Route:
    """The route with item ``key`` replaced by the catalogue's course ``entry``, chosen by ``actor``."""
    if not may_choose(route, actor.role):
        who = "педагог" if actor.role is not Role.TEACHER else "педагог сейчас"
        raise PermissionDenied(
            f"выбрать курс ДПП из рекомендуемых может {who} — на согласовании маршрута и до подачи заявки; "
            f"маршрут {route.number} в статусе «{route.status.label}»"
        )
    a = route.activity(key)
    if not choosable(a):
        why = "заявка уже подана руководителем ОО" if a.head_confirmed_by else "выбирать не из чего"
        raise WorkflowError(f"мероприятие {key} «{a.title}»: {why}")
    if entry.lms_course not in a.options:
        raise WorkflowError(f"курс «{entry.lms_course}» не входит в рекомендуемые для мероприятия {key}")
    taken = [b.key for b in route.formal_activities if b.key != key and b.lms_course == entry.lms_course]
    if taken:
        raise WorkflowError(f"курс «{entry.title}» уже есть в маршруте (мероприятие {taken[0]})")
    fixed = entry.start is not None and entry.end is not None
    chosen = replace(
        a,
        title=entry.title,
        lms_course=entry.lms_course,
        hours=entry.hours or None,
        level=entry.level,
        organiser=entry.organiser,
        start=entry.start if fixed else a.start,
        end=entry.end if fixed else a.end,
        deficit_codes=tuple(c for c in entry.deficit_codes if c in route.diagnostic.deficit_codes),
        chosen_by=actor.name,
        chosen_on=today,
        rejected_by="",
        rejection_reason="",
    )
    return route.with_activity(chosen)


def reject(a: Activity, actor: Actor, reason: str) -> Activity:
    """The application of ``a`` rejected by a ЦНППМ specialist with ``reason`` (the head may file it
    again)."""
    if actor.role not in REJECTERS:
        raise PermissionDenied("заявку отклоняет специалист ЦНППМ")
    text = checked_text("choice_reason", reason).strip()
    if not text:
        raise WorkflowError("укажите причину отклонения заявки: её увидят руководитель ОО и педагог")
    if a.centre_confirmed_by:
        raise WorkflowError(f"заявка на «{a.title}» уже подтверждена ЦНППМ")
    return replace(a, head_confirmed_by="", rejected_by=actor.name, rejection_reason=text)
