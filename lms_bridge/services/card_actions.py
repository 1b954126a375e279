"""Use cases behind the route card's buttons (the web pages and the JSON API share them).

Each applies one domain workflow function and writes the result with ``store.save_route``, which
audits it and appends new corrections to the log. Who may see the route is the caller's business
(web/access.py); who may do what is the workflow's.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import Block, Level, Role
from lms_bridge.domain.workflow import (
    OPEN,
    UNDER_CORRECTION,
    change_activity,
    mark_activity,
    transition,
    write_conclusion,
)
from lms_bridge.errors import PermissionDenied, WorkflowError
from lms_bridge.ports import RouteStore

PROPOSAL = "correction proposal"  # audit action of a teacher's proposal (the curator reads it on the card)


def _activity(route: Route, key: str) -> Activity:
    try:
        return route.activity(key)
    except KeyError:
        raise WorkflowError(f"в маршруте {route.number} нет мероприятия № {key}") from None


def mark(
    store: RouteStore,
    route: Route,
    actor: Actor,
    key: str,
    *,
    on: date,
    done: bool,
    result: str = "",
    result_form: str = "",
    reason: str = "",
) -> Route:
    title = _activity(route, key).title
    new = mark_activity(
        route, key, actor, on, done=done, result=result, result_form=result_form, reason=reason
    )
    verdict = "выполнено" if done else f"не выполнено: {reason.strip()}"
    store.save_route(new, actor, "mark", f"{title}: {verdict}")
    return new


def note(store: RouteStore, route: Route, actor: Actor, key: str, text: str) -> Route:
    """The curator's intermediate result on one activity (003 §4.4.5)."""
    if actor.role not in (Role.CURATOR, Role.ADMIN):
        raise PermissionDenied("промежуточные результаты вносит куратор")
    if route.status not in UNDER_CORRECTION:
        raise WorkflowError(f"маршрут {route.number} в статусе «{route.status.label}»: отметки не вносятся")
    activity = _activity(route, key)
    new = route.with_activity(replace(activity, curator_note=text.strip()))
    store.save_route(new, actor, "curator note", f"{activity.title}: {text.strip()}")
    return new


def correct(
    store: RouteStore,
    route: Route,
    actor: Actor,
    now: datetime,
    *,
    new: Activity | None,
    replaces: str | None,
    reason: str,
) -> Route:
    """Add, replace or remove an activity: a draft edit before approval, a correction after it."""
    if replaces:
        _activity(route, replaces)
    updated = change_activity(route, actor, now, new=new, replaces=replaces, reason=reason)
    action = "correction" if route.status in UNDER_CORRECTION else "edit"
    what = f"{route.activity(replaces).title if replaces else '—'} → {new.title if new else '—'}"
    store.save_route(updated, actor, action, f"{what}; {reason.strip()}".rstrip("; "))
    return updated


def propose(store: RouteStore, route: Route, actor: Actor, text: str) -> None:
    """A teacher's proposal to correct the route: an audit entry the curator sees on the card.
    Only the curator turns it into a correction (with a reason) — the teacher never edits directly."""
    if actor.role is not Role.TEACHER:
        raise PermissionDenied("предложение о корректировке вносит педагог")
    if route.status not in OPEN:
        raise WorkflowError(f"маршрут {route.number} в статусе «{route.status.label}» не корректируется")
    if not text.strip():
        raise WorkflowError("опишите предлагаемую корректировку")
    store.audit(actor, PROPOSAL, route.number, text.strip())


def conclude(
    store: RouteStore,
    route: Route,
    actor: Actor,
    *,
    final_levels: dict[Block, Level],
    conclusion: str,
    on: date,
    next_diagnostic_on: date | None,
) -> Route:
    new = write_conclusion(
        route,
        actor,
        final_levels=final_levels,
        conclusion=conclusion,
        on=on,
        next_diagnostic_on=next_diagnostic_on,
    )
    store.save_route(new, actor, "conclusion", conclusion.strip()[:200])
    return new


def act(store: RouteStore, route: Route, actor: Actor, action: str, today: date) -> Route:
    new = transition(route, action, actor, today)
    store.save_route(new, actor, action, f"{route.status.value} → {new.status.value}")
    return new
