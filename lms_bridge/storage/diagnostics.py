"""``SqlDiagnosticsRepository``: teachers and their diagnostics (the rows a route starts from)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.domain.people import Teacher
from lms_bridge.domain.route import Route
from lms_bridge.ports import DiagnosticsSaved
from lms_bridge.storage import codec
from lms_bridge.storage.sql import OPEN_STATES, chunks, teacher_ids
from lms_bridge.storage.tables import diagnostics, routes, teachers


class SqlDiagnosticsRepository:
    def __init__(self, conn: Connection) -> None:
        self._c = conn

    def save_diagnostics(self, rows: Sequence[tuple[Teacher, Diagnostic]]) -> DiagnosticsSaved:
        """Upsert teachers (by email) and add diagnostics not yet stored (by teacher, kind, date).

        A teacher's later row wins, except that a blank «Информационная справка» value keeps the
        one known from an earlier row or the registry (``Teacher.updated_by``).
        """
        c = self._c
        ids = teacher_ids(c, [t.email for t, _ in rows])
        known = self._teachers(list(ids))
        merged: dict[str, Teacher] = {}
        for t, _ in rows:
            before = merged.get(t.email) or known.get(t.email)
            merged[t.email] = before.updated_by(t) if before else t
        new_teachers = {e: t for e, t in merged.items() if e not in ids}
        for chunk in chunks(list(new_teachers.values())):
            c.execute(insert(teachers), [codec.teacher_row(t) for t in chunk])
        for t in (t for e, t in merged.items() if e in ids and t != known.get(e)):
            c.execute(update(teachers).where(teachers.c.id == ids[t.email]).values(codec.teacher_row(t)))
        ids.update(teacher_ids(c, list(new_teachers)))
        existing = self._diagnostic_keys(list(ids.values()))
        fresh, seen = [], set()
        for t, d in rows:
            key = (ids[t.email], d.kind.value, d.date)
            if key in existing or key in seen:
                continue
            seen.add(key)
            fresh.append({"teacher_id": ids[t.email], **codec.diagnostic_row(d)})
        for chunk in chunks(fresh):
            c.execute(insert(diagnostics), list(chunk))
        return DiagnosticsSaved(added=len(fresh), unchanged=len(rows) - len(fresh))

    def _teachers(self, emails: Sequence[str]) -> dict[str, Teacher]:
        out: dict[str, Teacher] = {}
        for chunk in chunks(emails):
            for r in self._c.execute(select(teachers).where(teachers.c.email.in_(chunk))).mappings():
                out[r["email"]] = codec.teacher_from(r)
        return out

    def _diagnostic_keys(self, ids: Sequence[int]) -> set[tuple[int, str, Any]]:
        keys: set[tuple[int, str, Any]] = set()
        for chunk in chunks(ids):
            q = select(diagnostics.c.teacher_id, diagnostics.c.kind, diagnostics.c.date).where(
                diagnostics.c.teacher_id.in_(chunk)
            )
            keys.update((r.teacher_id, r.kind, r.date) for r in self._c.execute(q))
        return keys

    def list_unrouted(self) -> list[tuple[Teacher, Diagnostic]]:
        """Each teacher's latest diagnostic when it starts no route yet and the teacher has no open
        route: the first route, or the next one after a completed or cancelled route."""
        open_states = [s.value for s in OPEN_STATES]
        busy = select(routes.c.teacher_id).where(routes.c.status.in_(open_states))
        q = (
            select(
                teachers,
                diagnostics.c.id.label("diag_id"),
                diagnostics.c.kind,
                diagnostics.c.date,
                diagnostics.c.levels,
                diagnostics.c.deficit_codes,
                diagnostics.c.recommendations,
                diagnostics.c.deficit_level,
                diagnostics.c.route_model,
            )
            .join(diagnostics, diagnostics.c.teacher_id == teachers.c.id)
            .where(teachers.c.id.not_in(busy))
            .order_by(teachers.c.email, diagnostics.c.date, diagnostics.c.id)
        )
        latest: dict[str, tuple[int, Any]] = {}
        for r in self._c.execute(q).mappings():
            latest[r["email"]] = (r["diag_id"], r)
        routed = {r.diagnostic_id for r in self._c.execute(select(routes.c.diagnostic_id))}
        return [
            (codec.teacher_from(r), codec.diagnostic_from(r, r["email"]))
            for diag_id, r in latest.values()
            if diag_id not in routed
        ]

    def list_diagnostics(self) -> list[Diagnostic]:
        """Every stored diagnostic (for coverage of the course map: the «банк запросов»)."""
        q = (
            select(
                teachers.c.email,
                diagnostics.c.kind,
                diagnostics.c.date,
                diagnostics.c.levels,
                diagnostics.c.deficit_codes,
                diagnostics.c.recommendations,
                diagnostics.c.deficit_level,
                diagnostics.c.route_model,
            )
            .join(teachers, teachers.c.id == diagnostics.c.teacher_id)
            .order_by(teachers.c.email, diagnostics.c.date, diagnostics.c.kind)
        )
        return [codec.diagnostic_from(r, r["email"]) for r in self._c.execute(q).mappings()]

    def find_teacher(self, email: str) -> Teacher | None:
        r = self._c.execute(select(teachers).where(teachers.c.email == email.lower())).mappings().first()
        return codec.teacher_from(r) if r else None

    def list_teacher_places(self, emails: Collection[str] | None = None) -> dict[str, tuple[str, str]]:
        """E-mail → (school, municipality) of every teacher with a route, or of these teachers."""
        q = select(teachers.c.email, teachers.c.school, teachers.c.municipality)
        if emails is None:
            rows = list(self._c.execute(q.where(teachers.c.id.in_(select(routes.c.teacher_id)))))
        else:
            rows = [
                r
                for chunk in chunks(sorted(emails))
                for r in self._c.execute(q.where(teachers.c.email.in_(chunk)))
            ]
        return {r.email: (r.school, r.municipality) for r in rows}

    def depersonalise(self, route: Route) -> int:
        """Give the (depersonalised) route and its diagnostic a teacher row of their own, built from
        ``route.teacher``, and drop the diagnostic's free text. Returns the person's teacher id."""
        c = self._c
        old_tid, diag_id = c.execute(
            select(routes.c.teacher_id, routes.c.diagnostic_id).where(routes.c.number == route.number)
        ).one()
        c.execute(insert(teachers).values(**codec.teacher_row(route.teacher)))
        tid = c.execute(select(teachers.c.id).where(teachers.c.email == route.teacher.email)).scalar_one()
        c.execute(update(routes).where(routes.c.number == route.number).values(teacher_id=tid))
        c.execute(
            update(diagnostics).where(diagnostics.c.id == diag_id).values(teacher_id=tid, recommendations="")
        )
        return int(old_tid)

    def forget_teacher(self, teacher_id: int) -> str | None:
        """Delete the person's row once no route and no diagnostic refers to it; its e-mail when deleted."""
        c = self._c
        used = c.execute(select(routes.c.id).where(routes.c.teacher_id == teacher_id).limit(1)).first()
        used = (
            used
            or c.execute(
                select(diagnostics.c.id).where(diagnostics.c.teacher_id == teacher_id).limit(1)
            ).first()
        )
        if used is not None:
            return None
        email = c.execute(select(teachers.c.email).where(teachers.c.id == teacher_id)).scalar()
        c.execute(delete(teachers).where(teachers.c.id == teacher_id))
        return email
