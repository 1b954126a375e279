"""What the sync jobs record, and the store they record it in (``SyncStore`` extends ``RouteStore``)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import RouteStatus
from lms_bridge.ports.registry import RouteStore


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


class TransmissionKind(StrEnum):
    """What was transmitted (the ``transmissions.kind`` column)."""

    ENROL = "enrol"  # a manual enrolment in an LMS course
    RESULT = "result"  # a final attestation read from the LMS and marked in the route
    LINK = "link"  # the route card link shown in the LMS profile
    PLAN = "plan"  # a learning plan with the route's deficit competencies
    NOTIFY = "notify"  # the curator told that a route's formal items are done
    COMPETENCY = "competency"  # an LMS course linked to the competencies of the deficits it removes


class TransmissionState(StrEnum):
    """Where a transmission stands (the ``transmissions.state`` column)."""

    PENDING = "pending"  # to do, or waiting (e.g. a grade below the pass mark)
    SENT = "sent"  # sent, answer not yet confirmed
    FAILED = "failed"  # the LMS refused; the next run retries
    DONE = "done"  # confirmed; never sent again


@dataclass(frozen=True)
class Transmission:
    """What a job did for one route item × LMS course × kind (enrol, result, link, plan, notify)."""

    route_number: str
    item_key: str
    lms_course: str
    kind: TransmissionKind
    state: TransmissionState = TransmissionState.PENDING
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
    site: str = "default"  # the LMS site the account is on (issue 12): ids mean nothing on another site


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

    def list_formal_items(
        self,
        statuses: Sequence[RouteStatus],
        *,
        courses: Collection[str] | None = None,
        numbers: Collection[str] | None = None,
    ) -> list[FormalItem]:
        """Formal items of routes in these states; only of these LMS courses / routes when given (a task)."""
        ...

    def list_routes_by_number(self, numbers: Sequence[str]) -> list[Route]: ...
    def list_route_people(
        self, statuses: Sequence[RouteStatus], *, numbers: Collection[str] | None = None
    ) -> list[RoutePeople]:
        """(route number, teacher e-mail, curator e-mail, deficit codes) of routes in these states."""
        ...

    def list_transmissions(
        self,
        kind: TransmissionKind,
        states: Sequence[TransmissionState] | None = None,
        *,
        courses: Collection[str] | None = None,
        numbers: Collection[str] | None = None,
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

    def list_links(
        self, site: str = "default", *, emails: Collection[str] | None = None
    ) -> dict[str, LmsLink]:
        """E-mail → the person's account on this LMS site (only these people when given)."""
        ...

    def save_links(self, links: Sequence[LmsLink]) -> None:
        """Insert or update by (e-mail, site)."""
        ...

    def list_teacher_places(self, emails: Collection[str] | None = None) -> dict[str, tuple[str, str]]:
        """E-mail → (school, municipality) of every teacher with a route: what puts them on a site."""
        ...

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
