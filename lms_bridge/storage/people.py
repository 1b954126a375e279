"""``SqlPeopleRepository``: curators (with their load) and the course map."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, func, insert, select, update

from course_map.models import CourseEntry
from lms_bridge.domain.people import Curator
from lms_bridge.storage import codec
from lms_bridge.storage.tables import course_map, curators, routes


class SqlPeopleRepository:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def save_curators(self, items: Sequence[Curator]) -> int:
        c = self._c
        known = {r.email for r in c.execute(select(curators.c.email))}
        for cur in items:
            row = codec.curator_row(cur)
            if cur.email in known:
                c.execute(update(curators).where(curators.c.email == cur.email).values(**row))
            else:
                c.execute(insert(curators).values(**row))
                known.add(cur.email)
        return len(items)

    def list_curators(self) -> list[Curator]:
        q = select(curators).order_by(curators.c.full_name)
        return [codec.curator_from(r) for r in self._c.execute(q).mappings()]

    def curator_load(self) -> dict[str, int]:
        """Open routes per curator."""
        q = (
            select(routes.c.curator_email, func.count())
            .where(routes.c.curator_email != "")
            .where(routes.c.status.not_in(["completed", "cancelled"]))
            .group_by(routes.c.curator_email)
        )
        return {email: n for email, n in self._c.execute(q)}

    def replace_course_map(self, entries: Sequence[CourseEntry]) -> None:
        self._c.execute(delete(course_map))
        if entries:
            self._c.execute(insert(course_map), [codec.entry_row(e) for e in entries])

    def list_course_map(self) -> list[CourseEntry]:
        q = select(course_map).order_by(course_map.c.lms_course)
        return [codec.entry_from(r) for r in self._c.execute(q).mappings()]
