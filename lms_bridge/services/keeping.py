"""``routes archive`` and ``routes archive --purge`` (003 §4.5.4): jobs over the store.

Both are idempotent (an archived route is not archived again, a depersonalised one not purged
again), dry runs unless ``apply`` (they list what they would do), and audited: each route gets an
«archive» / «purge» line in its history.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from lms_bridge.domain import keeping
from lms_bridge.domain.keeping import KeepingPolicy
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import RouteStatus
from lms_bridge.ports import RouteFilter, RouteStore


@dataclass(frozen=True)
class Due:
    number: str
    status: RouteStatus
    closed_on: date | None
    due_on: date


@dataclass(frozen=True)
class KeepingRun:
    applied: bool
    archived: tuple[Due, ...]
    purged: tuple[Due, ...]


def _closed(store: RouteStore, archived: bool) -> Iterator[Route]:
    for status in keeping.CLOSED:
        yield from store.iter_routes(RouteFilter(status=status, archived=archived))


def archive_candidates(store: RouteStore, today: date, policy: KeepingPolicy) -> list[Due]:
    out = []
    for r in _closed(store, archived=False):
        due = keeping.archive_due(r, policy)
        if due is not None and due <= today:
            out.append(Due(r.number, r.status, r.closed_on, due))
    return sorted(out, key=lambda d: d.number)


def purge_candidates(store: RouteStore, today: date, policy: KeepingPolicy) -> list[Due]:
    out = []
    for r in _closed(store, archived=True):
        due = keeping.purge_due(r, policy)
        if r.purged_on is None and due is not None and due <= today:
            out.append(Due(r.number, r.status, r.closed_on, due))
    return sorted(out, key=lambda d: d.number)


def run(
    store: RouteStore, *, today: date, policy: KeepingPolicy, actor: Actor, purge: bool, apply: bool
) -> KeepingRun:
    """Archive the routes past the keeping period and, with ``purge``, depersonalise the archived
    ones past the further period. One transaction per route, so a killed run keeps what it did."""
    to_archive = archive_candidates(store, today, policy)
    if apply:
        for d in to_archive:
            with store.transaction():
                route = keeping.to_archive(store.get_route(d.number), today, policy)
                store.save_route(route, actor, "archive", f"в архив: срок хранения истёк {d.due_on:%d.%m.%Y}")
    to_purge = purge_candidates(store, today, policy) if purge else []
    if purge and not apply:  # what this run would archive and at once depersonalise
        also = [
            Due(d.number, d.status, d.closed_on, keeping.add_years(d.due_on, policy.purge_after_years))
            for d in to_archive
        ]
        to_purge = sorted([*to_purge, *(d for d in also if d.due_on <= today)], key=lambda d: d.number)
    if apply:
        for d in to_purge:
            with store.transaction():
                store.purge_route(keeping.depersonalised(store.get_route(d.number), today, policy), actor)
    return KeepingRun(apply, tuple(to_archive), tuple(to_purge))
