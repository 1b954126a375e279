"""The registry port: routes, diagnostics, teachers, curators, the course map and the audit trail."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from course_map.models import CourseEntry
from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.domain.people import Actor, Curator, Teacher
from lms_bridge.domain.results import ProductFile
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import RouteStatus


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
