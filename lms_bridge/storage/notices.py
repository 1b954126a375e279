"""``SqlNoticeRepository``: what the notification job sent (table ``notices``), and ``SqlNoticeStore``, the
``NoticeStore`` port as a thin facade over a unit of work."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lms_bridge.ports.notices import Notice, NoticeKind, NoticeState
from lms_bridge.storage.sql import chunks
from lms_bridge.storage.tables import notices

if TYPE_CHECKING:  # the unit of work builds this module's repository
    from lms_bridge.storage.unit_of_work import SqlUnitOfWork

_UPDATED = ("state", "text", "lms_user_id", "route_number", "attempts", "error", "updated_at")


class SqlNoticeRepository:
    def __init__(self, conn: Connection, clock: Callable[[], datetime]) -> None:
        self._c = conn
        self._now = clock

    def list(self, kind: NoticeKind) -> dict[tuple[str, str], Notice]:
        out = {}
        for r in self._c.execute(select(notices).where(notices.c.kind == str(kind))):
            n = Notice(
                kind=NoticeKind(r.kind),
                recipient=r.recipient,
                subject=r.subject,
                state=NoticeState(r.state),
                text=r.text,
                lms_user_id=r.lms_user_id,
                route_number=r.route_number,
                attempts=r.attempts,
                error=r.error,
                updated_at=r.updated_at,
            )
            out[n.key] = n
        return out

    def save(self, rows: Sequence[Notice]) -> None:
        """Upsert by (kind, recipient, subject): ON CONFLICT on SQLite and PostgreSQL, no read first."""
        if not rows:
            return
        now = self._now()
        values = [
            {
                "kind": str(n.kind),
                "recipient": n.recipient,
                "subject": n.subject,
                "state": str(n.state),
                "text": n.text,
                "lms_user_id": n.lms_user_id,
                "route_number": n.route_number,
                "attempts": n.attempts,
                "error": n.error,
                "created_at": now,
                "updated_at": now,
            }
            for n in rows
        ]
        upsert: Any = pg_insert(notices) if self._c.dialect.name == "postgresql" else sqlite_insert(notices)
        stmt = upsert.on_conflict_do_update(
            index_elements=["kind", "recipient", "subject"],
            set_={col: upsert.excluded[col] for col in _UPDATED},
        )
        for chunk in chunks(values, 200):
            self._c.execute(stmt, list(chunk))


class SqlNoticeStore:
    """The ``NoticeStore`` port: each call is its own unit of work (or joins the one open on ``uow``)."""

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self.uow = uow

    def list_notices(self, kind: NoticeKind) -> dict[tuple[str, str], Notice]:
        with self.uow as u:
            return u.notices.list(kind)

    def save_notices(self, rows: Sequence[Notice]) -> None:
        with self.uow as u:
            u.notices.save(rows)
