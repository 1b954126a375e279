"""The demo's story: what people did with the routes before the day the demo opens.

Routes are drafted the day after their diagnostic and start the next working day, so on the demo's
own day nothing could have happened yet. The seed therefore lives through the weeks since the
diagnostics on a ``DemoClock``: every step is the product's own service called on the day a person
would have taken it (the registry's audit lines carry those days too), and each date passes the
same checks a real user meets (a mark not before the activity starts nor after "today", an event
held after the route's start, a re-diagnostic after the courses).

Two routes of one school and one curator tell the fourth stage (docs/demo.md):
* ``finish_honestly``: the curator starts the route on its planned day, the teacher marks the
  non-formal activities as they happen and proposes the final public event, the LMS grades each ДПП
  course (``lms_demo.sync``), a re-diagnostic is imported and becomes the final diagnostic, the
  event is held, the teacher enters the product and the reflection, the curator writes the
  conclusions, the three parties acknowledge them, and the route is completed;
* ``plan_waiting``: the demo route (the one the demo's teacher opens) gets a final event planned by
  the curator and not yet held, so completing it is refused with the list of what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from lms_bridge.domain.calendar import add_working_days
from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.domain.final_events import EventDraft
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import ActivityLevel, Level, ProductKind, Role
from lms_bridge.importers.diagnostics import ParsedDiagnostics
from lms_bridge.ports import RouteStore
from lms_bridge.services import route_actions, route_results
from lms_bridge.services.imports import import_diagnostics


class DemoClock:
    """The seed's calendar. While the story runs ``now()`` is the story's day (at the current time of
    day); ``release()`` hands the registry back to the real clock for the people using the demo."""

    def __init__(self, day: date | None = None):
        self.day = day

    def now(self) -> datetime:
        real = datetime.now()
        return real if self.day is None else datetime.combine(self.day, real.time())

    def at(self, day: date) -> date:
        self.day = day
        return day

    def release(self) -> None:
        self.day = None


@dataclass(frozen=True)
class Cast:
    """Who acts in the story of one route."""

    teacher: Actor
    curator: Actor
    head: Actor

    @classmethod
    def of(cls, route: Route, head_name: str) -> Cast:
        t = route.teacher
        return cls(
            Actor(Role.TEACHER, t.full_name, email=t.email),
            Actor(Role.CURATOR, route.curator_name, email=route.curator_email),
            Actor(Role.HEAD, head_name, school=t.school),
        )


def formal_end(route: Route) -> date:
    """The day the route's last ДПП course ends (its planned start when it has none)."""
    ends = [a.end for a in route.formal_activities if a.end]
    return max(ends, default=route.start or route.developed_on or date.min)


def story_days(route: Route) -> dict[str, date]:
    """The days of the honest completion, counted from the route's start and its courses' ends."""
    end = formal_end(route)
    return {
        "rediagnostic": add_working_days(end, 1),
        "held": add_working_days(end, 2),
        "product": add_working_days(end, 3),
        "conclusions": add_working_days(end, 4),
        "complete": add_working_days(end, 5),
    }


def can_finish(route: Route, today: date) -> bool:
    return story_days(route)["complete"] <= today


def begin_honestly(store: RouteStore, clock: DemoClock, route: Route, cast: Cast) -> None:
    """Before the LMS sync: the start, the teacher's marks of the non-formal activities on the days
    they were done, and the final public event the teacher proposes and the curator confirms."""
    number = route.number
    start = route.start or route.developed_on or date.min
    today = clock.at(start)
    route_actions.move(store, number, "start", cast.curator, today)
    informal = [a for a in route.activities if not a.formal]
    for i, activity in enumerate(informal, start=1):
        on = clock.at(max(start, activity.start or start) + timedelta(days=7 * i))
        route_actions.mark(
            store,
            number,
            activity.key,
            cast.teacher,
            on,
            on=on,
            result="участие; материалы — в методической копилке ОО",
            result_form="выступление на заседании методического объединения",
        )
    held_on = story_days(route)["held"]
    today = clock.at(start + timedelta(days=21))
    draft = EventDraft(
        form="открытый урок",
        title=f"Открытый урок для учителей района: «{theme(route)}»",
        level=ActivityLevel.MUNICIPAL,
        start=held_on,
        end=held_on,
    )
    changed = route_results.add_event(store, number, cast.teacher, draft)
    key = changed.final_events[-1].key
    route_results.confirm_event(store, number, cast.curator, key)


def rediagnostic(route: Route, on: date) -> Diagnostic:
    """The re-diagnostic the centre imports: each block one level up, the deficits the passed courses
    targeted gone."""
    order = list(Level)
    levels = {b: order[min(lv.rank + 1, len(order) - 1)] for b, lv in route.diagnostic.levels.items()}
    covered = {c for a in route.activities if a.done for c in a.deficit_codes}
    left = tuple(c for c in route.diagnostic.deficit_codes if c not in covered)
    return replace(route.diagnostic, date=on, levels=levels, deficit_codes=left, recommendations="")


def finish_honestly(store: RouteStore, clock: DemoClock, number: str, cast: Cast) -> Route:
    """After the LMS graded the courses: re-diagnostic, event held, product, reflection, conclusions,
    acknowledgements, completion — each on its day."""
    route = store.get_route(number)
    days = story_days(route)
    clock.at(days["rediagnostic"])
    again = rediagnostic(route, days["rediagnostic"])
    import_diagnostics(store, ParsedDiagnostics("повторная диагностика", rows=[(route.teacher, again)]))
    today = clock.at(days["held"])
    event = route.final_events[-1]
    route_results.mark_event_held(
        store,
        number,
        cast.curator,
        event.key,
        on=today,
        today=today,
        link="https://school15.example.ru/metod/otkrytyj-urok",
        note="урок посетили 14 учителей района; протокол заседания МО № 3",
    )
    today = clock.at(days["product"])
    route_results.save_product(
        store,
        number,
        cast.teacher,
        today,
        kind=ProductKind.LESSON,
        title=f"Технологическая карта открытого урока «{theme(route)}»",
        description="урок с формирующим оцениванием: этапы, задания, лист самопроверки ученика",
        link="https://school15.example.ru/metod/karta-uroka",
    )
    route_results.save_reflection(store, number, cast.teacher, today, reflection(store.get_route(number)))
    today = clock.at(days["conclusions"])
    route_actions.conclude(store, number, cast.curator, today, final_levels={}, conclusion=CONCLUSION)
    for actor in (cast.curator, cast.teacher, cast.head):
        route_actions.sign(store, number, actor, today, correction=None)
    today = clock.at(days["complete"])
    return route_actions.move(store, number, "complete", cast.curator, today)


def plan_waiting(store: RouteStore, clock: DemoClock, route: Route, cast: Cast, today: date) -> None:
    """The demo route's final event, planned by the curator and still to be held."""
    clock.at(min(today, (route.start or today) + timedelta(days=14)))
    day = today + timedelta(days=30)
    draft = EventDraft(
        form="мастер-класс",
        title=f"Мастер-класс «{theme(route)}»",
        level=ActivityLevel.SCHOOL,
        start=day,
        end=day,
    )
    route_results.add_event(store, route.number, cast.curator, draft)


def lms_time(day: date) -> int:
    """A moment of ``day`` (noon) as the LMS stores it, seconds since the epoch."""
    return int(datetime.combine(day, time(12, 0)).timestamp())


def theme(route: Route) -> str:
    if route.self_education_theme:
        return route.self_education_theme
    return f"Опыт реализации ИОМ: {route.teacher.subject}" if route.teacher.subject else "Опыт реализации ИОМ"


def reflection(route: Route) -> dict[str, str]:
    """The teacher's answers to the questions of 004 stage 4, from what the route shows."""
    gone = [c for c in route.diagnostic.deficit_codes if c not in (route.final_codes or ())]
    return {
        "overcome": f"Преодолены дефициты {', '.join(gone) or '—'}: применяю освоенное на уроках.",
        "helped": "Курсы ДПП с итоговой аттестацией, мероприятия маршрута и открытые уроки коллег.",
        "remains": "Цифровые инструменты оценивания применяю пока эпизодически.",
        "needs_met": "Да: мои запросы к маршруту выполнены, продолжу в рамках самообразования.",
    }


CONCLUSION = (
    "Маршрут реализован полностью: курсы ДПП пройдены с итоговой аттестацией, открытый урок проведён, "
    "повторная диагностика показывает рост по всем блокам. Цель маршрута достигнута."
)
