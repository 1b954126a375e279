"""Aggregated, non-personal reports on routes: by region, municipality or school.

Definitions (docs/exporters.md repeats them for users):

- **people** — distinct teachers (by e-mail) with at least one route in the group; **routes** — all
  their routes, cancelled ones included (they are counted under their status).
- **completion rate** = completed / started, where *started* = routes that reached implementation:
  «реализуется» + «продлён» + «завершён». Drafts, routes under agreement, approved-but-not-started and
  cancelled routes are outside the denominator: they never had the chance to be completed. A prolonged
  route counts as started and not completed. ``None`` when nothing has started.
- **activities done / total** — over the activities of started routes only.
- **deficits by block** — number of people whose entry diagnostic (of their latest route) put the block
  at «низкий» or «базовый»; **top deficits** — deficit codes by the number of people who have them.

Privacy (003 App.2 §6.3–6.4, domain.md): results are aggregated and never name a person. No group
of fewer than ``MIN_GROUP`` (5) people is shown. Small groups are merged into «прочие (менее 5)»;
if that bucket is itself below 5, the smallest shown groups are folded into it too («прочие») until it
reaches 5 — otherwise the hidden people could be recovered as «total minus the shown groups». If the
whole population is below 5, nothing is shown. Reports carry no names, e-mails or per-person data.
Known limit: the rule holds within one report; comparing reports of different groupings
(by school vs by municipality) can still narrow a small group down.

``summarise`` is pure (routes in, ``Report`` out); ``summary_report`` reads the routes from a
RouteStore; ``report_to_dict`` gives the JSON-ready form with Russian labels for the web dashboards.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from lms_bridge.domain.numbering import parse_number
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import Block, Level, RouteStatus
from lms_bridge.ports import RouteFilter, RouteStore

GroupBy = Literal["region", "municipality", "school"]
GROUPINGS: tuple[GroupBy, ...] = get_args(GroupBy)
GROUP_LABELS: dict[GroupBy, str] = {
    "region": "регион",
    "municipality": "муниципальное образование",
    "school": "образовательная организация",
}
MIN_GROUP = 5  # the privacy floor: a setting may raise it, never lower it
STARTED = frozenset({RouteStatus.IN_PROGRESS, RouteStatus.PROLONGED, RouteStatus.COMPLETED})
DEFICIT_LEVELS = frozenset({Level.LOW, Level.BASIC})
TOP_CODES = 10
UNKNOWN = "не указано"
OTHERS = "прочие"


@dataclass(frozen=True)
class GroupStats:
    """The aggregate of one group (or of everyone: ``Report.total``). Holds counts only."""

    name: str
    people: int
    routes: int
    by_status: dict[RouteStatus, int]  # every status, in workflow order, zeros included
    started: int
    completed: int
    activities_done: int
    activities_total: int
    deficits_by_block: dict[Block, int]  # people at «низкий»/«базовый» per assessed block
    top_deficits: tuple[tuple[str, int], ...]  # (code, people), most frequent first

    @property
    def completion_rate(self) -> float | None:
        """completed / started, or None when no route has started."""
        return self.completed / self.started if self.started else None


@dataclass(frozen=True)
class Report:
    by: GroupBy
    min_group: int
    groups: tuple[GroupStats, ...]  # shown groups by name; «прочие» last
    total: GroupStats | None  # None when everyone together is fewer than min_group people
    merged_groups: int  # how many groups were folded into «прочие»
    hidden_people: int  # people shown nowhere (only when the whole population is too small)


def _group_key(by: GroupBy) -> Callable[[Route], str]:
    def region(route: Route) -> str:
        try:
            return parse_number(route.number)[0]
        except ValueError:
            return UNKNOWN

    if by == "region":
        return region
    if by == "municipality":
        return lambda r: r.teacher.municipality or UNKNOWN
    if by == "school":
        return lambda r: r.teacher.school or UNKNOWN
    raise ValueError(f"группировка «{by}» не поддерживается; возможны: {', '.join(GROUPINGS)}")


def _people(routes: Sequence[Route]) -> set[str]:
    return {r.teacher.email.lower() for r in routes}


def group_stats(name: str, routes: Sequence[Route]) -> GroupStats:
    """Aggregate ``routes`` under ``name``. Does not apply the privacy rule: ``summarise`` does."""
    latest: dict[str, Route] = {}
    for r in sorted(routes, key=lambda r: (r.diagnostic.date, r.number)):
        latest[r.teacher.email.lower()] = r
    blocks: Counter[Block] = Counter()
    assessed: set[Block] = set()
    codes: Counter[str] = Counter()
    for r in latest.values():
        levels = r.diagnostic.levels
        assessed.update(levels)
        blocks.update(b for b, lv in levels.items() if lv in DEFICIT_LEVELS)
        codes.update(set(r.diagnostic.deficit_codes))
    statuses = Counter(r.status for r in routes)
    started = [r for r in routes if r.status in STARTED]
    return GroupStats(
        name=name,
        people=len(latest),
        routes=len(routes),
        by_status={s: statuses[s] for s in RouteStatus},
        started=len(started),
        completed=statuses[RouteStatus.COMPLETED],
        activities_done=sum(r.progress()[0] for r in started),
        activities_total=sum(r.progress()[1] for r in started),
        deficits_by_block={b: blocks[b] for b in Block if b in assessed},
        top_deficits=tuple(sorted(codes.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_CODES]),
    )


def summarise(routes: Iterable[Route], *, by: GroupBy = "school", min_group: int = MIN_GROUP) -> Report:
    """Group ``routes`` and aggregate each group, suppressing groups under ``min_group`` people."""
    if min_group < MIN_GROUP:
        raise ValueError(f"минимальный размер группы в отчёте не меньше {MIN_GROUP}")
    key = _group_key(by)
    buckets: dict[str, list[Route]] = {}
    everyone: list[Route] = []
    for r in routes:
        buckets.setdefault(key(r), []).append(r)
        everyone.append(r)
    if len(_people(everyone)) < min_group:
        return Report(by, min_group, (), None, 0, len(_people(everyone)))
    shown = {name: rs for name, rs in buckets.items() if len(_people(rs)) >= min_group}
    small = [name for name in buckets if name not in shown]
    others = [r for name in small for r in buckets[name]]
    only_small = True
    # Fold the smallest shown groups in while «прочие» is too small to show by itself; the total is at
    # least min_group, so this ends with a showable bucket.
    while others and len(_people(others)) < min_group:
        smallest = min(shown, key=lambda n: (len(_people(shown[n])), n))
        others.extend(shown.pop(smallest))
        small.append(smallest)
        only_small = False
    groups = [group_stats(name, shown[name]) for name in sorted(shown)]
    if others:
        label = f"{OTHERS} (менее {min_group})" if only_small else OTHERS
        groups.append(group_stats(label, others))
    return Report(by, min_group, tuple(groups), group_stats("всего", everyone), len(small), 0)


def summary_report(
    store: RouteStore,
    *,
    by: GroupBy = "school",
    flt: RouteFilter | None = None,
    min_group: int = MIN_GROUP,
) -> Report:
    """The report over the registry (optionally narrowed, e.g. ``RouteFilter(municipality=...)``
    for a municipal dashboard or ``RouteFilter(school=...)`` for a head of school)."""
    return summarise(store.iter_routes(flt), by=by, min_group=min_group)


def stats_to_dict(g: GroupStats) -> dict[str, Any]:
    rate = g.completion_rate
    return {
        "name": g.name,
        "people": g.people,
        "routes": g.routes,
        "by_status": [{"status": s.value, "label": s.label, "count": n} for s, n in g.by_status.items()],
        "completion": {
            "completed": g.completed,
            "started": g.started,
            "rate": round(rate, 4) if rate is not None else None,
        },
        "activities": {"done": g.activities_done, "total": g.activities_total},
        "deficits_by_block": [
            {"block": b.value, "label": b.label, "people": n} for b, n in g.deficits_by_block.items()
        ],
        "top_deficits": [{"code": c, "people": n} for c, n in g.top_deficits],
    }


def report_to_dict(report: Report) -> dict[str, Any]:
    """JSON-ready form (English keys, Russian ``label``s beside the codes)."""
    return {
        "by": report.by,
        "by_label": GROUP_LABELS[report.by],
        "min_group": report.min_group,
        "merged_groups": report.merged_groups,
        "hidden_people": report.hidden_people,
        "groups": [stats_to_dict(g) for g in report.groups],
        "total": stats_to_dict(report.total) if report.total else None,
    }
