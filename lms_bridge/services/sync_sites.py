"""Several LMS sites (issue 12, §1): the registry as one site's job sees it, and the plan of a run.

The three jobs (attach, enrol, results) stay plain functions over ``SyncStore``; for a site they get a
``SiteView`` of the store: only the items of teachers on that site (``SiteDirectory``) whose course lives
there (the course map's ``sites``), the people's accounts on that site, and — for a task of the queue
(§2) — only the courses or routes of the task. Everything else passes through to the store, so the
transmission records (unique per route item × LMS course × kind) keep a job idempotent across sites,
runs and re-delivered tasks.

Course-level records (kind ``competency``: a course linked to its competencies) are per site: the
view keeps them under the route number ``@<site>`` (a course lives on several sites with different ids).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

from lms_bridge.domain.sites import DEFAULT_SITE, SiteDirectory, course_on_site
from lms_bridge.domain.vocabulary import RouteStatus
from lms_bridge.ports import FormalItem, LmsLink, RoutePeople, SyncStore, Transmission
from lms_bridge.ports import TransmissionKind as Kind
from lms_bridge.services.sync_common import ACTIVE, JobReport

_COURSE_LEVEL = (Kind.ENROL, Kind.RESULT, Kind.COMPETENCY)


@dataclass(frozen=True)
class SyncScope:
    """What one run or task covers: a site; for a task, only some LMS courses or some routes."""

    site: str
    courses: frozenset[str] | None = None
    routes: frozenset[str] | None = None

    def describe(self) -> str:
        if self.courses is not None:
            return f"{self.site}: курсы {', '.join(sorted(self.courses))}"
        if self.routes is not None:
            return f"{self.site}: маршрутов {len(self.routes)}"
        return self.site


class SiteView:
    """A ``SyncStore`` narrowed to one site (and a task's courses or routes)."""

    def __init__(self, store: SyncStore, sites: SiteDirectory, scope: SyncScope):
        self.store = store
        self.sites = sites
        self.scope = scope
        self._course_sites = {e.lms_course: e.sites for e in store.list_course_map()}
        self._numbers: set[str] = set()  # routes of this site the job has seen

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def as_store(self) -> SyncStore:
        return cast(SyncStore, self)

    def _site_of(self, emails: Collection[str]) -> dict[str, str | None]:
        narrow = self.scope.courses is not None or self.scope.routes is not None
        places = self.store.list_teacher_places(emails if narrow else None)
        return {e: self.sites.site_for(e, *places.get(e, ("", ""))) for e in emails}

    def list_formal_items(
        self,
        statuses: Sequence[RouteStatus],
        *,
        courses: Collection[str] | None = None,
        numbers: Collection[str] | None = None,
    ) -> list[FormalItem]:
        items = self.store.list_formal_items(
            statuses,
            courses=self.scope.courses if courses is None else courses,
            numbers=self.scope.routes if numbers is None else numbers,
        )
        site_of = self._site_of({i.teacher_email for i in items})
        site = self.scope.site
        mine = [
            i
            for i in items
            if site_of[i.teacher_email] == site
            and course_on_site(self._course_sites.get(i.lms_course, ()), site)
        ]
        self._numbers.update(i.route_number for i in mine)
        return mine

    def list_route_people(
        self, statuses: Sequence[RouteStatus], *, numbers: Collection[str] | None = None
    ) -> list[RoutePeople]:
        people = self.store.list_route_people(
            statuses, numbers=self.scope.routes if numbers is None else numbers
        )
        site_of = self._site_of({p[1] for p in people})
        mine = [p for p in people if site_of[p[1]] == self.scope.site]
        self._numbers.update(p[0] for p in mine)
        return mine

    def list_transmissions(
        self, kind: Kind, states: Sequence[Any] | None = None, **_: Any
    ) -> dict[tuple[str, str, str, str], Transmission]:
        courses = self.scope.courses if kind in _COURSE_LEVEL else None
        found = self.store.list_transmissions(kind, states, courses=courses, numbers=self._routes_for(kind))
        if kind is not Kind.COMPETENCY or self.scope.site == DEFAULT_SITE:
            return found
        mark = f"@{self.scope.site}"
        return {
            ("", t.item_key, t.lms_course, t.kind): replace(t, route_number="")
            for t in found.values()
            if t.route_number == mark
        }

    def _routes_for(self, kind: Kind) -> Collection[str] | None:
        return None if kind is Kind.COMPETENCY else self.scope.routes

    def save_transmissions(self, rows: Sequence[Transmission]) -> None:
        if self.scope.site != DEFAULT_SITE:
            mark = f"@{self.scope.site}"
            rows = [
                replace(t, route_number=mark) if t.kind is Kind.COMPETENCY and not t.route_number else t
                for t in rows
            ]
        self.store.save_transmissions(rows)

    def list_links(
        self, site: str = DEFAULT_SITE, *, emails: Collection[str] | None = None
    ) -> dict[str, LmsLink]:
        del site  # always this view's site
        return self.store.list_links(self.scope.site, emails=emails)

    def save_links(self, links: Sequence[LmsLink]) -> None:
        self.store.save_links([replace(lk, site=self.scope.site) for lk in links])

    def lms_course_ids(self) -> dict[str, int]:
        """Course ids on this site, from this site's enrolments (another site's ids mean nothing here)."""
        enrolled = self.store.list_transmissions(Kind.ENROL, courses=self.scope.courses)
        return {
            t.lms_course: t.lms_course_id
            for t in enrolled.values()
            if t.lms_course_id is not None and t.route_number in self._numbers
        }


@dataclass
class SitePlan:
    """Where each active formal item goes: per site, its courses and routes; and what goes nowhere."""

    courses: dict[str, set[str]]  # site -> LMS course refs with items of its teachers
    routes: dict[str, set[str]]  # site -> route numbers of its teachers
    unplaced: list[tuple[str, str, str]]  # (route number, code, message) for items no site takes


def plan_sites(store: SyncStore, sites: SiteDirectory, names: Collection[str]) -> SitePlan:
    """Split the active routes between the sites ``names`` (the whole registry read once)."""
    people = store.list_route_people(ACTIVE)
    site_of = sites.sites_of(store.list_teacher_places())
    course_sites = {e.lms_course: e.sites for e in store.list_course_map()}
    plan = SitePlan(defaultdict(set), defaultdict(set), [])
    for number, teacher, _, _ in people:
        site = site_of.get(teacher)
        if site is None:
            plan.unplaced.append(
                (number, "nosite", f"{teacher}: ни один сайт СДО не обслуживает ОО педагога")
            )
        elif site in names:
            plan.routes[site].add(number)
    for i in store.list_formal_items(ACTIVE):
        site = site_of.get(i.teacher_email)
        if site is None or site not in names or i.done:
            continue
        where = course_sites.get(i.lms_course, ())
        if course_on_site(where, site):
            plan.courses[site].add(i.lms_course)
        else:
            message = (
                f"курс {i.lms_course} есть только на сайтах {', '.join(where)}, педагог — на сайте {site}"
            )
            plan.unplaced.append((i.route_number, "notonsite", message))
    return plan


def report_unplaced(plan: SitePlan) -> JobReport:
    """The items no site takes, as a report (counted failed: the registry or the sites file needs fixing)."""
    report = JobReport("sites")
    for number, code, message in plan.unplaced:
        report.problem(number, code, message)
    return report
