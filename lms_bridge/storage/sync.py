"""``SqlSyncRepository``: what the LMS sync jobs record — transmissions, LMS links, result disagreements."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lms_bridge.domain.people import Actor
from lms_bridge.ports import Disagreement, LmsLink, Transmission, TransmissionKind, TransmissionState
from lms_bridge.storage.sql import chunks
from lms_bridge.storage.tables import lms_links, result_disagreements, transmissions

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
_LINK_COLUMNS = ("lms_user_id", "field", "matches", "resolved_at")


def _key_row(t: Transmission) -> dict[str, str]:
    return {
        "route_number": t.route_number,
        "item_key": t.item_key,
        "lms_course": t.lms_course,
        "kind": str(t.kind),
    }


class SqlSyncRepository:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

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
        out: dict[tuple[str, str, str, str], Transmission] = {}
        for r in self._c.execute(q):
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
        return {ref: cid for ref, cid in self._c.execute(q)}

    def save_transmissions(self, rows: Sequence[Transmission], now: datetime) -> None:
        """Upsert by (route number, item key, LMS course, kind): one statement per call (ON CONFLICT on
        SQLite and PostgreSQL), no read-before-write."""
        if not rows:
            return
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
        upsert: Any = (
            pg_insert(transmissions) if self._c.dialect.name == "postgresql" else sqlite_insert(transmissions)
        )
        stmt = upsert.on_conflict_do_update(
            index_elements=["route_number", "item_key", "lms_course", "kind"],
            set_={col: upsert.excluded[col] for col in (*_TX_COLUMNS, "updated_at")},
        )
        for chunk in chunks(values, 200):
            self._c.execute(stmt, list(chunk))

    def forget_route(self, number: str) -> None:
        """Delete the route's LMS bookkeeping (transmissions with user ids and grades, disagreements)."""
        for table in (transmissions, result_disagreements):
            self._c.execute(delete(table).where(table.c.route_number == number))

    # --- LMS links --------------------------------------------------------------------------------
    def list_links(
        self, site: str = "default", *, emails: Collection[str] | None = None
    ) -> dict[str, LmsLink]:
        """E-mail → the person's account on this LMS site (only these people when given)."""
        q = select(lms_links).where(lms_links.c.site == site)
        if emails is None:
            found = list(self._c.execute(q))
        else:
            found = [
                r
                for chunk in chunks(sorted(emails))
                for r in self._c.execute(q.where(lms_links.c.email.in_(chunk)))
            ]
        return {
            r.email: LmsLink(r.email, r.lms_user_id, r.field, r.matches, r.resolved_at, r.site) for r in found
        }

    def save_links(self, links: Sequence[LmsLink]) -> None:
        """Insert or update by (e-mail, site), as one upsert: two tasks of the queue that look up the same
        person (a curator of teachers in two route batches) both write without a unique-key error."""
        if not links:
            return
        rows = {
            (lk.email, lk.site): {
                "email": lk.email,
                "site": lk.site,
                **{k: getattr(lk, k) for k in _LINK_COLUMNS},
            }
            for lk in links
        }
        upsert: Any = (
            pg_insert(lms_links) if self._c.dialect.name == "postgresql" else sqlite_insert(lms_links)
        )
        stmt = upsert.on_conflict_do_update(
            index_elements=["email", "site"], set_={col: upsert.excluded[col] for col in _LINK_COLUMNS}
        )
        for chunk in chunks(list(rows.values()), 200):
            self._c.execute(stmt, list(chunk))

    def forget_link(self, email: str) -> None:
        """Delete the person's accounts on every LMS site (purge)."""
        self._c.execute(delete(lms_links).where(lms_links.c.email == email))

    # --- disagreements ------------------------------------------------------------------------------
    def add_disagreement(self, d: Disagreement) -> bool:
        """Record a disagreement unless one is open for the item; False when one was."""
        open_one = self._c.execute(
            select(result_disagreements.c.id).where(
                result_disagreements.c.route_number == d.route_number,
                result_disagreements.c.item_key == d.item_key,
                result_disagreements.c.resolved_at.is_(None),
            )
        ).first()
        if open_one is not None:
            return False
        self._c.execute(
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

    def resolve_disagreement(
        self, route_number: str, item_key: str, actor: Actor, note: str, now: datetime
    ) -> bool:
        """Close the open disagreement of this item with a note; False when none is open."""
        done = self._c.execute(
            update(result_disagreements)
            .where(
                result_disagreements.c.route_number == route_number,
                result_disagreements.c.item_key == item_key,
                result_disagreements.c.resolved_at.is_(None),
            )
            .values(resolved_by=str(actor), resolved_at=now, note=note)
        ).rowcount
        return bool(done)

    def list_disagreements(self, unresolved_only: bool = True) -> list[Disagreement]:
        q = select(result_disagreements).order_by(result_disagreements.c.found_at, result_disagreements.c.id)
        if unresolved_only:
            q = q.where(result_disagreements.c.resolved_at.is_(None))
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
            for r in self._c.execute(q)
        ]
