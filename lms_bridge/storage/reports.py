"""``SqlReportRepository``: what the study office report reads beside the routes (enrolment dates)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, select

from lms_bridge.storage.tables import transmissions


class SqlReportRepository:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def enrolment_dates(self) -> dict[tuple[str, str], date]:
        """(route number, item key) → the day the enrol job enrolled the teacher (or found them enrolled)."""
        q = select(transmissions.c.route_number, transmissions.c.item_key, transmissions.c.updated_at).where(
            transmissions.c.kind == "enrol", transmissions.c.state == "done"
        )
        out: dict[tuple[str, str], date] = {}
        for number, key, at in self._c.execute(q):
            day = at.date() if isinstance(at, datetime) else at
            out[(number, key)] = min(day, out.get((number, key), day))
        return out
