"""``SqlNoticeStore``: what the notification job sent (table ``notices``), over the registry's engine."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine

from lms_bridge.ports.notices import Notice, NoticeKind, NoticeState
from lms_bridge.storage.tables import notices

_CHUNK = 200
_UPDATED = ("state", "text", "lms_user_id", "route_number", "attempts", "error", "updated_at")


class SqlNoticeStore:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] = datetime.now):
        self.engine = engine
        self._now = clock

    def list_notices(self, kind: NoticeKind) -> dict[tuple[str, str], Notice]:
        q = select(notices).where(notices.c.kind == str(kind))
        with self.engine.connect() as c:
            out = {}
            for r in c.execute(q):
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

    def save_notices(self, rows: Sequence[Notice]) -> None:
        """Upsert by (kind, recipient, subject) in one transaction (ON CONFLICT on SQLite and PostgreSQL)."""
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
        with self.engine.begin() as c:
            upsert: Any = pg_insert(notices) if c.dialect.name == "postgresql" else sqlite_insert(notices)
            stmt = upsert.on_conflict_do_update(
                index_elements=["kind", "recipient", "subject"],
                set_={col: upsert.excluded[col] for col in _UPDATED},
            )
            for i in range(0, len(values), _CHUNK):
                c.execute(stmt, values[i : i + _CHUNK])
