"""``SqlAuditRepository``: the audit trail (who did what to which subject, when)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from lms_bridge.domain.people import Actor
from lms_bridge.ports import AuditEntry
from lms_bridge.storage.sql import chunks
from lms_bridge.storage.tables import audit


class SqlAuditRepository:
    def __init__(self, conn: Connection, clock: Callable[[], datetime]) -> None:
        self._c = conn
        self._now = clock

    def add(
        self, actor: Actor, action: str, subject: str, details: str = "", *, at: datetime | None = None
    ) -> None:
        self.add_many(actor, action, [(subject, details)], at=at)

    def add_many(
        self, actor: Actor, action: str, entries: Sequence[tuple[str, str]], *, at: datetime | None = None
    ) -> None:
        """One line per (subject, details), all at ``at`` (now when not given)."""
        line = {"at": at or self._now(), "actor": str(actor), "action": action}
        rows = [{**line, "subject": s, "details": d} for s, d in entries]
        for chunk in chunks(rows):
            self._c.execute(insert(audit), list(chunk))

    def lines(self, subject: str | None = None) -> list[AuditEntry]:
        q = select(audit).order_by(audit.c.at, audit.c.id)
        if subject:
            q = q.where(audit.c.subject == subject)
        return [
            AuditEntry(
                at=r["at"].isoformat(timespec="seconds"),
                actor=r["actor"],
                action=r["action"],
                subject=r["subject"],
                details=r["details"],
            )
            for r in self._c.execute(q).mappings()
        ]

    def anonymise(self, subject: str, keep_action: str) -> None:
        """Keep the subject's lines (action and date) but drop who and what, except ``keep_action``'s."""
        self._c.execute(
            update(audit)
            .where(audit.c.subject == subject)
            .where(audit.c.action != keep_action)
            .values(actor="—", details="")
        )
