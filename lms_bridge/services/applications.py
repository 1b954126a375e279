"""Enrolment applications for the ДПП courses of routes (000 §2.1, §2.2).

An application exists for every formal activity (an LMS course) of an approved or in-progress route.
It needs two confirmations before the enrol job puts the teacher into the course:

1. the head of the teacher's school (role ``head``) — for one route, or for all pending applications
   of their school at once (000 §2.2: "for any number of staff");
2. then a ЦНППМ / study-office specialist (role ``centre``).

Confirmations are written with ``store.save_route`` (one audit line each). Confirming twice changes
nothing. Done activities have nothing to apply for.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lms_bridge.domain.access import can_see
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import Role, RouteStatus
from lms_bridge.errors import PermissionDenied, WorkflowError
from lms_bridge.ports import RouteFilter, RouteStore

APPLICATION_STATUSES = (RouteStatus.APPROVED, RouteStatus.IN_PROGRESS)


@dataclass(frozen=True)
class Application:
    number: str
    teacher: str
    school: str
    status: RouteStatus
    key: str
    course: str
    title: str
    head_confirmed_by: str
    centre_confirmed_by: str

    @property
    def pending(self) -> bool:
        return not (self.head_confirmed_by and self.centre_confirmed_by)

    @property
    def state(self) -> str:
        if not self.head_confirmed_by:
            return "ждёт руководителя ОО"
        if not self.centre_confirmed_by:
            return "ждёт специалиста ЦНППМ"
        return "подтверждена"


def _applications(route: Route) -> list[Activity]:
    if route.status not in APPLICATION_STATUSES:
        return []
    return [a for a in route.formal_activities if not a.done]


def _as_application(route: Route, a: Activity) -> Application:
    return Application(
        route.number,
        route.teacher.full_name,
        route.teacher.school,
        route.status,
        a.key,
        a.lms_course or "",
        a.title,
        a.head_confirmed_by,
        a.centre_confirmed_by,
    )


def list_applications(
    store: RouteStore, *, pending_only: bool = False, school: str | None = None
) -> list[Application]:
    out = []
    for status in APPLICATION_STATUSES:
        for route in store.iter_routes(RouteFilter(status=status, school=school)):
            out += [_as_application(route, a) for a in _applications(route)]
    out.sort(key=lambda x: (x.number, x.key))
    return [a for a in out if a.pending] if pending_only else out


def _confirm_activity(route: Route, a: Activity, actor: Actor) -> Activity:
    """The activity with this actor's confirmation (unchanged when already given)."""
    if actor.role is Role.HEAD:
        if not can_see(actor, route):
            raise PermissionDenied(
                f"руководитель ОО подтверждает заявки только своей организации; {route.number} — "
                f"«{route.teacher.school}»"
            )
        return a if a.head_confirmed_by else replace(a, head_confirmed_by=actor.name)
    if actor.role is Role.CENTRE:
        if not a.head_confirmed_by:
            raise WorkflowError(f"{route.number}, «{a.title}»: заявку сначала подтверждает руководитель ОО")
        return a if a.centre_confirmed_by else replace(a, centre_confirmed_by=actor.name)
    raise PermissionDenied(
        f"заявки на обучение подтверждают руководитель ОО и специалист ЦНППМ, не {actor.role.label}"
    )


def confirm(store: RouteStore, number: str, actor: Actor, *, key: str | None = None) -> list[Application]:
    """Confirm the route's applications (one activity with ``key``); returns those newly confirmed."""
    with store.transaction():
        route = store.get_route(number)
        targets = _applications(route)
        if route.status not in APPLICATION_STATUSES:
            raise WorkflowError(
                f"маршрут {number} в статусе «{route.status.label}»: заявки только по утверждённым"
            )
        if key is not None:
            targets = [a for a in targets if a.key == key]
            if not targets:
                raise WorkflowError(f"в маршруте {number} нет невыполненного курса ДПП с ключом {key}")
        return _confirm_many(store, route, targets, actor)


def _confirm_many(
    store: RouteStore, route: Route, targets: list[Activity], actor: Actor
) -> list[Application]:
    changed = []
    for a in targets:
        new = _confirm_activity(route, a, actor)
        if new != a:
            route = route.with_activity(new)
            changed.append(new)
    if changed:
        who = "руководителем ОО" if actor.role is Role.HEAD else "специалистом ЦНППМ"
        titles = "; ".join(f"{a.key} «{a.title}»" for a in changed)
        store.save_route(route, actor, "application-confirm", f"заявка подтверждена {who}: {titles}")
    return [_as_application(route, a) for a in changed]


def confirm_school(store: RouteStore, school: str, actor: Actor) -> list[Application]:
    """Every pending application of a school at once: the head for their own staff (000 §2.2), then a
    ЦНППМ specialist for those the head has confirmed."""
    if actor.role is Role.HEAD:
        if actor.school != school:
            raise PermissionDenied(
                f"руководитель ОО подтверждает заявки только своей организации, не «{school}»"
            )
    elif actor.role is not Role.CENTRE:
        raise PermissionDenied("заявки организации подтверждают руководитель ОО и специалист ЦНППМ")
    out: list[Application] = []
    with store.transaction():
        for status in APPLICATION_STATUSES:
            for route in store.iter_routes(RouteFilter(status=status, school=school)):
                if actor.role is Role.HEAD:
                    pending = [a for a in _applications(route) if not a.head_confirmed_by]
                else:
                    pending = [
                        a for a in _applications(route) if a.head_confirmed_by and not a.centre_confirmed_by
                    ]
                if pending:
                    out += _confirm_many(store, route, pending, actor)
    return out
