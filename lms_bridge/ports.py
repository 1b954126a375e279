"""Ports: what the core needs from the outside world, as Protocols.

Verbs carry meaning: ``get_*`` raises NotFound, ``find_*`` returns None, ``list_*`` returns a list,
plain verbs are commands.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from course_map.models import CourseEntry
from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.domain.people import Actor, Curator, Teacher
from lms_bridge.domain.results import ProductFile
from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import Role, RouteStatus


@dataclass(frozen=True)
class RouteFilter:
    status: RouteStatus | None = None
    school: str | None = None
    municipality: str | None = None
    curator_email: str | None = None
    teacher_email: str | None = None


@dataclass(frozen=True)
class DiagnosticsSaved:
    added: int
    unchanged: int


@dataclass(frozen=True)
class AuditEntry:
    at: str
    actor: str
    action: str
    subject: str
    details: str


class RouteStore(Protocol):
    """The registry. All writes inside ``transaction()`` land together or not at all."""

    def transaction(self) -> AbstractContextManager[None]: ...

    # diagnostics and teachers
    def save_diagnostics(self, rows: Sequence[tuple[Teacher, Diagnostic]]) -> DiagnosticsSaved: ...
    def list_unrouted(self) -> list[tuple[Teacher, Diagnostic]]: ...
    def list_diagnostics(self) -> list[Diagnostic]: ...
    def find_teacher(self, email: str) -> Teacher | None: ...

    # routes
    def allocate_numbers(self, region: str, year: int, count: int) -> list[str]: ...
    def add_routes(self, routes: Sequence[Route], actor: Actor) -> None: ...
    def get_route(self, number: str) -> Route: ...
    def list_routes(self, flt: RouteFilter | None = None) -> list[Route]: ...
    def iter_routes(self, flt: RouteFilter | None = None, batch: int = 2000) -> Iterator[Route]: ...
    def save_route(self, route: Route, actor: Actor, action: str, details: str = "") -> None: ...

    # the route cycle: previous and next routes, re-diagnostics, the product's file
    def latest_route_numbers(self, emails: Sequence[str]) -> dict[str, str]: ...
    def list_teacher_routes(self, email: str) -> list[Route]: ...
    def list_implementing_routes(self, emails: Sequence[str]) -> list[Route]: ...
    def save_product_file(self, number: str, file: ProductFile, data: bytes) -> None: ...
    def get_product_file(self, number: str) -> tuple[ProductFile, bytes]: ...

    # people and mapping
    def save_curators(self, curators: Sequence[Curator]) -> int: ...
    def list_curators(self) -> list[Curator]: ...
    def curator_load(self) -> dict[str, int]: ...
    def replace_course_map(self, entries: Sequence[CourseEntry], actor: Actor) -> None: ...
    def list_course_map(self) -> list[CourseEntry]: ...

    # audit trail
    def audit(self, actor: Actor, action: str, subject: str, details: str = "") -> None: ...
    def list_audit(self, subject: str | None = None) -> list[AuditEntry]: ...

    def route_version(self, number: str) -> str | None:
        """A token that changes whenever the route is saved or an audit line is written on it
        (e.g. a proposal); None when there is no such route. Caches of rendered cards key on it."""
        ...


# --- the LMS ------------------------------------------------------------------------------------
# Plain data the jobs see; Moodle's raw payloads (pydantic models) never leave adapters/moodle.


@dataclass(frozen=True)
class SiteInfo:
    site_name: str
    release: str  # e.g. "5.1+ (Build: 20251017)"
    version: str  # e.g. "2025100600.02"
    user_id: int  # the token's user
    functions: frozenset[str]  # wsfunctions the token may call


@dataclass(frozen=True)
class LmsUser:
    id: int
    username: str
    email: str
    idnumber: str
    full_name: str


@dataclass(frozen=True)
class LmsCourse:
    id: int
    shortname: str
    idnumber: str
    full_name: str


@dataclass(frozen=True)
class Enrolment:
    """One manual enrolment. ``start``/``end`` are unix times (Moodle's timestart/timeend), 0 = none."""

    user_id: int
    course_id: int
    role_id: int = 5  # student
    start: int = 0
    end: int = 0
    suspended: bool = False


@dataclass(frozen=True)
class EnrolledUser:
    user_id: int
    role_ids: frozenset[int]
    start: int = 0
    end: int = 0
    suspended: bool = False


@dataclass(frozen=True)
class RowFailure:
    """A row a batch call could not land, with the LMS's own error code."""

    row: Enrolment
    errorcode: str
    message: str


@dataclass(frozen=True)
class LinkFailure:
    """A route card link the LMS did not apply: (user id, url) with the LMS's code (Moodle's warningcode)."""

    user_id: int
    url: str
    errorcode: str
    message: str


@dataclass(frozen=True)
class GradeRow:
    """A user's final attestation in a course: the course total or the named grade item."""

    user_id: int
    grade: float | None  # raw grade; None = not graded yet
    grade_max: float | None
    graded_at: int = 0  # unix time, 0 when unknown


@dataclass(frozen=True)
class CompletionRow:
    user_id: int
    completed: bool
    completed_at: int = 0
    tracked: bool = (
        True  # False: the course has no completion criteria (Moodle: enablecompletion / nocriteriaset)
    )


@dataclass(frozen=True)
class Competency:
    """A competency in the LMS mirroring one deficit code (``idnumber`` = the code)."""

    id: int
    idnumber: str
    shortname: str
    framework_id: int


@dataclass(frozen=True)
class LearningPlan:
    """A user's learning plan. ``status``: 0 draft, 1 active, 2 complete (Moodle's plan statuses)."""

    id: int
    user_id: int
    name: str
    description: str
    status: int
    competency_ids: frozenset[int]


class Lms(Protocol):
    """What the jobs need from an LMS. ``MoodleLms`` and ``InMemoryLms`` implement it."""

    def get_site_info(self) -> SiteInfo: ...

    def find_users(self, field: str, values: Sequence[str]) -> dict[str, list[LmsUser]]:
        """Users by ``email``, ``username`` or ``idnumber``: value → matches (empty list = none)."""
        ...

    def find_course(self, ref: str) -> LmsCourse | None:
        """A course by idnumber, else by shortname."""
        ...

    def list_enrolled(self, course_id: int) -> list[EnrolledUser]: ...

    def enrol(self, rows: Sequence[Enrolment]) -> list[RowFailure]:
        """Enrol many; bad rows are isolated and returned, good rows land."""
        ...

    def list_grades(self, course_id: int, item_idnumber: str = "") -> list[GradeRow]:
        """Every graded user's final attestation in one call."""
        ...

    def find_pass_grade(self, course_id: int, item_idnumber: str = "") -> float | None: ...

    def list_completions(self, user_id: int) -> dict[int, CompletionRow]:
        """Course id → completion of one user across their courses, in one call."""
        ...

    def set_route_links(self, links: Sequence[tuple[int, str]]) -> list[LinkFailure]:
        """Show route card links (user id, url) to their users in the LMS (a profile field), many per call.
        Rows the LMS refuses come back as failures and the others land; an error of a whole call raises."""
        ...

    def send_message(self, user_id: int, text: str) -> None: ...

    # learning plans ("attach" a route: NOTES «Competency outcome on course completion»)
    def ensure_framework(
        self, idnumber: str, name: str, competencies: Mapping[str, str]
    ) -> dict[str, Competency]:
        """A framework whose competencies mirror deficit codes (code → title); creates what is missing.
        Returns code → competency for every code asked for."""
        ...

    def ensure_plan(
        self, user_id: int, name: str, description: str, competency_ids: Sequence[int]
    ) -> LearningPlan:
        """The user's plan named ``name`` (no due date: Moodle would auto-complete it), with this description
        (the card link) and at least these competencies; a draft plan is made active."""
        ...

    def link_course_competencies(self, course_id: int, competency_ids: Sequence[int]) -> int:
        """Link competencies to a course with outcome "complete" on course completion; returns links
        added or changed (0 when all were in place)."""
        ...


# --- what the sync jobs record (area: jobs) ---------------------------------------------------------


@dataclass(frozen=True)
class FormalItem:
    """A formal route item (an LMS course) with what the jobs need, read without loading whole routes."""

    route_number: str
    status: RouteStatus
    teacher_email: str
    curator_email: str
    key: str
    lms_course: str
    start: date | None
    end: date | None
    done: bool
    grade: float | None
    result_source: str
    head_confirmed_by: str
    centre_confirmed_by: str
    route_start: date | None = None

    @property
    def application_confirmed(self) -> bool:
        return bool(self.head_confirmed_by and self.centre_confirmed_by)


@dataclass(frozen=True)
class Transmission:
    """What a job did for one route item × LMS course × kind (enrol, result, link, plan, notify)."""

    route_number: str
    item_key: str
    lms_course: str
    kind: str
    state: str = "pending"  # pending | sent | failed | done
    lms_user_id: int | None = None
    lms_course_id: int | None = None
    attempts: int = 0
    error_code: str = ""
    error_message: str = ""
    grade: float | None = None
    detail: str = ""
    updated_at: datetime | None = None

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.route_number, self.item_key, self.lms_course, self.kind)


@dataclass(frozen=True)
class LmsLink:
    """A person (by e-mail) resolved to an LMS account; ``lms_user_id`` None when 0 or several match."""

    email: str
    lms_user_id: int | None
    field: str
    matches: int
    resolved_at: datetime


@dataclass(frozen=True)
class Disagreement:
    """A pass recorded from the LMS that the LMS later contradicts; the mark stays, a person decides."""

    route_number: str
    item_key: str
    lms_course: str
    recorded_grade: float | None
    lms_grade: float | None
    pass_grade: float | None
    found_at: datetime
    resolved_by: str = ""


RoutePeople = tuple[str, str, str, tuple[str, ...]]  # route number, teacher e-mail, curator e-mail, deficits


class SyncStore(RouteStore, Protocol):
    """The registry plus what the sync jobs record. Writes inside ``transaction()`` land together."""

    def list_formal_items(self, statuses: Sequence[RouteStatus]) -> list[FormalItem]: ...
    def list_routes_by_number(self, numbers: Sequence[str]) -> list[Route]: ...
    def list_route_people(self, statuses: Sequence[RouteStatus]) -> list[RoutePeople]:
        """(route number, teacher e-mail, curator e-mail, deficit codes) of routes in these states."""
        ...

    def list_transmissions(
        self, kind: str, states: Sequence[str] | None = None
    ) -> dict[tuple[str, str, str, str], Transmission]: ...
    def lms_course_ids(self) -> dict[str, int]:
        """Course map ref → LMS course id, as the enrol job found them."""
        ...

    def list_activities(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Activity]:
        """The activities named by (route number, item key), without loading whole routes."""
        ...

    def audit_many(self, actor: Actor, action: str, entries: Sequence[tuple[str, str]]) -> None:
        """Many audit lines at once: (subject, details) each."""
        ...

    def save_statuses(self, routes: Sequence[Route], actor: Actor, action: str, details: str = "") -> None:
        """Write only the status and start date of these routes, one audit entry each (bulk)."""
        ...

    def save_transmissions(self, rows: Sequence[Transmission]) -> None:
        """Insert or update by (route number, item key, LMS course, kind)."""
        ...

    def list_links(self) -> dict[str, LmsLink]: ...
    def save_links(self, links: Sequence[LmsLink]) -> None: ...
    def save_item_marks(self, routes: Sequence[Route], keys: Sequence[tuple[str, str]], actor: Actor) -> None:
        """Write the marks of the given (route number, item key) items only, with one audit entry each."""
        ...

    def add_disagreement(self, d: Disagreement) -> bool:
        """Record it unless an unresolved one for the same item exists; True when added."""
        ...

    def list_disagreements(self, unresolved_only: bool = True) -> list[Disagreement]: ...
    def resolve_disagreement(self, route_number: str, item_key: str, actor: Actor, note: str) -> bool:
        """Close the open disagreement of this item with a note (audited); False when none is open."""
        ...


# --- the web app's launch state (area: web) ----------------------------------------------------------
# Everything the LTI flow must remember lives server-side, so that the tool works inside a cross-site
# LMS iframe where the browser blocks third-party cookies.


@dataclass(frozen=True)
class Platform:
    """A registered LTI 1.3 platform (one Moodle site + the client_id it gave the tool)."""

    issuer: str
    client_id: str
    deployment_ids: tuple[str, ...]
    auth_url: str
    jwks_url: str
    token_url: str = ""


@dataclass(frozen=True)
class LoginState:
    """An OIDC login in flight: the state and nonce the tool sent the platform."""

    state: str
    nonce: str
    issuer: str
    client_id: str
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True)
class Principal:
    """Who is using the web app, with the scope their role gives (``domain/access.py`` decides)."""

    role: Role
    email: str = ""
    name: str = ""
    school: str = ""
    municipality: str = ""
    csrf: str = ""
    via_token: bool = False  # the service token: no browser, no CSRF
    expires_at: datetime | None = None  # of the launch session


@dataclass(frozen=True)
class Head:
    """A head of school (by e-mail): a launch with this e-mail gets the head's role over the school."""

    email: str
    full_name: str
    school: str
    municipality: str = ""


class LaunchStore(Protocol):
    """The web app's own state: LTI platforms, OIDC login states, launch sessions, the identities
    platforms sent (issuer, subject → e-mail) and heads of schools. ``SqlLaunchStore`` implements it."""

    # platforms
    def add_platform(self, p: Platform) -> None:
        """Insert or update by (issuer, client_id)."""
        ...

    def list_platforms(self) -> list[Platform]: ...

    # OIDC login states
    def new_state(self, issuer: str, client_id: str, minutes: int) -> LoginState:
        """A fresh state and nonce valid for ``minutes``."""
        ...

    def find_state(self, state: str) -> LoginState | None: ...
    def use_state(self, state: str) -> bool:
        """Mark the state (and so its nonce) used; False when it was already used (a replay)."""
        ...

    # launch sessions
    def open_session(
        self, p: Principal, hours: int, *, issuer: str = "", subject: str = ""
    ) -> tuple[str, str]:
        """Create a session; returns (launch id, csrf token). Only the launch id's hash is stored."""
        ...

    def find_session(self, launch_id: str) -> Principal | None:
        """The unexpired session's principal."""
        ...

    # identities
    def link_identity(self, issuer: str, subject: str, email: str, idnumber: str = "") -> None: ...
    def find_email_by_idnumber(self, issuer: str, idnumber: str) -> str | None: ...
    def find_email_by_subject(self, issuer: str, subject: str) -> str | None: ...

    # heads of schools
    def add_head(self, h: Head) -> None:
        """Insert or update by e-mail (case-insensitive)."""
        ...

    def find_head(self, email: str) -> Head | None: ...
