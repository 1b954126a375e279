"""The teacher's choice of a ДПП among the recommended ones (000 §2.1 b, §1.7): the use case over the
registry. The rules are ``domain.choice``; this reads the catalogue, checks the viewer's scope, and saves
the route with one audit line («choose») naming the course chosen and the one it replaced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from course_map.models import CourseEntry
from course_map.prerequisites import MET, Check, check, done_courses
from lms_bridge.domain import choice
from lms_bridge.domain.access import can_see
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Route
from lms_bridge.errors import RouteNotFound, WorkflowError
from lms_bridge.ports import RouteStore


@dataclass(frozen=True)
class Option:
    """One ДПП offered for an item, as the card page shows it."""

    entry: CourseEntry
    chosen: bool  # the item holds this course now
    check: Check = MET  # the teacher's prerequisites for it


def options(store: RouteStore, route: Route) -> dict[str, list[Option]]:
    """Item key → the ДПП offered (for items the teacher may still choose among), in the offered order.
    A course no longer in the catalogue is left out."""
    catalogue = {e.lms_course: e for e in store.list_course_map()}
    done = done_courses(store.list_teacher_routes(route.teacher.email))
    out: dict[str, list[Option]] = {}
    for a in route.formal_activities:
        if not choice.choosable(a):
            continue
        offered = [catalogue[k] for k in a.options if k in catalogue]
        out[a.key] = [
            Option(e, e.lms_course == a.lms_course, check(e.prerequisites, route.teacher, done))
            for e in offered
        ]
    return out


def choose(store: RouteStore, number: str, key: str, course: str, actor: Actor, today: date) -> Route:
    """Item ``key`` of route ``number`` becomes the catalogue's ``course``, chosen by ``actor`` (audited)."""
    with store.transaction():
        route = store.get_route(number)
        if not can_see(actor, route):
            raise RouteNotFound(number)
        entry = next((e for e in store.list_course_map() if e.lms_course == course), None)
        if entry is None:
            raise WorkflowError(f"курса «{course}» нет в каталоге")
        before = route.activity(key)
        offer = choice.Offer(
            entry.lms_course,
            entry.title,
            entry.hours,
            entry.level,
            entry.organiser,
            entry.start,
            entry.end,
            entry.deficit_codes,
        )
        new = choice.choose(route, key, offer, actor, today)
        store.save_route(
            new,
            actor,
            "choose",
            f"выбран курс ДПП для мероприятия {key}: «{entry.title}» ({entry.lms_course}) из "
            f"{len(before.options)} рекомендуемых; был «{before.title}» ({before.lms_course})",
        )
        return new
