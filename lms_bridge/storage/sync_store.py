"""``SqlSyncStore``: the ``SyncStore`` port — the registry plus what the LMS sync jobs record
(transmissions, LMS links, result disagreements). A facade like ``SqlRouteStore`` (its base, as the
``SyncStore`` port extends ``RouteStore``), so a job's route changes and its records commit in one
``transaction()``; the SQL lives in ``routes.py`` and ``sync.py``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import RouteStatus
from lms_bridge.ports import (
    Disagreement,
    FormalItem,
    LmsLink,
    RoutePeople,
    Transmission,
    TransmissionKind,
    TransmissionState,
)
from lms_bridge.storage.routes import mark_lines
from lms_bridge.storage.store import SqlRouteStore


class SqlSyncStore(SqlRouteStore):
    # --- what the jobs read of the routes ---------------------------------------------------------
    def list_formal_items(
        self,
        statuses: Sequence[RouteStatus],
        *,
        courses: Collection[str] | None = None,
        numbers: Collection[str] | None = None,
    ) -> list[FormalItem]:
        with self.uow as u:
            return u.routes.list_formal_items(statuses, courses=courses, numbers=numbers)

    def list_routes_by_number(self, numbers: Sequence[str]) -> list[Route]:
        with self.uow as u:
            return u.routes.list_by_number(numbers)

    def list_route_people(
        self, statuses: Sequence[RouteStatus], *, numbers: Collection[str] | None = None
    ) -> list[RoutePeople]:
        with self.uow as u:
            return u.routes.list_route_people(statuses, numbers=numbers)

    def list_teacher_places(self, emails: Collection[str] | None = None) -> dict[str, tuple[str, str]]:
        with self.uow as u:
            return u.diagnostics.list_teacher_places(emails)

    def list_activities(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Activity]:
        with self.uow as u:
            return u.routes.list_activities(keys)

    # --- what the jobs write on the routes --------------------------------------------------------
    def save_statuses(self, routes_: Sequence[Route], actor: Actor, action: str, details: str = "") -> None:
        with self.uow as u:
            now = u.now()
            u.routes.save_statuses(routes_, now)
            u.audit.add_many(actor, action, [(r.number, details) for r in routes_], at=now)

    def save_item_marks(
        self, routes_: Sequence[Route], keys: Sequence[tuple[str, str]], actor: Actor
    ) -> None:
        with self.uow as u:
            now = u.now()
            u.routes.save_item_marks(routes_, keys, now)
            u.audit.add_many(actor, "mark", mark_lines(routes_, keys), at=now)

    def audit_many(self, actor: Actor, action: str, entries: Sequence[tuple[str, str]]) -> None:
        """Many audit lines at once: (subject, details) each."""
        with self.uow as u:
            u.audit.add_many(actor, action, entries)

    # --- transmissions ----------------------------------------------------------------------------
    def list_transmissions(
        self,
        kind: TransmissionKind,
        states: Sequence[TransmissionState] | None = None,
        *,
        courses: Collection[str] | None = None,
        numbers: Collection[str] | None = None,
    ) -> dict[tuple[str, str, str, str], Transmission]:
        with self.uow as u:
            return u.sync.list_transmissions(kind, states, courses=courses, numbers=numbers)

    def lms_course_ids(self) -> dict[str, int]:
        with self.uow as u:
            return u.sync.lms_course_ids()

    def save_transmissions(self, rows: Sequence[Transmission]) -> None:
        with self.uow as u:
            u.sync.save_transmissions(rows, u.now())

    # --- LMS links --------------------------------------------------------------------------------
    def list_links(
        self, site: str = "default", *, emails: Collection[str] | None = None
    ) -> dict[str, LmsLink]:
        with self.uow as u:
            return u.sync.list_links(site, emails=emails)

    def save_links(self, links: Sequence[LmsLink]) -> None:
        with self.uow as u:
            u.sync.save_links(links)

    # --- disagreements ------------------------------------------------------------------------------
    def add_disagreement(self, d: Disagreement) -> bool:
        with self.uow as u:
            return u.sync.add_disagreement(d)

    def resolve_disagreement(self, route_number: str, item_key: str, actor: Actor, note: str) -> bool:
        """Close the open disagreement of this item with a note (audited); False when none is open."""
        with self.uow as u:
            done = u.sync.resolve_disagreement(route_number, item_key, actor, note, u.now())
            if done:
                u.audit.add(actor, "disagreement-resolved", route_number, f"мероприятие {item_key}: {note}")
            return done

    def list_disagreements(self, unresolved_only: bool = True) -> list[Disagreement]:
        with self.uow as u:
            return u.sync.list_disagreements(unresolved_only)
