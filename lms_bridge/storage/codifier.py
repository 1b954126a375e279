"""``SqlCodifierRepository``: each region profile's deficit codifier (table ``deficit_codifier``, 0014)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, insert, select

from lms_bridge.domain.codifier import DeficitEntry
from lms_bridge.domain.vocabulary import Block
from lms_bridge.storage.sql import chunks
from lms_bridge.storage.tables import deficit_codifier as t


class SqlCodifierRepository:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def replace(self, profile: str, entries: Sequence[DeficitEntry]) -> None:
        """The profile's codifier replaced whole by ``entries``."""
        self._c.execute(delete(t).where(t.c.profile == profile))
        rows = [
            {
                "profile": profile,
                "code": e.code,
                "name": e.name,
                "block": e.block.value if e.block else None,
                "parent": e.parent,
            }
            for e in entries
        ]
        for part in chunks(rows):
            self._c.execute(insert(t), list(part))

    def list(self, profile: str) -> list[DeficitEntry]:
        q = select(t).where(t.c.profile == profile).order_by(t.c.code)
        return [
            DeficitEntry(r["code"], r["name"], Block(r["block"]) if r["block"] else None, r["parent"])
            for r in self._c.execute(q).mappings()
        ]
