"""``SqlSyncStore``: the registry plus what the LMS sync jobs record (transmissions, LMS links,
result disagreements). A subclass of ``SqlRouteStore`` so a job's route changes and its records
commit in one ``transaction()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import RouteStatus
from lms_bridge.ports import Disagreement, FormalItem, LmsLink, RouteFilter, RoutePeople, Transmission
from lms_bridge.storage import codec
from lms_bridge.storage.store import SqlRouteStore, _chunks
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

_MARK_COLUMNS = ("done", "done_on", "not_done_reason", "result", "result_form", "grade", "result_source")
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


def _transmission(r: Any) -> Transmission:
    return Transmission(
        route_number=r.route_number,
        item_key=r.item_key,
        lms_course=r.lms_course,
        kind=r.kind,
        state=r.state,
        lms_user_id=r.lms_user_id,
        lms_course_id=r.lms_course_id,
        attempts=r.attempts,
        error_code=r.error_code,
        error_message=r.error_message,
        grade=r.grade,
        detail=r.detail,
        updated_at=r.updated_at,
    )


class SqlSyncStore(SqlRouteStore):
    def list_formal_items(self, statuses: Sequence[RouteStatus]) -> list[FormalItem]:
        q = (
            select(
                routes.c.number,
                routes.c.status,
                routes.c.curator_email,
                teachers.c.email,
                route_items.c.key,
                route_items.c.lms_course,
                route_items.c.start,
                route_items.c.end,
                route_items.c.done,
                route_items.c.grade,
                route_items.c.result_source,
                route_items.c.head_confirmed_by,
                route_items.c.centre_confirmed_by,
            )
            .join(routes, routes.c.id == route_items.c.route_id)
            .join(teachers, teachers.c.id == routes.c.teacher_id)
            .where(route_items.c.lms_course.is_not(None))
            .where(routes.c.status.in_([s.value for s in statuses]))
            .order_by(routes.c.number, route_items.c.key)
        )
        with self._tx() as c:
            return [
                FormalItem(
                    route_number=r.number,
                    status=RouteStatus(r.status),
                    teacher_email=r.email,
                    curator_email=r.curator_email,
                    key=r.key,
                    lms_course=r.lms_course,
                    start=r.start,
                    end=r.end,
                    done=r.done,
                    grade=r.grade,
                    result_source=r.result_source,
                    head_confirmed_by=r.head_confirmed_by,
                    centre_confirmed_by=r.centre_confirmed_by,
                )
                for r in c.execute(q)
            ]

    def list_routes_by_number(self, numbers: Sequence[str]) -> list[Route]:
        out: list[Route] = []
        for chunk in _chunks(list(numbers)):
            out += self.list_routes(RouteFilter(), numbers=chunk)
        return out

    def list_route_people(self, statuses: Sequence[RouteStatus]) -> list[RoutePeople]:
        q = (
            select(routes.c.number, teachers.c.email, routes.c.curator_email, diagnostics.c.deficit_codes)
            .join(teachers, teachers.c.id == routes.c.teacher_id)
            .join(diagnostics, diagnostics.c.id == routes.c.diagnostic_id)
            .where(routes.c.status.in_([s.value for s in statuses]))
            .order_by(routes.c.number)
        )
        with self._tx() as c:
            return [(r.number, r.email, r.curator_email, tuple(r.deficit_codes)) for r in c.execute(q)]

    # --- transmissions ----------------------------------------------------------------------------
    def list_transmissions(self, kind: str) -> dict[tuple[str, str, str, str], Transmission]:
        with self._tx() as c:
            rows = c.execute(select(transmissions).where(transmissions.c.kind == kind))
            return {t.key: t for t in map(_transmission, rows)}

    def save_transmissions(self, rows: Sequence[Transmission]) -> None:
        if not rows:
            return
        now = self._now()
        with self._tx() as c:
            kinds = {t.kind for t in rows}
            existing: set[tuple[str, str, str, str]] = set()
            for kind in kinds:
                numbers = sorted({t.route_number for t in rows if t.kind == kind})
                for chunk in _chunks(numbers):
                    q = select(
                        transmissions.c.route_number,
                        transmissions.c.item_key,
                        transmissions.c.lms_course,
                        transmissions.c.kind,
                    ).where(transmissions.c.kind == kind, transmissions.c.route_number.in_(chunk))
                    existing.update(tuple(r) for r in c.execute(q))
            new = [
                {
                    **{col: getattr(t, col) for col in _TX_COLUMNS},
                    **_key_row(t),
                    "created_at": now,
                    "updated_at": now,
                }
                for t in rows
                if t.key not in existing
            ]
            # bind names must differ from column names in an executemany UPDATE
            old = [
                {
                    **{f"v_{col}": getattr(t, col) for col in _TX_COLUMNS},
                    **{f"k_{k}": x for k, x in _key_row(t).items()},
                    "v_updated_at": now,
                }
                for t in rows
                if t.key in existing
            ]
            if new:
                c.execute(insert(transmissions), new)
            if old:
                stmt = (
                    update(transmissions)
                    .where(
                        transmissions.c.route_number == bindparam("k_route_number"),
                        transmissions.c.item_key == bindparam("k_item_key"),
                        transmissions.c.lms_course == bindparam("k_lms_course"),
                        transmissions.c.kind == bindparam("k_kind"),
                    )
                    .values({col: bindparam(f"v_{col}") for col in (*_TX_COLUMNS, "updated_at")})
                )
                c.execute(stmt, old)

    # --- LMS links --------------------------------------------------------------------------------
    def list_links(self) -> dict[str, LmsLink]:
        with self._tx() as c:
            return {
                r.email: LmsLink(r.email, r.lms_user_id, r.field, r.matches, r.resolved_at)
                for r in c.execute(select(lms_links))
            }

    def save_links(self, links: Sequence[LmsLink]) -> None:
        if not links:
            return
        with self._tx() as c:
            known: set[str] = set()
            for chunk in _chunks(sorted({lk.email for lk in links})):
                known.update(
                    r.email for r in c.execute(select(lms_links.c.email).where(lms_links.c.email.in_(chunk)))
                )
            rows = [
                {
                    "email": lk.email,
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
                    .where(lms_links.c.email == bindparam("k_email"))
                    .values(
                        {k: bindparam(f"v_{k}") for k in ("lms_user_id", "field", "matches", "resolved_at")}
                    )
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
            ids = self._route_ids(c, sorted({n for n, _ in keys}))
            params = []
            entries = []
            for number, key in keys:
                activity = by_number[number].activity(key)
                row = codec.item_row(activity)
                params.append(
                    {"k_route_id": ids[number], "k_key": key, **{f"v_{k}": row[k] for k in _MARK_COLUMNS}}
                )
                mark = "выполнено" if activity.done else "не выполнено"
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
            for chunk in _chunks(route_ids):
                c.execute(update(routes).where(routes.c.id.in_(chunk)).values(updated_at=now))
            c.execute(insert(audit), entries)

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
        "kind": t.kind,
    }
