"""Actions on one route, each one transaction: load, apply the domain rule, save with an audit line.

The CLI and the web views both call these, so a rule is enforced in one place.
"""

from __future__ import annotations

from datetime import date, datetime

from lms_bridge.domain import final_stage, signatures, workflow
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import Block, Level
from lms_bridge.ports import RouteStore


def move(
    store: RouteStore,
    number: str,
    action: str,
    actor: Actor,
    today: date,
    policy: workflow.WorkflowPolicy = workflow.DEFAULT_POLICY,
    *,
    new_end: date | None = None,
    max_months: int = workflow.MAX_ROUTE_MONTHS,
) -> Route:
    """A workflow action; ``new_end`` is the prolonged route's new end date."""
    with store.transaction():
        route = store.get_route(number)
        moved = workflow.transition(
            route, action, actor, today, policy, new_end=new_end, max_months=max_months
        )
        details = f"{route.status.value} → {moved.status.value}"
        if moved.end != route.end and route.end and moved.end:
            details += f"; окончание {route.end:%d.%m.%Y} → {moved.end:%d.%m.%Y}"
        store.save_route(moved, actor, action, details)
        return moved


def mark(
    store: RouteStore,
    number: str,
    key: str,
    actor: Actor,
    today: date,
    *,
    on: date | None = None,
    done: bool = True,
    result: str = "",
    result_form: str = "",
    reason: str = "",
) -> Route:
    """Mark an activity done (``on``: the day it was done, default today) or not done with a reason."""
    with store.transaction():
        route = workflow.mark_activity(
            store.get_route(number),
            key,
            actor,
            on or today,
            today=today,
            done=done,
            result=result,
            result_form=result_form,
            reason=reason,
        )
        mark_text = f"выполнено {on or today:%d.%m.%Y}" if done else f"не выполнено: {reason}"
        store.save_route(route, actor, "mark", f"мероприятие {key}: {mark_text}")
        return route


def note(store: RouteStore, number: str, key: str, actor: Actor, text: str) -> Route:
    """The curator's intermediate result for an activity (003 §4.4.5)."""
    with store.transaction():
        route = store.get_route(number)
        route = workflow.record_note(route, key, actor, text)
        store.save_route(route, actor, "note", f"мероприятие {key}: {text}")
        return route


def correct(
    store: RouteStore,
    number: str,
    actor: Actor,
    now: datetime,
    *,
    new: Activity | None,
    replaces: str | None = None,
    reason: str = "",
) -> Route:
    with store.transaction():
        route = workflow.change_activity(
            store.get_route(number), actor, now, new=new, replaces=replaces, reason=reason
        )
        what = (
            f"заменено {replaces}" if replaces and new else f"удалено {replaces}" if replaces else "добавлено"
        )
        store.save_route(route, actor, "correct", f"{what}: {reason}".strip(": "))
        return route


def close(store: RouteStore, number: str, key: str, actor: Actor, now: datetime, *, reason: str) -> Route:
    """Close an activity without completion by a correction (the reason is kept on the card)."""
    with store.transaction():
        route = workflow.close_activity(store.get_route(number), key, actor, now, reason=reason)
        store.save_route(route, actor, "correct", f"закрыто {key}: {reason}")
        return route


def conclude(
    store: RouteStore,
    number: str,
    actor: Actor,
    today: date,
    *,
    final_levels: dict[Block, Level],
    conclusion: str,
    next_diagnostic_on: date | None = None,
) -> Route:
    """The curator's conclusions; ``final_levels`` (optional) enters the final levels by hand when no
    re-diagnostic was imported."""
    with store.transaction():
        before = store.get_route(number)
        route = final_stage.write_conclusion(
            before,
            actor,
            final_levels=final_levels,
            conclusion=conclusion,
            on=today,
            next_diagnostic_on=next_diagnostic_on,
        )
        withdrawn = signatures.withdrawn_conclusion_signatures(before, route)
        store.save_route(route, actor, "conclude", conclusion + withdrawn)
        return route


def sign(store: RouteStore, number: str, actor: Actor, today: date, *, correction: int | None) -> bool:
    """``actor`` acknowledges correction № ``correction`` or, with None, the conclusions.

    Returns False when this party had already signed (nothing is written then)."""
    with store.transaction():
        route = store.get_route(number)
        if correction is None:
            signed = signatures.sign_conclusion(route, actor, today)
            what = "выводы"
        else:
            signed = signatures.sign_correction(route, correction, actor, today)
            what = f"корректировка № {correction}"
        if signed == route:
            return False
        store.save_route(signed, actor, "sign", f"{what}: ознакомлен(а) {today:%d.%m.%Y}")
        return True
