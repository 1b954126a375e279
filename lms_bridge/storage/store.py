"""``SqlRouteStore``: the ``RouteStore`` port on SQLite (default) or PostgreSQL, over SQLAlchemy Core.

A facade over the store's unit of work (``unit_of_work.SqlUnitOfWork``): each method runs in the open
unit (inside ``with store.transaction():``) or in one of its own, and calls the repository of its area.
Everything inside ``transaction()`` commits together or rolls back together, so a failed import or
transition leaves nothing half-written. No SQL here: see the package docstring.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine

from course_map.models import CourseEntry, InternshipSite
from lms_bridge.domain.codifier import DeficitEntry
from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.domain.people import Actor, Curator, Teacher
from lms_bridge.domain.results import ProductFile
from lms_bridge.domain.route import Route
from lms_bridge.ports import AuditEntry, DiagnosticsSaved, RouteFilter
from lms_bridge.storage.sql import chunks
from lms_bridge.storage.unit_of_work import SqlUnitOfWork
from lms_bridge.storage.unit_of_work import make_engine as make_engine  # where callers import it from

PURGED = "персональные данные удалены; сводные показатели сохранены"


class SqlRouteStore:
    def __init__(self, engine: Engine, clock: Any = datetime.now):
        self.uow = SqlUnitOfWork(engine, clock)

    @property
    def engine(self) -> Engine:
        return self.uow.engine

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.uow:
            yield

    # --- teachers and diagnostics ---------------------------------------------------------------
    def save_diagnostics(self, rows: Sequence[tuple[Teacher, Diagnostic]]) -> DiagnosticsSaved:
        with self.uow as u:
            return u.diagnostics.save_diagnostics(rows)

    def list_unrouted(self) -> list[tuple[Teacher, Diagnostic]]:
        with self.uow as u:
            return u.diagnostics.list_unrouted()

    def list_diagnostics(self) -> list[Diagnostic]:
        with self.uow as u:
            return u.diagnostics.list_diagnostics()

    def find_teacher(self, email: str) -> Teacher | None:
        with self.uow as u:
            return u.diagnostics.find_teacher(email)

    # --- routes -------------------------------------------------------------------------------
    def allocate_numbers(self, region: str, year: int, count: int) -> list[str]:
        with self.uow as u:
            return u.routes.allocate_numbers(region, year, count)

    def add_routes(self, new_routes: Sequence[Route], actor: Actor) -> None:
        with self.uow as u:
            now = u.now()
            u.routes.add(new_routes, now)
            u.audit.add_many(actor, "create", [(r.number, "") for r in new_routes], at=now)

    def get_route(self, number: str) -> Route:
        with self.uow as u:
            return u.routes.get(number)

    def list_routes(
        self, flt: RouteFilter | None = None, numbers: Sequence[str] | None = None
    ) -> list[Route]:
        with self.uow as u:
            return u.routes.find(flt, numbers)

    def iter_routes(self, flt: RouteFilter | None = None, batch: int = 2000) -> Iterator[Route]:
        """Routes in batches, each read in a unit of its own (a long export holds no transaction)."""
        flt = flt or RouteFilter()
        with self.uow as u:
            numbers = u.routes.numbers(flt)
        for chunk in chunks(numbers, batch):
            yield from self.list_routes(flt, numbers=chunk)

    def save_route(self, route: Route, actor: Actor, action: str, details: str = "") -> None:
        """Write the route's current state and audit it."""
        with self.uow as u:
            now = u.now()
            u.routes.save(route, now)
            u.audit.add(actor, action, route.number, details, at=now)

    def latest_route_numbers(self, emails: Sequence[str]) -> dict[str, str]:
        with self.uow as u:
            return u.routes.latest_numbers(emails)

    def list_teacher_routes(self, email: str) -> list[Route]:
        with self.uow as u:
            return u.routes.list_of_teacher(email)

    def list_implementing_routes(self, emails: Sequence[str]) -> list[Route]:
        with self.uow as u:
            return u.routes.list_implementing(emails)

    def route_version(self, number: str) -> str | None:
        with self.uow as u:
            return u.routes.version(number)

    def save_product_file(self, number: str, file: ProductFile, data: bytes) -> None:
        with self.uow as u:
            u.routes.save_product_file(number, file, data, u.now())

    def get_product_file(self, number: str) -> tuple[ProductFile, bytes]:
        with self.uow as u:
            return u.routes.get_product_file(number)

    def purge_route(self, route: Route, actor: Actor) -> None:
        """Store the depersonalised route: a teacher row of its own (school, municipality, staff role
        only) takes the route and its diagnostic; the person's row (and LMS link) goes when nothing
        else refers to it; corrections are rewritten; audit lines keep action and date but lose names
        and text; the LMS bookkeeping of the route (user ids, grades) and its product file are deleted."""
        with self.uow as u:
            person = u.diagnostics.depersonalise(route)
            u.routes.drop_corrections(route.number)
            self.save_route(route, actor, "purge", PURGED)
            email = u.diagnostics.forget_teacher(person)
            if email is not None:
                u.sync.forget_link(email)
            u.audit.anonymise(route.number, keep_action="purge")
            u.sync.forget_route(route.number)
            u.routes.drop_product_file(route.number)

    # --- curators and the course map ----------------------------------------------------------
    def save_curators(self, items: Sequence[Curator]) -> int:
        with self.uow as u:
            return u.people.save_curators(items)

    def list_curators(self) -> list[Curator]:
        with self.uow as u:
            return u.people.list_curators()

    def curator_load(self) -> dict[str, int]:
        with self.uow as u:
            return u.people.curator_load()

    def replace_course_map(self, entries: Sequence[CourseEntry], actor: Actor) -> None:
        with self.uow as u:
            u.people.replace_course_map(entries)
            u.audit.add(actor, "course-map import", "course_map", f"{len(entries)} строк")

    def replace_sites(self, sites: Sequence[InternshipSite], actor: Actor) -> None:
        with self.uow as u:
            u.catalogue.replace_sites(sites)
            u.audit.add(actor, "sites import", "internship_sites", f"{len(sites)} строк")

    def list_sites(self) -> list[InternshipSite]:
        with self.uow as u:
            return u.catalogue.list_sites()

    def list_course_map(self) -> list[CourseEntry]:
        with self.uow as u:
            return u.people.list_course_map()

    # --- the deficit codifier of each region profile (ports.registry.CodifierStore) -------------
    def replace_codifier(self, profile: str, entries: Sequence[DeficitEntry], actor: Actor) -> None:
        with self.uow as u:
            u.codifier.replace(profile, entries)
            u.audit.add(actor, "codifier import", f"codifier:{profile}", f"{len(entries)} кодов")

    def list_codifier(self, profile: str) -> list[DeficitEntry]:
        with self.uow as u:
            return u.codifier.list(profile)

    # --- audit --------------------------------------------------------------------------------
    def audit(self, actor: Actor, action: str, subject: str, details: str = "") -> None:
        with self.uow as u:
            u.audit.add(actor, action, subject, details)

    def list_enrolment_dates(self) -> dict[tuple[str, str], date]:
        with self.uow as u:
            return u.reports.enrolment_dates()

    def list_audit(self, subject: str | None = None) -> list[AuditEntry]:
        with self.uow as u:
            return u.audit.lines(subject)
