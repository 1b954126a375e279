"""The cells of the aggregated reports: exact counts per group, which of them a group may show, and
every group of every grouping at once (``Tree``), so that the grouping reports agree with each other.

Counts are over people (by e-mail), each by their latest route. The rules are ``services.disclosure``'s;
``services.reports`` turns what is shown here into ``GroupStats``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from lms_bridge.domain.numbering import parse_number
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import Block, Level, RouteStatus
from lms_bridge.services.disclosure import hidden_keys, publishable, small, withhold_partition

STARTED = frozenset({RouteStatus.IN_PROGRESS, RouteStatus.PROLONGED, RouteStatus.COMPLETED})
DEFICIT_LEVELS = frozenset({Level.LOW, Level.BASIC})
TOP_CODES = 10
UNKNOWN = "не указано"


def region_of(route: Route) -> str:
    try:
        return parse_number(route.number)[0]
    except ValueError:
        return UNKNOWN


Key = tuple[str, ...]  # (region,), (region, municipality) or (region, municipality, school)


def full_key(route: Route) -> Key:
    """(region, municipality, school) of the route's teacher; a grouping takes its first 1, 2 or 3."""
    return (region_of(route), route.teacher.municipality or UNKNOWN, route.teacher.school or UNKNOWN)


def people_of(routes: Iterable[Route]) -> set[str]:
    return {r.teacher.email.lower() for r in routes}


def latest(routes: Iterable[Route]) -> dict[str, Route]:
    latest: dict[str, Route] = {}
    for r in sorted(routes, key=lambda r: (r.diagnostic.date, r.number)):
        latest[r.teacher.email.lower()] = r
    return latest


CellId = tuple[str, str]  # ("status", s) | ("block", b) | ("code", c) | ("routes", "") | ("activities", "")


@dataclass
class Raw:
    """Exact counts of one group, before any is withheld."""

    people: set[str]
    routes: int
    status: dict[RouteStatus, set[str]]
    activities: tuple[int, int]
    blocks: dict[Block, tuple[int, int]]  # (people at «низкий»/«базовый», people assessed in the block)
    codes: Counter[str]

    @property
    def started(self) -> set[str]:
        return set().union(*(self.status[s] for s in STARTED))


def raw_counts(routes: Sequence[Route]) -> Raw:
    last = latest(routes)
    low: Counter[Block] = Counter()
    assessed: Counter[Block] = Counter()
    codes: Counter[str] = Counter()
    for r in last.values():
        assessed.update(r.diagnostic.levels.keys())
        low.update(b for b, lv in r.diagnostic.levels.items() if lv in DEFICIT_LEVELS)
        codes.update(set(r.diagnostic.deficit_codes))
    started = [r for r in last.values() if r.status in STARTED]
    return Raw(
        people=set(last),
        routes=len(routes),
        status={s: {e for e, r in last.items() if r.status is s} for s in RouteStatus},
        activities=(sum(r.progress()[0] for r in started), sum(r.progress()[1] for r in started)),
        blocks={b: (low[b], assessed[b]) for b in Block if assessed[b]},
        codes=codes,
    )


def shown_cells(raw: Raw, k: int, forced: AbstractSet[CellId] = frozenset()) -> set[CellId]:
    """The cells of a group that may be shown (rules 3–5 of ``services.disclosure``), less ``forced``."""
    n = len(raw.people)
    statuses = withhold_partition(raw.status, k, {s for s in RouteStatus if ("status", s.value) in forced})
    shown: set[CellId] = {("status", s.value) for s in RouteStatus if s not in statuses}
    if not statuses & STARTED and ("activities", "") not in forced:
        shown.add(("activities", ""))
    if not small(raw.routes - n, k):
        shown.add(("routes", ""))
    shown |= {("block", b.value) for b, (c, m) in raw.blocks.items() if publishable(c, m, k)}
    codes = sorted(
        ((c, m) for c, m in raw.codes.items() if publishable(m, n, k)), key=lambda kv: (-kv[1], kv[0])
    )
    shown |= {("code", c) for c, _ in codes[:TOP_CODES]}
    return shown - forced


def column_ok(cell: CellId, parts: list[Raw], k: int) -> bool:
    """May a parent show ``cell`` when these parts of it (its children that do not show the cell) are
    «parent minus the children that show it»? Only when that difference is publishable."""
    kind, name = cell
    if kind == "status":
        return publishable(
            sum(len(p.status[RouteStatus(name)]) for p in parts), sum(len(p.people) for p in parts), k
        )
    if kind == "block":
        b = Block(name)
        low, assessed = (sum(p.blocks.get(b, (0, 0))[i] for p in parts) for i in (0, 1))
        return publishable(low, assessed, k)
    if kind == "code":
        return publishable(sum(p.codes[name] for p in parts), sum(len(p.people) for p in parts), k)
    if kind == "routes":
        return not small(sum(p.routes - len(p.people) for p in parts), k)
    return not small(sum(len(p.started) for p in parts), k)  # activities


class Tree:
    """Every group of every grouping (school ⊂ municipality ⊂ region ⊂ everyone) with the cells each may
    show, so that no grouping's numbers minus another's leave a cell of 1…k−1 people (rule 2 for cells:
    a parent withholds a cell when «parent minus the children that show it» would not be publishable)."""

    def __init__(self, routes: list[Route], k: int):
        self.k = k
        self.buckets: dict[Key, list[Route]] = {(): routes}
        for r in routes:
            full = full_key(r)
            for depth in (1, 2, 3):
                self.buckets.setdefault(full[:depth], []).append(r)
        self.raw = {key: raw_counts(rs) for key, rs in self.buckets.items()}
        self.hidden: dict[int, set[Key]] = {}
        for depth in (1, 2, 3):
            level = {key: raw.people for key, raw in self.raw.items() if len(key) == depth}
            parents = [{key: key[:up] for key in level} for up in range(depth - 1, 0, -1)]
            self.hidden[depth] = hidden_keys(level, parents, k)
        self.shown: dict[Key, set[CellId]] = {}
        self.others: dict[int, tuple[Raw, set[CellId]]] = {}
        for depth in (3, 2, 1):
            for key in [key for key in self.raw if len(key) == depth]:
                self.shown[key] = self._cells(self.raw[key], key)
            if self.hidden[depth]:
                raw = raw_counts([r for key in self.hidden[depth] for r in self.buckets[key]])
                self.others[depth] = (raw, self._cells(raw, None, inside=self.hidden[depth]))
        self.shown[()] = self._cells(self.raw[()], ())

    def _cells(self, raw: Raw, key: Key | None, inside: set[Key] | None = None) -> set[CellId]:
        """The cells a group may show; ``key`` None with ``inside``: «прочие» made of those groups."""
        base = shown_cells(raw, self.k)
        forced = {cell for cell in base if not self._column_holds(cell, key, inside)}
        return shown_cells(raw, self.k, forced) if forced else base

    def _column_holds(self, cell: CellId, key: Key | None, inside: set[Key] | None) -> bool:
        depth = len(key) if key is not None else min(len(x) for x in inside or {()})
        for finer in range(depth + 1, 4):
            # «прочие» of the finer grouping is a child too when it lies wholly inside this group
            others = finer in self.others and cell in self.others[finer][1]
            others = others and all(self._within(x, key, inside) for x in self.hidden[finer])
            parts = []
            for child, raw in self.raw.items():
                if len(child) != finer or not self._within(child, key, inside):
                    continue
                if child in self.hidden[finer]:
                    if not others:  # else they show together as «прочие», which is subtracted whole
                        parts.append(raw)
                elif cell not in self.shown[child]:
                    parts.append(raw)
            if parts and not column_ok(cell, parts, self.k):
                return False
        return True

    @staticmethod
    def _within(child: Key, key: Key | None, inside: set[Key] | None) -> bool:
        if key is not None:
            return child[: len(key)] == key
        return any(child[: len(x)] == x for x in inside or ())
