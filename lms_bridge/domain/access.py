"""Who may see which route and which parts of it: the one set of access rules, pure (no I/O).

- teacher: their own routes; curator: the routes assigned to them; head of school: the routes of their
  school, without individual diagnostic results (003 App. 2 §6.3–6.4: the results are not passed to the
  school or third parties); ЦНППМ staff (developer, centre, centre head) and admin: every route, in full.
- An archived route (past the keeping period, 003 §4.5.4) is seen by its teacher and the ЦНППМ only.
- A viewer who came through an LMS platform sees only routes of teachers inside that platform's scope
  (``within``, domain/platforms.py), whatever the role: a school's Moodle administrator is an admin of
  that school, not of the region.
- Every output (page, API, DOCX, XML, JSON, CLI) shows a route through ``redact_for(route, viewer)``. A
  redacted route carries ``withheld`` (the reason) and the outputs print that reason where the results
  would be, never a value that is not true.
- Which fields are individual diagnostic results is listed once, in ``DIAGNOSTIC_RESULTS``: a new field
  listed there is withheld from every output (it is set to its default, and ``withheld`` says why).

Which actions a role may take on a route is ``domain.workflow.may``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import MISSING, dataclass, fields, replace
from typing import Any, Protocol, TypeVar

from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.domain.platforms import PlatformScope
from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import Role, RouteStatus
from lms_bridge.errors import PermissionDenied

SEES_ALL = frozenset({Role.ADMIN, Role.CENTRE, Role.CENTRE_HEAD, Role.DEVELOPER, Role.SYSTEM})
NO_DIAGNOSTICS = frozenset({Role.HEAD})  # roles that never see individual diagnostic results
WITHHELD = "Результаты диагностики не передаются в образовательную организацию (прил. 2, п. 6.3)"

# The individual diagnostic results, by the record that holds them. Adding a field here withholds it
# from heads everywhere; derived values (``Route.dynamics``, ``Diagnostic.deficit_level``) follow.
DIAGNOSTIC_RESULTS: dict[type, tuple[str, ...]] = {
    Diagnostic: ("levels", "deficit_codes", "recommendations", "stated_deficit_level"),
    # the final diagnostic (levels, date, kind, the deficits left, where it came from) and the teacher's
    # self-analysis, which names the deficits overcome and left
    # educational tasks per deficit (001) name the deficits
    Route: (
        "final_levels",
        "final_diagnostic_on",
        "final_kind",
        "final_codes",
        "final_source",
        "reflection",
        "educational_tasks",
    ),
    Activity: ("deficit_codes",),
}


class Viewer(Protocol):
    """Whoever looks at a route: a web principal, an actor, a recipient of an export."""

    @property
    def role(self) -> Role: ...
    @property
    def email(self) -> str: ...
    @property
    def school(self) -> str: ...


@dataclass(frozen=True)
class Recipient:
    """A viewer named only by role and scope (e.g. the CLI's ``routes export --for head``)."""

    role: Role
    email: str = ""
    school: str = ""
    within: PlatformScope | None = None


@dataclass(frozen=True)
class RouteFilter:
    """A selection of routes; ``scope_filter`` gives the one a viewer may see."""

    status: RouteStatus | None = None
    school: str | None = None
    municipality: str | None = None
    curator_email: str | None = None
    teacher_email: str | None = None
    archived: bool | None = False  # working lists leave the archive out; True: only it; None: both
    within: PlatformScope | None = None  # only teachers inside a platform's scope (None: no limit)


def within(v: Viewer) -> PlatformScope | None:
    """The scope of the LMS platform ``v`` came through (web principals carry one, ``Principal.within``);
    None: not limited by a platform (the CLI, the service token, an actor of a job)."""
    scope = getattr(v, "within", None)
    return scope if isinstance(scope, PlatformScope) else None


def scope_filter(v: Viewer) -> RouteFilter:
    """The RouteFilter that limits a listing to what ``v`` may see (inside the scope of the platform
    ``v`` came through); PermissionDenied when it is none."""
    return replace(_role_filter(v), within=within(v))


def _role_filter(v: Viewer) -> RouteFilter:
    if v.role in SEES_ALL:
        return RouteFilter()
    if v.role is Role.HEAD and v.school:
        return RouteFilter(school=v.school)
    if v.role is Role.CURATOR and v.email:
        return RouteFilter(curator_email=v.email)
    if v.role is Role.TEACHER and v.email:
        return RouteFilter(teacher_email=v.email.lower())
    raise PermissionDenied(f"роли «{v.role.label}» реестр маршрутов не показывается")


def can_see(v: Viewer, route: Route) -> bool:
    """An archived route (keeping, 003 §4.5.4) stays with the teacher (portfolio, 004) and the ЦНППМ
    only: curators and heads have it no more."""
    scope = within(v)
    if scope is not None and not scope.contains(route.teacher.school, route.teacher.municipality):
        return False
    if v.role in SEES_ALL:
        return True
    if route.archived_on is not None and v.role is not Role.TEACHER:
        return False
    if v.role is Role.HEAD:
        return bool(v.school) and route.teacher.school == v.school
    if v.role is Role.CURATOR:
        return bool(v.email) and route.curator_email.lower() == v.email.lower()
    if v.role is Role.TEACHER:
        return bool(v.email) and route.teacher.email.lower() == v.email.lower()
    return False


def sees_diagnostics(v: Viewer) -> bool:
    """Whether ``v`` sees individual diagnostic results of the routes in their scope."""
    return v.role not in NO_DIAGNOSTICS


CENTRE_STAFF = frozenset({Role.ADMIN, Role.CENTRE, Role.CENTRE_HEAD})


def sees_study_office(v: Viewer) -> bool:
    """The study office report (000 §2.7: teachers, schools, grades of ДПП) is for ЦНППМ staff only."""
    return v.role in CENTRE_STAFF


def sees_region_demand(v: Viewer) -> bool:
    """The region's demand bank: ЦНППМ staff whose platform is not limited to part of the region."""
    scope = within(v)
    return v.role in CENTRE_STAFF and (scope is None or scope.region)


def sees_reports(v: Viewer) -> bool:
    """Aggregated reports (groups and cells under the threshold suppressed) are for everyone but teachers."""
    return v.role is not Role.TEACHER


def may_filter_by_place(v: Viewer) -> bool:
    """Only those who see every route pick a school or municipality."""
    return v.role in SEES_ALL


def redact_for(route: Route, v: Viewer) -> Route:
    """The route as ``v`` may see it: unchanged, or without individual diagnostic results and with
    ``withheld`` saying why. The caller has checked ``can_see``."""
    if sees_diagnostics(v) or route.withheld:
        return route
    return replace(
        _blank(route, DIAGNOSTIC_RESULTS[Route]),
        diagnostic=_blank(route.diagnostic, DIAGNOSTIC_RESULTS[Diagnostic]),
        activities=tuple(_blank(a, DIAGNOSTIC_RESULTS[Activity]) for a in route.activities),
        withheld=WITHHELD,
    )


T = TypeVar("T")


def _blank(obj: T, names: Iterable[str]) -> T:
    """``obj`` with the named dataclass fields set to their defaults."""
    wanted = set(names)
    values: dict[str, Any] = {}
    for f in fields(obj):  # type: ignore[arg-type]
        if f.name not in wanted:
            continue
        if f.default is MISSING and f.default_factory is MISSING:
            raise TypeError(f"{type(obj).__name__}.{f.name}: a withheld field needs a default")
        values[f.name] = f.default if f.default_factory is MISSING else f.default_factory()
    missing = wanted - set(values)
    if missing:
        raise TypeError(f"{type(obj).__name__} has no field {', '.join(sorted(missing))}")
    return replace(obj, **values)  # type: ignore[type-var]
