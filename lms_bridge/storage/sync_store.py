"""``SqlSyncStore``: the registry plus what the LMS sync jobs record (transmissions, LMS links,
result disagreements). A subclass of ``SqlRouteStore`` so a job's route changes and its records
commit in one ``transaction()``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import RouteStatus
from lms_bridge.ports import (
    Disagreement,
    FormalItem,
    LmsLink,
    RouteFilter,
    RoutePeople,
    Transmission,
    TransmissionKind,
    TransmissionState,
)
from lms_bridge.storage import codec
from lms_bridge.storage.sql import chunks
from lms_bridge.storage.store import SqlRouteStore
from lms_bridge.storage.tables import (
    audit,
    diagnostics,
    lms_links,
    result_disagreements,
    route_items,
    routes,
    teachers,
    transmissions,
)

# what a mark from the LMS changes (mark_activity by SYSTEM); result_form and the rest stay as they are
_MARK_COLUMNS = ("done", "done_on", "not_done_reason", "result", "grade", "pass_grade", "result_source")
_TX_COLUMNS = (
    "state",
    "lms_user_id",
    "lms_course_id",
    "attempts",
    "error_code",
    "error_message",
    "grade",
    "detail",
)


_TX_FIELDS = [f.name for f in fields(Transmission)]  # the columns in the dataclass's order


class SqlSyncStore(SqlRouteStore):
    def __init__(self, engine: Engine, clock: Any = datetime.now):
        super().__init__(engine, clock)
        self._route_id_cache: dict[str, int] = {}  # a route's id never changes

    def _cached_route_ids(self, c: Any, numbers: Sequence[str]) -> dict[str, int]:
        missing = [n for n in numbers if n not in self._route_id_cache]
        if missing:
            self._route_id_cache.update(self._route_ids(c, missing))
        return {n: self._route_id_cache[n] for n in numbers}

    def list_formal_items(
        self,
        statuses: Sequence[RouteStatus],
        *,
        courses: Collection[str] | None = None,
        numbers: Collection[str] | None = None,
    ) -> list[FormalItem]:
        """Every formal item of routes in these states (90,000 rows at 30,000 teachers)."""
        q = (
            select(
                routes.c.number,
                routes.c.status,
                teachers.c.email,
                routes.c.curator_email,
                route_items.c.key,
                route_items.c.lms_course,
                route_items.c.start,
                route_items.c.end,
                route_items.c.done,
                route_items.c.grade,
                route_items.c.result_source,
                route_items.c.head_confirmed_by,
                route_items.c.centre_confirmed_by,
                routes.c.start,
            )
            .join(routes, routes.c.id == route_items.c.route_id)
            .join(teachers, teachers.c.id == routes.c.teacher_id)
            .where(route_items.c.lms_course.is_not(None))
            .where(routes.c.status.in_([s.value for s in statuses]))
            .order_by(routes.c.number, route_items.c.key)
        )
        if courses is not None:
            q = q.where(route_items.c.lms_course.in_(sorted(courses)))
        if numbers is not None:
            q = q.where(routes.c.number.in_(sorted(numbers)))
        status_of = {s.value: s for s in RouteStatus}
        with self._tx() as c:
            return [
                FormalItem(number, status_of[status], *rest)
                for number, status, *rest in c.execute(q)  # same order as the dataclass fields
            ]

    def list_routes_by_number(self, numbers: Sequence[str]) -> list[Route]:
        out: list[Route] = []
        for chunk in chunks(list(numbers)):
            out += self.list_routes(RouteFilter(archived=None), numbers=chunk)
        return out

    def list_route_people(
        self, statuses: Sequence[RouteStatus], *, numbers: Collection[str] | None = None
    ) -> list[RoutePeople]:
        q = (
            select(routes.c.number, teachers.c.email, routes.c.curator_email, diagnostics.c.deficit_codes)
            .join(teachers, teachers.c.id == routes.c.teacher_id)
            .join(diagnostics, diagnostics.c.id == routes.c.diagnostic_id)
            .where(routes.c.status.in_([s.value for s in statuses]))
            .order_by(routes.c.number)
        )
        if numbers is not None:
            q = q.where(routes.c.number.in_(sorted(numbers)))
        with self._tx() as c:
            return [(r.number, r.email, r.curator_email, tuple(r.deficit_codes)) for r in c.execute(q)]

    # --- transmissions ----------------------------------------------------------------------------
    def list_transmissions(
        self,
        kind: TransmissionKind,
        states: Sequence[TransmissionState] | None = None,
        *,
        courses: Collection[str] | None = None,
        numbers: Collection[str] | None = None,
    ) -> dict[tuple[str, str, str, str], Transmission]:
        q = select(*[transmissions.c[f] for f in _TX_FIELDS]).where(transmissions.c.kind == str(kind))
        if states is not None:
            q = q.where(transmissions.c.state.in_([str(s) for s in states]))
        if courses is not None:
            q = q.where(transmissions.c.lms_course.in_(sorted(courses)))
        if numbers is not None:
            q = q.where(transmissions.c.route_number.in_(sorted(numbers)))
        with self._tx() as c:
            out: dict[tuple[str, str, str, str], Transmission] = {}
            for r in c.execute(q):
                t = Transmission(*r)
                t = replace(t, kind=TransmissionKind(t.kind), state=TransmissionState(t.state))
                out[(t.route_number, t.item_key, t.lms_course, t.kind)] = t
            return out

    def lms_course_ids(self) -> dict[str, int]:
        q = (
            select(transmissions.c.lms_course, func.max(transmissions.c.lms_course_id))
            .where(transmissions.c.kind == TransmissionKind.ENROL, transmissions.c.lms_course_id.is_not(None))
            .group_by(transmissions.c.lms_course)
        )
        with self._tx() as c:
            return {ref: cid for ref, cid in c.execute(q)}

    def list_activities(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Activity]:
        wanted = set(keys)
        out: dict[tuple[str, str], Activity] = {}
        with self._tx() as c:
            for chunk in chunks(sorted({n for n, _ in wanted})):
                q = (
                    select(routes.c.number, route_items)
                    .join(routes, routes.c.id == route_items.c.route_id)
                    .where(routes.c.number.in_(chunk))
                )
                for r in c.execute(q).mappings():
                    if (r["number"], r["key"]) in wanted:
                        out[(r["number"], r["key"])] = codec.item_from(r)
        return out

    def save_statuses(self, routes_: Sequence[Route], actor: Actor, action: str, details: str = "") -> None:
        if not routes_:
            return
        now = self._now()
        with self._tx() as c:
            stmt = (
                update(routes)
                .where(routes.c.number == bindparam("k_number"))
                .values(
                    status=bindparam("v_status"), start=bindparam("v_start"), updated_at=bindparam("v_at")
                )
            )
            c.execute(
                stmt,
                [
                    {"k_number": r.number, "v_status": r.status.value, "v_start": r.start, "v_at": now}
                    for r in routes_
                ],
            )
            entries = [
                {"at": now, "actor": str(actor), "action": action, "subject": r.number, "details": details}
                for r in routes_
            ]
            c.execute(insert(audit), entries)

    def save_transmissions(self, rows: Sequence[Transmission]) -> None:
        """Upsert by (route number, item key, LMS course, kind): one statement per call (ON CONFLICT on
        SQLite and PostgreSQL), no read-before-write."""
        if not rows:
            return
        now = self._now()
        values = [
            {
                **{col: getattr(t, col) for col in _TX_COLUMNS},
                "state": str(t.state),  # plain text for every driver
                **_key_row(t),
                "created_at": now,
                "updated_at": now,
            }
            for t in rows
        ]
        with self._tx() as c:
            upsert: Any
            if c.dialect.name == "postgresql":
                upsert = pg_insert(transmissions)
            else:
                upsert = sqlite_insert(transmissions)
            stmt = upsert.on_conflict_do_update(
                index_elements=["route_number", "item_key", "lms_course", "kind"],
                set_={col: upsert.excluded[col] for col in (*_TX_COLUMNS, "updated_at")},
            )
            for chunk in chunks(values, 200):
                c.execute(stmt, list(chunk))

    # --- LMS links --------------------------------------------------------------------------------
    def list_links(
        self, site: str = "default", *, emails: Collection[str] | None = None
    ) -> dict[str, LmsLink]:
        q = select(lms_links).where(lms_links.c.site == site)
        with self._tx() as c:
            if emails is None:
                found = list(c.execute(q))
            else:
                found = [
                    r
                    for chunk in chunks(sorted(emails))
                    for r in c.execute(q.where(lms_links.c.email.in_(chunk)))
                ]
            return {
                r.email: LmsLink(r.email, r.lms_user_id, r.field, r.matches, r.resolved_at, r.site)
                for r in found
            }

    def list_teacher_places(self, emails: Collection[str] | None = None) -> dict[str, tuple[str, str]]:
        q = select(teachers.c.email, teachers.c.school, teachers.c.municipality)
        with self._tx() as c:
            if emails is None:
                rows = list(c.execute(q.where(teachers.c.id.in_(select(routes.c.teacher_id)))))
            else:
                rows = [
                    r
                    for chunk in chunks(sorted(emails))
                    for r in c.execute(q.where(teachers.c.email.in_(chunk)))
                ]
            return {r.email: (r.school, r.municipality) for r in rows}

    def save_links(self, links: Sequence[LmsLink]) -> None:
        if not links:
            return
        with self._tx() as c:
            for site in sorted({lk.site for lk in links}):
                self._save_site_links(c, site, [lk for lk in links if lk.site == site])

    def _save_site_links(self, c: Any, site: str, links: list[LmsLink]) -> None:
        known: set[str] = set()
        for chunk in chunks(sorted({lk.email for lk in links})):
            q = select(lms_links.c.email).where(lms_links.c.site == site, lms_links.c.email.in_(chunk))
            known.update(r.email for r in c.execute(q))
        rows = [
            {
                "email": lk.email,
                "site": site,
                "lms_user_id": lk.lms_user_id,
                "field": lk.field,
                "matches": lk.matches,
                "resolved_at": lk.resolved_at,
            }
            for lk in links
        ]
        new = [r for r in rows if r["email"] not in known]
        old = [
            {**{f"v_{k}": v for k, v in r.items()}, "k_email": r["email"]}
            for r in rows
            if r["email"] in known
        ]
        if new:
            c.execute(insert(lms_links), new)
        if old:
            stmt = (
                update(lms_links)
                .where(lms_links.c.email == bindparam("k_email"), lms_links.c.site == site)
                .values({k: bindparam(f"v_{k}") for k in ("lms_user_id", "field", "matches", "resolved_at")})
            )
            c.execute(stmt, old)

    # --- marks from the LMS -------------------------------------------------------------------------
    def save_item_marks(
        self, routes_: Sequence[Route], keys: Sequence[tuple[str, str]], actor: Actor
    ) -> None:
        """Bulk-write the completion marks of the named items (the results job marks thousands per run;
        ``save_route`` per route would rewrite every item of every route)."""
        if not keys:
            return
        by_number = {r.number: r for r in routes_}
        now = self._now()
        with self._tx() as c:
            ids = self._cached_route_ids(c, sorted({n for n, _ in keys}))
            params = []
            entries = []
            for number, key in keys:
                activity = by_number[number].activity(key)
                row = codec.item_row(activity)
                params.append(
                    {"k_route_id": ids[number], "k_key": key, **{f"v_{k}": row[k] for k in _MARK_COLUMNS}}
                )
                mark = "выполнено" if activity.done else activity.mark_label or "не выполнено"
                grade = f", оценка {activity.grade:g}" if activity.grade is not None else ""
                entries.append(
                    {
                        "at": now,
                        "actor": str(actor),
                        "action": "mark",
                        "subject": number,
                        "details": f"«{activity.title}»: {mark}{grade} ({activity.result_source})",
                    }
                )
            stmt = (
                update(route_items)
                .where(
                    route_items.c.route_id == bindparam("k_route_id"), route_items.c.key == bindparam("k_key")
                )
                .values({k: bindparam(f"v_{k}") for k in _MARK_COLUMNS})
            )
            c.execute(stmt, params)
            route_ids = sorted(set(ids.values()))
            for chunk in chunks(route_ids):
                c.execute(update(routes).where(routes.c.id.in_(chunk)).values(updated_at=now))
            c.execute(insert(audit), entries)

    def audit_many(self, actor: Actor, action: str, entries: Sequence[tuple[str, str]]) -> None:
        """Many audit lines at once: (subject, details) each."""
        if not entries:
            return
        now = self._now()
        rows = [
            {"at": now, "actor": str(actor), "action": action, "subject": s, "details": d} for s, d in entries
        ]
        with self._tx() as c:
            for chunk in chunks(rows):
                c.execute(insert(audit), list(chunk))

    # --- disagreements ------------------------------------------------------------------------------
    def add_disagreement(self, d: Disagreement) -> bool:
        with self._tx() as c:
            open_one = c.execute(
                select(result_disagreements.c.id).where(
                    result_disagreements.c.route_number == d.route_number,
                    result_disagreements.c.item_key == d.item_key,
                    result_disagreements.c.resolved_at.is_(None),
                )
            ).first()
            if open_one is not None:
                return False
            c.execute(
                insert(result_disagreements).values(
                    route_number=d.route_number,
                    item_key=d.item_key,
                    lms_course=d.lms_course,
                    recorded_grade=d.recorded_grade,
                    lms_grade=d.lms_grade,
                    pass_grade=d.pass_grade,
                    found_at=d.found_at,
                )
            )
            return True

    def resolve_disagreement(self, route_number: str, item_key: str, actor: Actor, note: str) -> bool:
        """Close the open disagreement of this item with a note (audited); False when none is open."""
        now = self._now()
        with self._tx() as c:
            done = c.execute(
                update(result_disagreements)
                .where(
                    result_disagreements.c.route_number == route_number,
                    result_disagreements.c.item_key == item_key,
                    result_disagreements.c.resolved_at.is_(None),
                )
                .values(resolved_by=str(actor), resolved_at=now, note=note)
            ).rowcount
            if done:
                self.audit(actor, "disagreement-resolved", route_number, f"мероприятие {item_key}: {note}")
            return bool(done)

    def list_disagreements(self, unresolved_only: bool = True) -> list[Disagreement]:
        q = select(result_disagreements).order_by(result_disagreements.c.found_at, result_disagreements.c.id)
        if unresolved_only:
            q = q.where(result_disagreements.c.resolved_at.is_(None))
        with self._tx() as c:
            return [
                Disagreement(
                    r.route_number,
                    r.item_key,
                    r.lms_course,
                    r.recorded_grade,
                    r.lms_grade,
                    r.pass_grade,
                    r.found_at,
                    r.resolved_by,
                )
                for r in c.execute(q)
            ]


def _key_row(t: Transmission) -> dict[str, str]:
    return {
        "route_number": t.route_number,
        "item_key": t.item_key,
        "lms_course": t.lms_course,
        "kind": str(t.kind),
    }
