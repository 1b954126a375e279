"""Enrolment applications for the ДПП courses of routes (000 §2.1, §2.2).

An application exists for every formal activity (an LMS course) of an approved or in-progress route
whose course the teacher has chosen (000 §2.1 b: an item offering alternatives waits for the teacher's
choice, ``domain.choice``; an item with a single recommended course needs none). It needs two
confirmations before the enrol job puts the teacher into the course:

1. the head of the teacher's school (role ``head``) files it — for any selection of their staff, one
   route, or the whole school at once (000 §2.2: "for any number of staff");
2. then a ЦНППМ / study-office specialist (role ``centre``) confirms it, or rejects it with a reason the
   head and the teacher see (the head may file it again, e.g. once the reason is dealt with).

Before either confirmation the catalogue's prerequisites are checked (000 §2.1 a:
``course_map.prerequisites``): an application whose teacher does not meet them is refused with the
reason, per person; a bulk confirmation confirms the others and lists the refused ones. The ЦНППМ does
not confirm beyond the course's places (``CourseEntry.capacity``). Confirmations are written with
``store.save_route`` (one audit line each). Confirming twice changes nothing. Done activities have
nothing to apply for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from course_map.models import CourseEntry
from course_map.prerequisites import MET, Check, check
from lms_bridge.domain import choice
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
    teacher_email: str = ""
    check: Check = MET  # the prerequisites (000 §2.1 a)
    rejected_by: str = ""
    rejection_reason: str = ""
    chosen_by: str = ""

    @property
    def pending(self) -> bool:
        return not (self.head_confirmed_by and self.centre_confirmed_by)

    @property
    def state(self) -> str:
        if self.rejected_by:
            return f"отклонена специалистом ЦНППМ: {self.rejection_reason}"
        if not self.head_confirmed_by:
            return "ждёт руководителя ОО"
        if not self.centre_confirmed_by:
            return "ждёт специалиста ЦНППМ"
        return "подтверждена"


@dataclass(frozen=True)
class Refusal:
    """An application not confirmed, and why (shown per person)."""

    application: Application
    reason: str


@dataclass
class Outcome:
    confirmed: list[Application] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def _applications(route: Route) -> list[Activity]:
    if route.status not in APPLICATION_STATUSES:
        return []
    return [a for a in route.formal_activities if not a.done and not a.closed and not a.awaits_choice]


class _Checker:
    """Prerequisites and places, with the catalogue and each teacher's done courses read once."""

    def __init__(self, store: RouteStore):
        self.store = store
        self.catalogue: dict[str, CourseEntry] = {e.lms_course: e for e in store.list_course_map()}
        self._done: dict[str, set[str]] = {}
        self._taken: dict[str, int] = {}

    def check(self, route: Route, a: Activity) -> Check:
        entry = self.catalogue.get(a.lms_course or "")
        if entry is None or not entry.prerequisites:
            return MET
        email = route.teacher.email
        if email not in self._done:
            self._done[email] = {
                b.lms_course
                for r in self.store.list_teacher_routes(email)
                for b in r.activities
                if b.done and b.lms_course
            }
        return check(entry.prerequisites, route.teacher, self._done[email])

    def places_left(self, course: str) -> int | None:
        entry = self.catalogue.get(course)
        if entry is None or entry.capacity is None:
            return None
        if course not in self._taken:
            self._taken[course] = sum(
                1 for a in list_applications(self.store) if a.course == course and a.centre_confirmed_by
            )
        return entry.capacity - self._taken[course]

    def took_place(self, course: str) -> None:
        if course in self._taken:
            self._taken[course] += 1


def _as_application(route: Route, a: Activity, check: Check = MET) -> Application:
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
        route.teacher.email,
        check,
        a.rejected_by,
        a.rejection_reason,
        a.chosen_by,
    )


def list_applications(
    store: RouteStore,
    *,
    pending_only: bool = False,
    school: str | None = None,
    flt: RouteFilter | None = None,
    checked: bool = False,
) -> list[Application]:
    """The applications (of ``school``, or inside ``flt``: a viewer's scope); ``checked`` adds the
    prerequisites check of each (the screens show it per person)."""
    checker = _Checker(store) if checked else None
    base = flt or RouteFilter()
    out = []
    for status in APPLICATION_STATUSES:
        for route in store.iter_routes(replace(base, status=status, school=school or base.school)):
            out += [
                _as_application(route, a, checker.check(route, a) if checker else MET)
                for a in _applications(route)
            ]
    out.sort(key=lambda x: (x.number, x.key))
    return [a for a in out if a.pending and not a.rejected_by] if pending_only else out


@dataclass(frozen=True)
class Awaiting:
    """A ДПП of an approved route still waiting for the teacher's choice: no application yet."""

    number: str
    teacher: str
    key: str
    title: str
    options: int


def list_awaiting_choice(store: RouteStore, flt: RouteFilter) -> list[Awaiting]:
    out = []
    for status in APPLICATION_STATUSES:
        for route in store.iter_routes(replace(flt, status=status)):
            out += [
                Awaiting(route.number, route.teacher.full_name, a.key, a.title, len(a.options))
                for a in route.formal_activities
                if a.awaits_choice and not a.done
            ]
    return sorted(out, key=lambda x: (x.number, x.key))


def _refusal(route: Route, a: Activity, actor: Actor, checker: _Checker) -> str | None:
    """Why this actor may not confirm ``a`` now (None: they may)."""
    found = checker.check(route, a)
    if not found.met:
        return found.label
    if actor.role is Role.CENTRE:
        if a.rejected_by:
            return "заявка отклонена; руководитель ОО может подать её снова"
        if not a.head_confirmed_by:
            return "заявку сначала подтверждает руководитель ОО"
        left = checker.places_left(a.lms_course or "")
        if not a.centre_confirmed_by and left is not None and left <= 0:
            entry = checker.catalogue[a.lms_course or ""]
            return f"мест нет: подтверждено {entry.capacity} из {entry.capacity}"
    return None


def _check_role(route: Route, actor: Actor) -> None:
    if actor.role is Role.HEAD:
        if not can_see(actor, route):
            raise PermissionDenied(
                f"руководитель ОО подтверждает заявки только своей организации; {route.number} — "
                f"«{route.teacher.school}»"
            )
    elif actor.role is not Role.CENTRE:
        raise PermissionDenied(
            "заявки на обучение подтверждают руководитель ОО и специалист ЦНППМ; "
            f"роль «{actor.role.label}» их не подтверждает"
        )


def _confirmed(a: Activity, actor: Actor) -> Activity:
    """The activity with this actor's confirmation (unchanged when already given)."""
    if actor.role is Role.HEAD:
        if a.head_confirmed_by and not a.rejected_by:
            return a
        return replace(a, head_confirmed_by=actor.name, rejected_by="", rejection_reason="")
    return a if a.centre_confirmed_by else replace(a, centre_confirmed_by=actor.name)


def _confirm_many(
    store: RouteStore,
    route: Route,
    targets: Iterable[Activity],
    actor: Actor,
    checker: _Checker,
    out: Outcome,
) -> None:
    _check_role(route, actor)
    changed = []
    for a in targets:
        why = _refusal(route, a, actor, checker)
        if why is not None:
            out.refused.append(Refusal(_as_application(route, a, checker.check(route, a)), why))
            continue
        new = _confirmed(a, actor)
        if new != a:
            route = route.with_activity(new)
            changed.append(new)
            if actor.role is Role.CENTRE:
                checker.took_place(new.lms_course or "")
    if changed:
        who = "руководителем ОО" if actor.role is Role.HEAD else "специалистом ЦНППМ"
        titles = "; ".join(f"{a.key} «{a.title}»" for a in changed)
        store.save_route(route, actor, "application-confirm", f"заявка подтверждена {who}: {titles}")
    out.confirmed += [_as_application(route, a) for a in changed]


def confirm(store: RouteStore, number: str, actor: Actor, *, key: str | None = None) -> Outcome:
    """Confirm the route's applications (one activity with ``key``: a refusal is then an error)."""
    with store.transaction():
        route = store.get_route(number)
        if route.status not in APPLICATION_STATUSES:
            raise WorkflowError(
                f"маршрут {number} в статусе «{route.status.label}»: заявки только по утверждённым"
            )
        targets = _applications(route)
        if key is not None:
            targets = [a for a in targets if a.key == key]
            if not targets:
                raise WorkflowError(f"в маршруте {number} нет заявки по мероприятию {key}")
        out = Outcome()
        _confirm_many(store, route, targets, actor, _Checker(store), out)
        if key is not None and out.refused:
            raise WorkflowError(f"{number}, «{out.refused[0].application.title}»: {out.refused[0].reason}")
        return out


def confirm_selected(store: RouteStore, picks: Sequence[tuple[str, str]], actor: Actor) -> Outcome:
    """The applications picked on a screen, as (route number, activity key): those that may be confirmed
    are, the others are listed with the reason. A pick outside the actor's scope fails the whole call."""
    out = Outcome()
    by_route: dict[str, list[str]] = {}
    for number, key in picks:
        by_route.setdefault(number, []).append(key)
    with store.transaction():
        checker = _Checker(store)
        for number, keys in sorted(by_route.items()):
            route = store.get_route(number)
            _check_role(route, actor)
            targets = [a for a in _applications(route) if a.key in keys]
            if len(targets) < len(set(keys)):
                raise WorkflowError(f"в маршруте {number} нет заявок по мероприятиям {', '.join(keys)}")
            _confirm_many(store, route, targets, actor, checker, out)
    return out


def confirm_school(store: RouteStore, school: str, actor: Actor) -> Outcome:
    """Every pending application of a school at once: the head for their own staff (000 §2.2), then a
    ЦНППМ specialist for those the head has confirmed."""
    if actor.role is Role.HEAD:
        if actor.school != school:
            raise PermissionDenied(
                f"руководитель ОО подтверждает заявки только своей организации, не «{school}»"
            )
    elif actor.role is not Role.CENTRE:
        raise PermissionDenied("заявки организации подтверждают руководитель ОО и специалист ЦНППМ")
    out = Outcome()
    with store.transaction():
        checker = _Checker(store)
        for status in APPLICATION_STATUSES:
            for route in store.iter_routes(RouteFilter(status=status, school=school)):
                if actor.role is Role.HEAD:
                    pending = [a for a in _applications(route) if not a.head_confirmed_by]
                else:
                    pending = [
                        a for a in _applications(route) if a.head_confirmed_by and not a.centre_confirmed_by
                    ]
                if pending:
                    _confirm_many(store, route, pending, actor, checker, out)
    return out


def reject(store: RouteStore, number: str, key: str, actor: Actor, reason: str) -> Application:
    """A ЦНППМ specialist rejects the application of item ``key`` with ``reason`` (audited)."""
    with store.transaction():
        route = store.get_route(number)
        found = [a for a in _applications(route) if a.key == key]
        if not found:
            raise WorkflowError(f"в маршруте {number} нет заявки по мероприятию {key}")
        new = choice.reject(found[0], actor, reason)
        route = route.with_activity(new)
        store.save_route(
            route,
            actor,
            "application-reject",
            f"заявка отклонена: {key} «{new.title}»: {new.rejection_reason}",
        )
        return _as_application(route, new)
