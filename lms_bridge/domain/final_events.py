"""Final public events of a route (004: «форма, название, уровень и сроки проведения, отметка о
выполнении»; «при желании педагогического работника можно спланировать несколько»).

Who does what: the teacher proposes an event and reports it held; the curator (or an admin) plans
events directly, confirms the teacher's proposals and confirms the holding. An event may be edited
or removed until it is held (teachers: only their own unconfirmed proposals); a held event is a fact.
Changes are audited (they are not corrections of the roadmap: the corrections log, 004 Прил. 2,
records activities).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from lms_bridge.domain.limits import checked_text
from lms_bridge.domain.people import Actor
from lms_bridge.domain.results import FinalEvent
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import ActivityLevel, Role, RouteStatus
from lms_bridge.errors import PermissionDenied, WorkflowError

S = RouteStatus
PLANNING = frozenset({S.DRAFT, S.AGREEMENT, S.APPROVED, S.IN_PROGRESS, S.PROLONGED})
HOLDING = frozenset({S.IN_PROGRESS, S.PROLONGED})
CONFIRMERS = frozenset({Role.CURATOR, Role.ADMIN})
REPORTERS = frozenset({Role.TEACHER, Role.CURATOR, Role.ADMIN})
PLANNERS = frozenset({Role.TEACHER, Role.CURATOR, Role.ADMIN, Role.DEVELOPER})


@dataclass(frozen=True)
class EventDraft:
    """What a person types for an event: form, title, level, dates."""

    form: str
    title: str
    level: ActivityLevel = ActivityLevel.SCHOOL
    start: date | None = None
    end: date | None = None


def _check_draft(d: EventDraft) -> EventDraft:
    d = replace(
        d, form=checked_text("final_event_form", d.form), title=checked_text("final_event_title", d.title)
    )
    if not d.form:
        raise WorkflowError("укажите форму итогового мероприятия (например, открытый урок, мастер-класс)")
    if not d.title.strip():
        raise WorkflowError("укажите название итогового мероприятия")
    if d.start and d.end and d.end < d.start:
        raise WorkflowError(f"окончание {d.end:%d.%m.%Y} раньше начала {d.start:%d.%m.%Y}")
    return d


def _may_plan(route: Route, actor: Actor) -> None:
    if actor.role not in PLANNERS:
        raise PermissionDenied(f"{actor.role.label} не планирует итоговые мероприятия")
    if route.status not in PLANNING:
        raise WorkflowError(
            f"маршрут {route.number} в статусе «{route.status.label}»: мероприятия не меняются"
        )
    if actor.role is Role.DEVELOPER and route.status not in (S.DRAFT, S.AGREEMENT):
        raise PermissionDenied("после утверждения итоговые мероприятия планируют педагог и куратор")


def _next_key(route: Route) -> str:
    used = [int(e.key) for e in route.final_events if e.key.isdigit()]
    return str(max(used, default=0) + 1)


def _with(route: Route, event: FinalEvent) -> Route:
    return replace(route, final_events=tuple(event if e.key == event.key else e for e in route.final_events))


def add_event(route: Route, actor: Actor, draft: EventDraft) -> Route:
    """Plan an event: the teacher's is a proposal until the curator confirms it."""
    _may_plan(route, actor)
    draft = _check_draft(draft)
    event = FinalEvent(
        key=_next_key(route),
        form=draft.form.strip(),
        title=draft.title.strip(),
        level=draft.level,
        start=draft.start,
        end=draft.end,
        confirmed=actor.role is not Role.TEACHER,
        proposed_by=str(actor),
    )
    return replace(route, final_events=(*route.final_events, event))


def _editable(route: Route, actor: Actor, key: str) -> FinalEvent:
    _may_plan(route, actor)
    event = route.get_final_event(key)
    if event.held_on is not None:
        raise WorkflowError(f"итоговое мероприятие «{event.title}» уже проведено и не меняется")
    if actor.role is Role.TEACHER and event.confirmed:
        raise PermissionDenied(
            "запланированное куратором мероприятие меняет куратор; предложите корректировку"
        )
    return event


def edit_event(route: Route, actor: Actor, key: str, draft: EventDraft) -> Route:
    event = _editable(route, actor, key)
    draft = _check_draft(draft)
    changed = replace(
        event,
        form=draft.form.strip(),
        title=draft.title.strip(),
        level=draft.level,
        start=draft.start,
        end=draft.end,
    )
    return _with(route, changed)


def remove_event(route: Route, actor: Actor, key: str) -> Route:
    _editable(route, actor, key)
    return replace(route, final_events=tuple(e for e in route.final_events if e.key != key))


def mark_held(
    route: Route, actor: Actor, key: str, *, on: date, today: date, link: str = "", note: str = ""
) -> Route:
    """Record that the event was held on ``on`` (not in the future, not before the route's start),
    with a link or a note. The teacher's report waits for the curator; the curator's mark counts."""
    if actor.role not in REPORTERS:
        raise PermissionDenied(f"{actor.role.label} не отмечает проведение итогового мероприятия")
    if route.status not in HOLDING:
        raise WorkflowError(f"маршрут {route.number} в статусе «{route.status.label}»: отметки не ставятся")
    event = route.get_final_event(key)
    if event.held:
        raise WorkflowError(f"проведение мероприятия «{event.title}» уже подтверждено")
    if on > today:
        raise WorkflowError(f"дата проведения {on:%d.%m.%Y} ещё не наступила")
    begin = route.started_on or route.start
    if begin and on < begin:
        raise WorkflowError(f"дата проведения {on:%d.%m.%Y} раньше начала маршрута {begin:%d.%m.%Y}")
    link, note = checked_text("final_event_link", link), checked_text("final_event_note", note)
    if not (link or note):
        raise WorkflowError("укажите ссылку на материалы мероприятия или примечание (где и как проведено)")
    by_curator = actor.role in CONFIRMERS
    held = replace(
        event,
        held_on=on,
        link=link.strip(),
        note=note.strip(),
        held_confirmed=by_curator,
        confirmed=event.confirmed or by_curator,
    )
    return _with(route, held)


def confirm_event(route: Route, actor: Actor, key: str) -> Route:
    """The curator confirms a teacher's proposal, or the holding the teacher reported."""
    if actor.role not in CONFIRMERS:
        raise PermissionDenied("итоговые мероприятия подтверждает куратор")
    event = route.get_final_event(key)
    if event.held or (event.confirmed and event.held_on is None):
        raise WorkflowError(f"мероприятию «{event.title}» нечего подтверждать")
    if event.held_on is not None and route.status not in HOLDING:
        raise WorkflowError(f"маршрут {route.number} в статусе «{route.status.label}»: отметки не ставятся")
    return _with(route, replace(event, confirmed=True, held_confirmed=event.held_on is not None))
