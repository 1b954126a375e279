"""Small helpers shared by the repositories: batching, the lookups of ids by natural key, route states."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, select

from lms_bridge.domain.vocabulary import RouteStatus
from lms_bridge.storage.tables import routes, teachers

OPEN_STATES = (
    RouteStatus.DRAFT,
    RouteStatus.AGREEMENT,
    RouteStatus.APPROVED,
    RouteStatus.IN_PROGRESS,
    RouteStatus.PROLONGED,
)
IMPLEMENTING = (RouteStatus.IN_PROGRESS, RouteStatus.PROLONGED)
CHUNK = 500  # SQLite allows 999 bound parameters per statement in old builds


def chunks(seq: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


def teacher_ids(c: Connection, emails: Sequence[str]) -> dict[str, int]:
    """Stored teachers' ids by e-mail (e-mails not stored are left out)."""
    out: dict[str, int] = {}
    for chunk in chunks(list(set(emails))):
        q = select(teachers.c.email, teachers.c.id).where(teachers.c.email.in_(chunk))
        out.update((r.email, r.id) for r in c.execute(q))
    return out


def route_ids(c: Connection, numbers: Sequence[str]) -> dict[str, int]:
    """Stored routes' ids by number (numbers not stored are left out)."""
    out: dict[str, int] = {}
    for chunk in chunks(list(numbers)):
        q = select(routes.c.number, routes.c.id).where(routes.c.number.in_(chunk))
        out.update((r.number, r.id) for r in c.execute(q))
    return out
