"""``SqlRouteStore``: the registry on SQLite (default) or PostgreSQL, over SQLAlchemy Core.

Unit of work: ``with store.transaction(): ...`` — everything inside commits together or rolls
back together, so a failed import or transition leaves nothing half-written. A method called
outside a transaction runs in one of its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Select,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Row

from course_map.models import CourseEntry, InternshipSite
from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.domain.numbering import format_number
from lms_bridge.domain.people import Actor, Curator, Teacher
from lms_bridge.domain.results import ProductFile
from lms_bridge.domain.route import Route
from lms_bridge.errors import NotFound, RouteNotFound
from lms_bridge.ports import AuditEntry, DiagnosticsSaved, RouteFilter
from lms_bridge.storage import codec
from lms_bridge.storage.sql import IMPLEMENTING, OPEN_STATES, chunks
from lms_bridge.storage.tables import (
    audit,
    corrections,
    diagnostics,
    final_events,
    lms_links,
    product_files,
    result_disagreements,
    route_items,
    route_sequences,
    routes,
    signatures,
    teachers,
    transmissions,
)
from lms_bridge.storage.unit_of_work import SqlUnitOfWork
from lms_bridge.storage.unit_of_work import make_engine as make_engine  # where callers import it from


def _filtered(q: Select[Any], flt: RouteFilter) -> Select[Any]:
    """Apply a RouteFilter to a query over ``routes`` joined with ``teachers``."""
    conditions = {
        routes.c.status: flt.status.value if flt.status else None,
        teachers.c.school: flt.school,
        teachers.c.municipality: flt.municipality,
        routes.c.curator_email: flt.curator_email,
        teachers.c.email: flt.teacher_email.lower() if flt.teacher_email else None,
    }
    for column, value in conditions.items():
        if value is not None:
            q = q.where(column == value)
    if flt.within is not None and not flt.within.region:
        q = q.where(
            or_(
                teachers.c.school.in_(sorted(flt.within.schools)),
                teachers.c.municipality.in_(sorted(flt.within.municipalities)),
            )
        )
    if flt.archived is not None:
        q = q.where(routes.c.archived_on.is_not(None) if flt.archived else routes.c.archived_on.is_(None))
    return q


class SqlRouteStore:
    """The ``RouteStore`` port: each method runs in the store's unit of work (its own when none is open,
    the open one inside ``transaction()``) and delegates to the repository of its area."""

    def __init__(self, engine: Engine, clock: Any = datetime.now):
        self.uow = SqlUnitOfWork(engine, clock)

    @property
    def engine(self) -> Engine:
        return self.uow.engine

    def _now(self) -> datetime:
        return self.uow.now()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.uow:
            yield

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self.uow:
            yield self.uow.connection

    # --- teachers and diagnostics ---------------------------------------------------------------
    def save_diagnostics(self, rows: Sequence[tuple[Teacher, Diagnostic]]) -> DiagnosticsSaved:
        """Upsert teachers (by email) and add diagnostics not yet stored (by teacher, kind, date).

        A teacher's later row wins, except that a blank «Информационная справка» value keeps the
        one known from an earlier row or the registry (``Teacher.updated_by``).
        """
        with self._tx() as c:
            ids = self._teacher_ids(c, [t.email for t, _ in rows])
            known = self._teachers(c, list(ids))
            merged: dict[str, Teacher] = {}
            for t, _ in rows:
                before = merged.get(t.email) or known.get(t.email)
                merged[t.email] = before.updated_by(t) if before else t
            new_teachers = {e: t for e, t in merged.items() if e not in ids}
            for chunk in chunks(list(new_teachers.values())):
                c.execute(insert(teachers), [codec.teacher_row(t) for t in chunk])
            for t in (t for e, t in merged.items() if e in ids and t != known.get(e)):
                c.execute(update(teachers).where(teachers.c.id == ids[t.email]).values(codec.teacher_row(t)))
            ids.update(self._teacher_ids(c, list(new_teachers)))
            existing = self._diagnostic_keys(c, list(ids.values()))
            fresh, seen = [], set()
            for t, d in rows:
                key = (ids[t.email], d.kind.value, d.date)
                if key in existing or key in seen:
                    continue
                seen.add(key)
                fresh.append({"teacher_id": ids[t.email], **codec.diagnostic_row(d)})
            for chunk in chunks(fresh):
                c.execute(insert(diagnostics), list(chunk))
            return DiagnosticsSaved(added=len(fresh), unchanged=len(rows) - len(fresh))

    def _teacher_ids(self, c: Connection, emails: Sequence[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for chunk in chunks(list(set(emails))):
            out.update(
                (r.email, r.id)
                for r in c.execute(select(teachers.c.email, teachers.c.id).where(teachers.c.email.in_(chunk)))
            )
        return out

    def _teachers(self, c: Connection, emails: Sequence[str]) -> dict[str, Teacher]:
        out: dict[str, Teacher] = {}
        for chunk in chunks(emails):
            for r in c.execute(select(teachers).where(teachers.c.email.in_(chunk))).mappings():
                out[r["email"]] = codec.teacher_from(r)
        return out

    def _diagnostic_keys(self, c: Connection, teacher_ids: Sequence[int]) -> set[tuple[int, str, Any]]:
        keys: set[tuple[int, str, Any]] = set()
        for chunk in chunks(teacher_ids):
            q = select(diagnostics.c.teacher_id, diagnostics.c.kind, diagnostics.c.date).where(
                diagnostics.c.teacher_id.in_(chunk)
            )
            keys.update((r.teacher_id, r.kind, r.date) for r in c.execute(q))
        return keys

    def list_unrouted(self) -> list[tuple[Teacher, Diagnostic]]:
        """Each teacher's latest diagnostic when it starts no route yet and the teacher has no open
        route: the first route, or the next one after a completed or cancelled route."""
        with self._tx() as c:
            open_states = [s.value for s in OPEN_STATES]
            busy = select(routes.c.teacher_id).where(routes.c.status.in_(open_states))
            q = (
                select(
                    teachers,
                    diagnostics.c.id.label("diag_id"),
                    diagnostics.c.kind,
                    diagnostics.c.date,
                    diagnostics.c.levels,
                    diagnostics.c.deficit_codes,
                    diagnostics.c.recommendations,
                )
                .join(diagnostics, diagnostics.c.teacher_id == teachers.c.id)
                .where(teachers.c.id.not_in(busy))
                .order_by(teachers.c.email, diagnostics.c.date, diagnostics.c.id)
            )
            latest: dict[str, tuple[int, Any]] = {}
            for r in c.execute(q).mappings():
                latest[r["email"]] = (r["diag_id"], r)
            routed = {r.diagnostic_id for r in c.execute(select(routes.c.diagnostic_id))}
            return [
                (codec.teacher_from(r), codec.diagnostic_from(r, r["email"]))
                for diag_id, r in latest.values()
                if diag_id not in routed
            ]

    def latest_route_numbers(self, emails: Sequence[str]) -> dict[str, str]:
        """Each teacher's most recent route (by its entry diagnostic, then number): the previous route."""
        out: dict[str, str] = {}
        with self._tx() as c:
            for chunk in chunks([e.lower() for e in emails]):
                q = (
                    select(teachers.c.email, routes.c.number)
                    .join(routes, routes.c.teacher_id == teachers.c.id)
                    .join(diagnostics, diagnostics.c.id == routes.c.diagnostic_id)
                    .where(teachers.c.email.in_(chunk))
                    .order_by(diagnostics.c.date, routes.c.number)
                )
                out.update((r.email, r.number) for r in c.execute(q))
        return out

    def list_teacher_routes(self, email: str) -> list[Route]:
        """Every route of one teacher, oldest first (the card's route history)."""
        with self._tx() as c:
            q = (
                select(routes.c.number)
                .join(teachers, teachers.c.id == routes.c.teacher_id)
                .join(diagnostics, diagnostics.c.id == routes.c.diagnostic_id)
                .where(teachers.c.email == email.lower())
                .order_by(diagnostics.c.date, routes.c.number)
            )
            numbers = [r.number for r in c.execute(q)]
        found = {r.number: r for r in self.list_routes(RouteFilter(archived=None), numbers=numbers)}
        return [found[n] for n in numbers if n in found]

    def list_implementing_routes(self, emails: Sequence[str]) -> list[Route]:
        """Routes in progress or prolonged of these teachers (a new diagnostic may be their final one)."""
        numbers: list[str] = []
        with self._tx() as c:
            for chunk in chunks(list({e.lower() for e in emails})):
                q = (
                    select(routes.c.number)
                    .join(teachers, teachers.c.id == routes.c.teacher_id)
                    .where(teachers.c.email.in_(chunk))
                    .where(routes.c.status.in_([s.value for s in IMPLEMENTING]))
                )
                numbers += [r.number for r in c.execute(q)]
        out: list[Route] = []
        for chunk in chunks(numbers):
            out += self.list_routes(RouteFilter(), numbers=chunk)
        return out

    def list_diagnostics(self) -> list[Diagnostic]:
        """Every stored diagnostic (for coverage of the course map: the «банк запросов»)."""
        with self._tx() as c:
            q = (
                select(
                    teachers.c.email,
                    diagnostics.c.kind,
                    diagnostics.c.date,
                    diagnostics.c.levels,
                    diagnostics.c.deficit_codes,
                    diagnostics.c.recommendations,
                )
                .join(teachers, teachers.c.id == diagnostics.c.teacher_id)
                .order_by(teachers.c.email, diagnostics.c.date, diagnostics.c.kind)
            )
            return [codec.diagnostic_from(r, r["email"]) for r in c.execute(q).mappings()]

    def find_teacher(self, email: str) -> Teacher | None:
        with self._tx() as c:
            r = c.execute(select(teachers).where(teachers.c.email == email.lower())).mappings().first()
            return codec.teacher_from(r) if r else None

    # --- routes -------------------------------------------------------------------------------
    def allocate_numbers(self, region: str, year: int, count: int) -> list[str]:
        """Reserve ``count`` consecutive numbers; a number once given is never given again."""
        with self._tx() as c:
            key = (route_sequences.c.region == region) & (route_sequences.c.year == year)
            last = c.execute(select(route_sequences.c.last).where(key).with_for_update()).scalar()
            if last is None:
                c.execute(insert(route_sequences).values(region=region, year=year, last=count))
                last = 0
            else:
                c.execute(update(route_sequences).where(key).values(last=last + count))
            return [format_number(region, year, last + i) for i in range(1, count + 1)]

    def add_routes(self, new_routes: Sequence[Route], actor: Actor) -> None:
        with self._tx() as c:
            tids = self._teacher_ids(c, [r.teacher.email for r in new_routes])
            diag_ids = self._diagnostic_ids(c, new_routes, tids)
            now = self._now()
            for chunk in chunks(new_routes):
                c.execute(
                    insert(routes),
                    [
                        {
                            **codec.route_row(r),
                            "teacher_id": tids[r.teacher.email],
                            "diagnostic_id": diag_ids[r.number],
                            "updated_at": now,
                        }
                        for r in chunk
                    ],
                )
            ids = self._route_ids(c, [r.number for r in new_routes])
            items = [
                {**codec.item_row(a), "route_id": ids[r.number]} for r in new_routes for a in r.activities
            ]
            for chunk in chunks(items):
                c.execute(insert(route_items), list(chunk))
            events = [
                {**codec.event_row(e), "route_id": ids[r.number]} for r in new_routes for e in r.final_events
            ]
            for chunk in chunks(events):
                c.execute(insert(final_events), list(chunk))
            entries = [
                {"at": now, "actor": str(actor), "action": "create", "subject": r.number, "details": ""}
                for r in new_routes
            ]
            for chunk in chunks(entries):
                c.execute(insert(audit), list(chunk))

    def _diagnostic_ids(self, c: Connection, rs: Sequence[Route], tids: dict[str, int]) -> dict[str, int]:
        by_key: dict[tuple[int, str, Any], int] = {}
        for chunk in chunks(list({tids[r.teacher.email] for r in rs})):
            q = select(
                diagnostics.c.id, diagnostics.c.teacher_id, diagnostics.c.kind, diagnostics.c.date
            ).where(diagnostics.c.teacher_id.in_(chunk))
            by_key.update(((r.teacher_id, r.kind, r.date), r.id) for r in c.execute(q))
        return {
            r.number: by_key[(tids[r.teacher.email], r.diagnostic.kind.value, r.diagnostic.date)] for r in rs
        }

    def _route_ids(self, c: Connection, numbers: Sequence[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for chunk in chunks(list(numbers)):
            out.update(
                (r.number, r.id)
                for r in c.execute(select(routes.c.number, routes.c.id).where(routes.c.number.in_(chunk)))
            )
        return out

    def get_route(self, number: str) -> Route:
        found = self.list_routes(RouteFilter(archived=None), numbers=[number])
        if not found:
            raise RouteNotFound(number)
        return found[0]

    def list_routes(
        self, flt: RouteFilter | None = None, numbers: Sequence[str] | None = None
    ) -> list[Route]:
        flt = flt or RouteFilter()
        with self._tx() as c:
            q = (
                select(
                    routes,
                    teachers.c.email.label("t_email"),
                    *[col.label(f"t_{col.name}") for col in teachers.c if col.name not in ("id", "email")],
                    diagnostics.c.kind.label("d_kind"),
                    diagnostics.c.date.label("d_date"),
                    diagnostics.c.levels.label("d_levels"),
                    diagnostics.c.deficit_codes.label("d_codes"),
                    diagnostics.c.recommendations.label("d_rec"),
                )
                .join(teachers, teachers.c.id == routes.c.teacher_id)
                .join(diagnostics, diagnostics.c.id == routes.c.diagnostic_id)
                .order_by(routes.c.number)
            )
            q = _filtered(q, flt)
            if numbers is not None:
                q = q.where(routes.c.number.in_(list(numbers)))
            rows = list(c.execute(q).mappings())
            return self._assemble(c, rows)

    def iter_routes(self, flt: RouteFilter | None = None, batch: int = 2000) -> Iterator[Route]:
        flt = flt or RouteFilter()
        numbers = [r.number for r in self._route_numbers(flt)]
        for chunk in chunks(numbers, batch):
            yield from self.list_routes(flt, numbers=chunk)

    def _route_numbers(self, flt: RouteFilter) -> list[Row[Any]]:
        with self._tx() as c:
            q = select(routes.c.number).join(teachers, teachers.c.id == routes.c.teacher_id)
            return list(c.execute(_filtered(q, flt).order_by(routes.c.number)))

    def _assemble(self, c: Connection, rows: list[Any]) -> list[Route]:
        ids = [r["id"] for r in rows]
        items: dict[int, list[Any]] = {i: [] for i in ids}
        fixes: dict[int, list[Any]] = {i: [] for i in ids}
        events: dict[int, list[Any]] = {i: [] for i in ids}
        for chunk in chunks(ids):
            for ev in c.execute(select(final_events).where(final_events.c.route_id.in_(chunk))).mappings():
                events[ev["route_id"]].append(codec.event_from(ev))
        signed: dict[int, list[Any]] = {i: [] for i in ids}
        for chunk in chunks(ids):
            for sg in c.execute(select(signatures).where(signatures.c.route_id.in_(chunk))).mappings():
                signed[sg["route_id"]].append(sg)
            for it in c.execute(select(route_items).where(route_items.c.route_id.in_(chunk))).mappings():
                items[it["route_id"]].append(codec.item_from(it))
            for fx in c.execute(
                select(corrections)
                .where(corrections.c.route_id.in_(chunk))
                .order_by(corrections.c.at, corrections.c.id)
            ).mappings():
                fixes[fx["route_id"]].append(codec.correction_from(fx))
        out = []
        for r in rows:
            t = {k[2:]: v for k, v in r.items() if k.startswith("t_")}
            teacher = codec.teacher_from(t)
            diag = codec.diagnostic_from(
                {
                    "kind": r["d_kind"],
                    "date": r["d_date"],
                    "levels": r["d_levels"],
                    "deficit_codes": r["d_codes"],
                    "recommendations": r["d_rec"],
                },
                teacher.email,
            )
            sigs = codec.signatures_from(signed[r["id"]])
            out.append(
                codec.route_from(r, teacher, diag, items[r["id"]], fixes[r["id"]], events[r["id"]], sigs)
            )
        return out

    # long: one unit of work over four tables (route, items, corrections, audit)
    def save_route(self, route: Route, actor: Actor, action: str, details: str = "") -> None:
        """Write the route's current state (items upserted by key, new corrections appended) and audit it."""
        with self._tx() as c:
            rid = c.execute(select(routes.c.id).where(routes.c.number == route.number)).scalar()
            if rid is None:
                raise RouteNotFound(route.number)
            now = self._now()
            c.execute(
                update(routes).where(routes.c.id == rid).values(**codec.route_row(route), updated_at=now)
            )
            stored = {
                r.key: r.id
                for r in c.execute(
                    select(route_items.c.key, route_items.c.id).where(route_items.c.route_id == rid)
                )
            }
            keep = {a.key for a in route.activities}
            gone = [iid for key, iid in stored.items() if key not in keep]
            if gone:
                c.execute(delete(route_items).where(route_items.c.id.in_(gone)))
            for a in route.activities:
                row = codec.item_row(a)
                if a.key in stored:
                    c.execute(update(route_items).where(route_items.c.id == stored[a.key]).values(**row))
                else:
                    c.execute(insert(route_items).values(**row, route_id=rid))
            self._save_events(c, rid, route)
            logged = c.execute(
                select(func.count()).select_from(corrections).where(corrections.c.route_id == rid)
            ).scalar_one()
            for fx in route.corrections[logged:]:
                c.execute(
                    insert(corrections).values(
                        route_id=rid,
                        at=fx.at,
                        reason=fx.reason,
                        author=fx.author,
                        replaced=fx.replaced,
                        new=fx.new,
                    )
                )
            c.execute(delete(signatures).where(signatures.c.route_id == rid))
            sig_rows = [{**row, "route_id": rid} for row in codec.signature_rows(route)]
            if sig_rows:
                c.execute(insert(signatures), sig_rows)
            c.execute(
                insert(audit).values(
                    at=now, actor=str(actor), action=action, subject=route.number, details=details
                )
            )

    def _save_events(self, c: Connection, rid: int, route: Route) -> None:
        """The route's final events as they are now (a handful per route: rewritten whole)."""
        c.execute(delete(final_events).where(final_events.c.route_id == rid))
        if route.final_events:
            c.execute(
                insert(final_events), [{**codec.event_row(e), "route_id": rid} for e in route.final_events]
            )

    # --- the educational product's file -------------------------------------------------------
    def save_product_file(self, number: str, file: ProductFile, data: bytes) -> None:
        """Keep the product's file (a new upload replaces the old one)."""
        with self._tx() as c:
            rid = c.execute(select(routes.c.id).where(routes.c.number == number)).scalar()
            if rid is None:
                raise RouteNotFound(number)
            c.execute(delete(product_files).where(product_files.c.route_id == rid))
            c.execute(
                insert(product_files).values(
                    route_id=rid,
                    name=file.name,
                    content_type=file.content_type,
                    size=file.size,
                    sha256=file.sha256,
                    data=data,
                    uploaded_at=self._now(),
                )
            )

    def get_product_file(self, number: str) -> tuple[ProductFile, bytes]:
        with self._tx() as c:
            q = (
                select(product_files)
                .join(routes, routes.c.id == product_files.c.route_id)
                .where(routes.c.number == number)
            )
            r = c.execute(q).mappings().first()
            if r is None:
                raise NotFound(f"у маршрута {number} нет файла образовательного продукта")
            return ProductFile(r["name"], r["content_type"], r["size"], r["sha256"]), bytes(r["data"])

    def purge_route(self, route: Route, actor: Actor) -> None:
        """Store the depersonalised route: a teacher row of its own (school, municipality, staff role
        only) takes the route and its diagnostic; the person's row goes when nothing else refers to
        it; corrections are rewritten; audit lines keep action and date but lose names and text; the
        LMS bookkeeping of the route (user ids, grades) is deleted."""
        with self._tx() as c:
            rid, old_tid, diag_id = c.execute(
                select(routes.c.id, routes.c.teacher_id, routes.c.diagnostic_id).where(
                    routes.c.number == route.number
                )
            ).one()
            c.execute(insert(teachers).values(**codec.teacher_row(route.teacher)))
            tid = c.execute(select(teachers.c.id).where(teachers.c.email == route.teacher.email)).scalar_one()
            c.execute(update(routes).where(routes.c.id == rid).values(teacher_id=tid))
            c.execute(
                update(diagnostics)
                .where(diagnostics.c.id == diag_id)
                .values(teacher_id=tid, recommendations="")
            )
            c.execute(delete(corrections).where(corrections.c.route_id == rid))
            self.save_route(
                route, actor, "purge", "персональные данные удалены; сводные показатели сохранены"
            )
            self._forget_teacher(c, old_tid)
            c.execute(
                update(audit)
                .where(audit.c.subject == route.number)
                .where(audit.c.action != "purge")
                .values(actor="—", details="")
            )
            for table in (transmissions, result_disagreements):
                c.execute(delete(table).where(table.c.route_number == route.number))
            c.execute(delete(product_files).where(product_files.c.route_id == rid))  # the product's file

    def _forget_teacher(self, c: Connection, teacher_id: int) -> None:
        """Delete the person's row once no route and no diagnostic refers to it."""
        used = c.execute(select(routes.c.id).where(routes.c.teacher_id == teacher_id).limit(1)).first()
        used = (
            used
            or c.execute(
                select(diagnostics.c.id).where(diagnostics.c.teacher_id == teacher_id).limit(1)
            ).first()
        )
        if used is None:
            email = c.execute(select(teachers.c.email).where(teachers.c.id == teacher_id)).scalar()
            c.execute(delete(lms_links).where(lms_links.c.email == email))
            c.execute(delete(teachers).where(teachers.c.id == teacher_id))

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

    # --- audit --------------------------------------------------------------------------------
    def audit(self, actor: Actor, action: str, subject: str, details: str = "") -> None:
        with self.uow as u:
            u.audit.add(actor, action, subject, details)

    def list_enrolment_dates(self) -> dict[tuple[str, str], date]:
        with self.uow as u:
            return u.reports.enrolment_dates()

    def route_version(self, number: str) -> str | None:
        """Changes whenever the route is saved or an audit line (e.g. a proposal) is written on it."""
        last_audit = select(func.max(audit.c.id)).where(audit.c.subject == number).scalar_subquery()
        with self._tx() as c:
            r = c.execute(select(routes.c.updated_at, last_audit).where(routes.c.number == number)).first()
        return None if r is None else f"{r[0].isoformat()}|{r[1]}"

    def list_audit(self, subject: str | None = None) -> list[AuditEntry]:
        with self.uow as u:
            return u.audit.list(subject)
