"""``SqlRouteRepository``: routes with their items, corrections, final events and signatures, route
numbers, the educational product's file, and what the sync jobs read and mark on routes."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, bindparam, delete, func, insert, or_, select, update

from lms_bridge.domain.numbering import format_number
from lms_bridge.domain.results import ProductFile
from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import RouteStatus
from lms_bridge.errors import NotFound, RouteNotFound
from lms_bridge.ports import FormalItem, RouteFilter, RoutePeople
from lms_bridge.storage import codec
from lms_bridge.storage.sql import IMPLEMENTING, chunks, route_ids, teacher_ids
from lms_bridge.storage.tables import (
    audit,
    corrections,
    diagnostics,
    final_events,
    product_files,
    route_items,
    route_sequences,
    routes,
    signatures,
    teachers,
)

# what a mark from the LMS changes (mark_activity by SYSTEM); result_form and the rest stay as they are
_MARK_COLUMNS = ("done", "done_on", "not_done_reason", "result", "grade", "pass_grade", "result_source")


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


def mark_lines(routes_: Sequence[Route], keys: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The audit lines (route number, details) of the marks ``save_item_marks`` writes."""
    by_number = {r.number: r for r in routes_}
    out = []
    for number, key in keys:
        activity = by_number[number].activity(key)
        mark = "выполнено" if activity.done else activity.mark_label or "не выполнено"
        grade = f", оценка {activity.grade:g}" if activity.grade is not None else ""
        out.append((number, f"«{activity.title}»: {mark}{grade} ({activity.result_source})"))
    return out


class SqlRouteRepository:
    def __init__(self, conn: Connection, id_cache: dict[str, int]) -> None:
        self._c = conn
        self._id_cache = id_cache  # a route's id never changes: the unit of work keeps it across units

    # --- numbers and new routes -------------------------------------------------------------------
    def allocate_numbers(self, region: str, year: int, count: int) -> list[str]:
        """Reserve ``count`` consecutive numbers; a number once given is never given again."""
        c = self._c
        key = (route_sequences.c.region == region) & (route_sequences.c.year == year)
        last = c.execute(select(route_sequences.c.last).where(key).with_for_update()).scalar()
        if last is None:
            c.execute(insert(route_sequences).values(region=region, year=year, last=count))
            last = 0
        else:
            c.execute(update(route_sequences).where(key).values(last=last + count))
        return [format_number(region, year, last + i) for i in range(1, count + 1)]

    def add(self, new_routes: Sequence[Route], now: datetime) -> None:
        """Insert the routes with their items and final events (their teachers and diagnostics are stored)."""
        c = self._c
        tids = teacher_ids(c, [r.teacher.email for r in new_routes])
        diag_ids = self._diagnostic_ids(new_routes, tids)
        for chunk in chunks(new_routes):
            rows = [
                {
                    **codec.route_row(r),
                    "teacher_id": tids[r.teacher.email],
                    "diagnostic_id": diag_ids[r.number],
                    "updated_at": now,
                }
                for r in chunk
            ]
            c.execute(insert(routes), rows)
        ids = route_ids(c, [r.number for r in new_routes])
        items = [{**codec.item_row(a), "route_id": ids[r.number]} for r in new_routes for a in r.activities]
        for chunk in chunks(items):
            c.execute(insert(route_items), list(chunk))
        events = [
            {**codec.event_row(e), "route_id": ids[r.number]} for r in new_routes for e in r.final_events
        ]
        for chunk in chunks(events):
            c.execute(insert(final_events), list(chunk))

    def _diagnostic_ids(self, rs: Sequence[Route], tids: dict[str, int]) -> dict[str, int]:
        by_key: dict[tuple[int, str, Any], int] = {}
        for chunk in chunks(list({tids[r.teacher.email] for r in rs})):
            q = select(
                diagnostics.c.id, diagnostics.c.teacher_id, diagnostics.c.kind, diagnostics.c.date
            ).where(diagnostics.c.teacher_id.in_(chunk))
            by_key.update(((r.teacher_id, r.kind, r.date), r.id) for r in self._c.execute(q))
        return {
            r.number: by_key[(tids[r.teacher.email], r.diagnostic.kind.value, r.diagnostic.date)] for r in rs
        }

    def cached_ids(self, numbers: Sequence[str]) -> dict[str, int]:
        missing = [n for n in numbers if n not in self._id_cache]
        if missing:
            self._id_cache.update(route_ids(self._c, missing))
        return {n: self._id_cache[n] for n in numbers}

    # --- reading routes ---------------------------------------------------------------------------
    def get(self, number: str) -> Route:
        found = self.find(RouteFilter(archived=None), numbers=[number])
        if not found:
            raise RouteNotFound(number)
        return found[0]

    def find(self, flt: RouteFilter | None = None, numbers: Sequence[str] | None = None) -> list[Route]:
        flt = flt or RouteFilter()
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
                diagnostics.c.deficit_level.label("d_grade"),
                diagnostics.c.route_model.label("d_model"),
            )
            .join(teachers, teachers.c.id == routes.c.teacher_id)
            .join(diagnostics, diagnostics.c.id == routes.c.diagnostic_id)
            .order_by(routes.c.number)
        )
        q = _filtered(q, flt)
        if numbers is not None:
            q = q.where(routes.c.number.in_(list(numbers)))
        return self._assemble(list(self._c.execute(q).mappings()))

    def list_by_number(self, numbers: Sequence[str]) -> list[Route]:
        """These routes, archived or not, in batches the database accepts."""
        out: list[Route] = []
        for chunk in chunks(list(numbers)):
            out += self.find(RouteFilter(archived=None), numbers=chunk)
        return out

    def numbers(self, flt: RouteFilter) -> list[str]:
        q = select(routes.c.number).join(teachers, teachers.c.id == routes.c.teacher_id)
        return [r.number for r in self._c.execute(_filtered(q, flt).order_by(routes.c.number))]

    def _assemble(self, rows: list[Any]) -> list[Route]:
        c = self._c
        ids = [r["id"] for r in rows]
        items: dict[int, list[Any]] = {i: [] for i in ids}
        fixes: dict[int, list[Any]] = {i: [] for i in ids}
        events: dict[int, list[Any]] = {i: [] for i in ids}
        signed: dict[int, list[Any]] = {i: [] for i in ids}
        for chunk in chunks(ids):
            for ev in c.execute(select(final_events).where(final_events.c.route_id.in_(chunk))).mappings():
                events[ev["route_id"]].append(codec.event_from(ev))
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
            teacher = codec.teacher_from({k[2:]: v for k, v in r.items() if k.startswith("t_")})
            d = {"kind": r["d_kind"], "date": r["d_date"], "levels": r["d_levels"]}
            diag = codec.diagnostic_from(
                {
                    **d,
                    "deficit_codes": r["d_codes"],
                    "recommendations": r["d_rec"],
                    "deficit_level": r["d_grade"],
                    "route_model": r["d_model"],
                },
                teacher.email,
            )
            sigs = codec.signatures_from(signed[r["id"]])
            out.append(
                codec.route_from(r, teacher, diag, items[r["id"]], fixes[r["id"]], events[r["id"]], sigs)
            )
        return out

    def _numbers_of(self, emails: Sequence[str], *, statuses: Sequence[RouteStatus] = ()) -> list[str]:
        """Route numbers of these teachers, oldest first (by entry diagnostic, then number)."""
        out: list[str] = []
        for chunk in chunks(sorted({e.lower() for e in emails})):
            q = (
                select(routes.c.number)
                .join(teachers, teachers.c.id == routes.c.teacher_id)
                .join(diagnostics, diagnostics.c.id == routes.c.diagnostic_id)
                .where(teachers.c.email.in_(chunk))
                .order_by(diagnostics.c.date, routes.c.number)
            )
            if statuses:
                q = q.where(routes.c.status.in_([s.value for s in statuses]))
            out += [r.number for r in self._c.execute(q)]
        return out

    def latest_numbers(self, emails: Sequence[str]) -> dict[str, str]:
        """Each teacher's most recent route (by its entry diagnostic, then number): the previous route."""
        out: dict[str, str] = {}
        for chunk in chunks([e.lower() for e in emails]):
            q = (
                select(teachers.c.email, routes.c.number)
                .join(routes, routes.c.teacher_id == teachers.c.id)
                .join(diagnostics, diagnostics.c.id == routes.c.diagnostic_id)
                .where(teachers.c.email.in_(chunk))
                .order_by(diagnostics.c.date, routes.c.number)
            )
            out.update((r.email, r.number) for r in self._c.execute(q))
        return out

    def list_of_teacher(self, email: str) -> list[Route]:
        """Every route of one teacher, oldest first (the card's route history)."""
        numbers = self._numbers_of([email])
        found = {r.number: r for r in self.find(RouteFilter(archived=None), numbers=numbers)}
        return [found[n] for n in numbers if n in found]

    def list_implementing(self, emails: Sequence[str]) -> list[Route]:
        """Routes in progress or prolonged of these teachers (a new diagnostic may be their final one)."""
        numbers = self._numbers_of(emails, statuses=IMPLEMENTING)
        out: list[Route] = []
        for chunk in chunks(numbers):
            out += self.find(RouteFilter(), numbers=chunk)
        return out

    def version(self, number: str) -> str | None:
        """Changes whenever the route is saved or an audit line (e.g. a proposal) is written on it."""
        last_audit = select(func.max(audit.c.id)).where(audit.c.subject == number).scalar_subquery()
        r = self._c.execute(select(routes.c.updated_at, last_audit).where(routes.c.number == number)).first()
        return None if r is None else f"{r[0].isoformat()}|{r[1]}"

    # --- writing routes ---------------------------------------------------------------------------
    def _id(self, number: str) -> int:
        rid = self._c.execute(select(routes.c.id).where(routes.c.number == number)).scalar()
        if rid is None:
            raise RouteNotFound(number)
        return int(rid)

    def save(self, route: Route, now: datetime) -> None:
        """Write the route's current state: items upserted by key, new corrections appended, final
        events and signatures rewritten."""
        c = self._c
        rid = self._id(route.number)
        c.execute(update(routes).where(routes.c.id == rid).values(**codec.route_row(route), updated_at=now))
        self._save_items(rid, route)
        c.execute(delete(final_events).where(final_events.c.route_id == rid))  # a handful: rewritten whole
        if route.final_events:
            c.execute(
                insert(final_events), [{**codec.event_row(e), "route_id": rid} for e in route.final_events]
            )
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

    def _save_items(self, rid: int, route: Route) -> None:
        c = self._c
        q = select(route_items.c.key, route_items.c.id).where(route_items.c.route_id == rid)
        stored = {r.key: r.id for r in c.execute(q)}
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

    def save_statuses(self, routes_: Sequence[Route], now: datetime) -> None:
        """Write only the status and start of each route (a job moves thousands at once)."""
        if not routes_:
            return
        stmt = (
            update(routes)
            .where(routes.c.number == bindparam("k_number"))
            .values(
                status=bindparam("v_status"),
                start=bindparam("v_start"),
                started_on=func.coalesce(routes.c.started_on, bindparam("v_started")),
                updated_at=bindparam("v_at"),
            )
        )
        params = [
            {
                "k_number": r.number,
                "v_status": r.status.value,
                "v_start": r.start,
                "v_started": r.started_on,  # the actual start the transition recorded
                "v_at": now,
            }
            for r in routes_
        ]
        self._c.execute(stmt, params)

    def save_item_marks(
        self, routes_: Sequence[Route], keys: Sequence[tuple[str, str]], now: datetime
    ) -> None:
        """Bulk-write the completion marks of the named items (the results job marks thousands per run;
        ``save`` per route would rewrite every item of every route)."""
        if not keys:
            return
        by_number = {r.number: r for r in routes_}
        ids = self.cached_ids(sorted({n for n, _ in keys}))
        params = []
        for number, key in keys:
            row = codec.item_row(by_number[number].activity(key))
            params.append(
                {"k_route_id": ids[number], "k_key": key, **{f"v_{k}": row[k] for k in _MARK_COLUMNS}}
            )
        stmt = (
            update(route_items)
            .where(route_items.c.route_id == bindparam("k_route_id"), route_items.c.key == bindparam("k_key"))
            .values({k: bindparam(f"v_{k}") for k in _MARK_COLUMNS})
        )
        self._c.execute(stmt, params)
        for chunk in chunks(sorted(set(ids.values()))):
            self._c.execute(update(routes).where(routes.c.id.in_(chunk)).values(updated_at=now))

    def drop_corrections(self, number: str) -> None:
        """Forget the route's correction log (purge: ``save`` writes the depersonalised one back)."""
        self._c.execute(delete(corrections).where(corrections.c.route_id == self._id(number)))

    # --- the educational product's file -----------------------------------------------------------
    def save_product_file(self, number: str, file: ProductFile, data: bytes, now: datetime) -> None:
        """Keep the product's file (a new upload replaces the old one)."""
        rid = self._id(number)
        self.drop_product_file(number)
        self._c.execute(
            insert(product_files).values(
                route_id=rid,
                name=file.name,
                content_type=file.content_type,
                size=file.size,
                sha256=file.sha256,
                data=data,
                uploaded_at=now,
            )
        )

    def get_product_file(self, number: str) -> tuple[ProductFile, bytes]:
        q = (
            select(product_files)
            .join(routes, routes.c.id == product_files.c.route_id)
            .where(routes.c.number == number)
        )
        r = self._c.execute(q).mappings().first()
        if r is None:
            raise NotFound(f"у маршрута {number} нет файла образовательного продукта")
        return ProductFile(r["name"], r["content_type"], r["size"], r["sha256"]), bytes(r["data"])

    def drop_product_file(self, number: str) -> None:
        self._c.execute(delete(product_files).where(product_files.c.route_id == self._id(number)))

    # --- what the sync jobs read ------------------------------------------------------------------
    def list_formal_items(
        self,
        statuses: Sequence[RouteStatus],
        *,
        courses: Collection[str] | None = None,
        numbers: Collection[str] | None = None,
    ) -> list[FormalItem]:
        """Every formal item of routes in these states (90,000 rows at 30,000 teachers); only of these LMS
        courses / routes when given (a task of the queue)."""
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
        return [
            FormalItem(number, status_of[status], *rest)
            for number, status, *rest in self._c.execute(q)  # same order as the dataclass fields
        ]

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
        return [(r.number, r.email, r.curator_email, tuple(r.deficit_codes)) for r in self._c.execute(q)]

    def list_activities(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Activity]:
        wanted = set(keys)
        out: dict[tuple[str, str], Activity] = {}
        for chunk in chunks(sorted({n for n, _ in wanted})):
            q = (
                select(routes.c.number, route_items)
                .join(routes, routes.c.id == route_items.c.route_id)
                .where(routes.c.number.in_(chunk))
            )
            for r in self._c.execute(q).mappings():
                if (r["number"], r["key"]) in wanted:
                    out[(r["number"], r["key"])] = codec.item_from(r)
        return out
