"""Aggregated, non-personal reports on routes: by region, municipality or school.

Definitions (docs/exporters.md repeats them for users):

- **people** — distinct teachers (by e-mail) with at least one route in the group; **routes** — all
  their routes, cancelled ones included; **by status** — people by the status of their latest route.
- **completion rate** = completed / started (people, by their latest route), where *started* = routes
  that reached implementation:
  «реализуется» + «продлён» + «завершён». Drafts, routes under agreement, approved-but-not-started and
  cancelled routes are outside the denominator: they never had the chance to be completed. A prolonged
  route counts as started and not completed. ``None`` when nothing has started.
- **activities done / total** — over the activities of the started (latest) routes only.
- **deficits by block** — number of people whose entry diagnostic (of their latest route) put the block
  at «низкий» or «базовый»; **top deficits** — deficit codes by the number of people who have them.

Privacy (003 App.2 §6.3–6.4, domain.md): results are aggregated and never name a person, and no shown
number is computed from 1 to 4 (``min_group`` − 1) people — neither directly nor by subtracting shown
numbers, within one report or across reports of different groupings over the same routes. The rules
live in ``services.disclosure`` (its docstring and docs/reports.md state the method):

- a group under ``min_group`` people is merged into «прочие (менее 5)»; for every parent (municipality,
  region, everyone) the people of its hidden groups are none or at least ``min_group`` — otherwise the
  smallest shown group of that parent is folded in too («прочие»), so «municipality minus its shown
  schools» or «total minus the shown groups» never gives a small group away. If everyone together is
  below ``min_group``, nothing is shown;
- statuses count **people by the status of their latest route** (cells that add up to the group): a
  cell of 1–4 people is withheld, with complementary cells so that «group minus the shown cells»
  gives nothing away; started / completed / completion rate / activities are shown only when the
  status cells they are made of are;
- deficits by block (population: the people assessed in the block) and deficit codes (population:
  the group) are shown when neither the count nor «population minus the count» is 1–4; a withheld
  block shows as ``None`` («скрыто»), a withheld code is not named;
- the number of routes is shown when it exceeds the number of people by 0 or at least 5 (else «how
  many teachers have a second route» would be a small cell).

``summarise`` is pure (routes in, ``Report`` out); ``summary_report`` reads the routes from a
RouteStore; ``report_to_dict`` gives the JSON-ready form with Russian labels for the web dashboards.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from lms_bridge.domain.numbering import parse_number
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import Block, Level, RouteStatus
from lms_bridge.ports import RouteFilter, RouteStore
from lms_bridge.services.disclosure import hidden_keys, publishable, small, withhold_partition

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


Cell = int | None  # None: withheld (it would be computed from 1–4 people)


@dataclass(frozen=True)
class GroupStats:
    """The aggregate of one group (or of everyone: ``Report.total``). Holds counts only."""

    name: str
    people: int
    routes: Cell
    by_status: dict[RouteStatus, Cell]  # people by their latest route's status, every status, in order
    started: Cell
    completed: Cell
    activities_done: Cell
    activities_total: Cell
    deficits_by_block: dict[Block, Cell]  # people at «низкий»/«базовый» per assessed block
    top_deficits: tuple[tuple[str, int], ...]  # (code, people), most frequent first; withheld codes left out

    @property
    def completion_rate(self) -> float | None:
        """completed / started, or None when no route has started or either is withheld."""
        if self.started and self.completed is not None:
            return self.completed / self.started
        return None


@dataclass(frozen=True)
class Report:
    by: GroupBy
    min_group: int
    groups: tuple[GroupStats, ...]  # shown groups by name; «прочие» last
    total: GroupStats | None  # None when everyone together is fewer than min_group people
    merged_groups: int  # how many groups were folded into «прочие»
    hidden_people: int  # people shown nowhere (only when the whole population is too small)


def _region(route: Route) -> str:
    try:
        return parse_number(route.number)[0]
    except ValueError:
        return UNKNOWN


Key = tuple[str, ...]  # (region,), (region, municipality) or (region, municipality, school)


def _key(by: GroupBy, route: Route) -> Key:
    region = _region(route)
    if by == "region":
        return (region,)
    municipality = route.teacher.municipality or UNKNOWN
    if by == "municipality":
        return (region, municipality)
    if by == "school":
        return (region, municipality, route.teacher.school or UNKNOWN)
    raise ValueError(f"группировка «{by}» не поддерживается; возможны: {', '.join(GROUPINGS)}")


def _people(routes: Iterable[Route]) -> set[str]:
    return {r.teacher.email.lower() for r in routes}


def _latest(routes: Iterable[Route]) -> dict[str, Route]:
    latest: dict[str, Route] = {}
    for r in sorted(routes, key=lambda r: (r.diagnostic.date, r.number)):
        latest[r.teacher.email.lower()] = r
    return latest


def group_stats(name: str, routes: Sequence[Route], *, min_group: int = MIN_GROUP) -> GroupStats:
    """Aggregate ``routes`` under ``name``, withholding cells of 1…``min_group``−1 people (the group
    itself is assumed to have at least ``min_group``: ``summarise`` sees to it)."""
    latest = _latest(routes)
    k, n = min_group, len(latest)
    cells = {s: {e for e, r in latest.items() if r.status is s} for s in RouteStatus}
    withheld = withhold_partition(cells, k)
    by_status: dict[RouteStatus, Cell] = {s: None if s in withheld else len(p) for s, p in cells.items()}
    started = [r for r in latest.values() if r.status in STARTED]
    shown_started = not (withheld & STARTED)
    return GroupStats(
        name=name,
        people=n,
        routes=len(routes) if not small(len(routes) - n, k) else None,
        by_status=by_status,
        started=len(started) if shown_started else None,
        completed=by_status[RouteStatus.COMPLETED],
        activities_done=sum(r.progress()[0] for r in started) if shown_started else None,
        activities_total=sum(r.progress()[1] for r in started) if shown_started else None,
        deficits_by_block=_blocks(latest, k),
        top_deficits=_codes(latest, k),
    )


def _blocks(latest: dict[str, Route], k: int) -> dict[Block, Cell]:
    assessed: Counter[Block] = Counter()
    low: Counter[Block] = Counter()
    for r in latest.values():
        assessed.update(r.diagnostic.levels.keys())
        low.update(b for b, lv in r.diagnostic.levels.items() if lv in DEFICIT_LEVELS)
    return {b: low[b] if publishable(low[b], assessed[b], k) else None for b in Block if assessed[b]}


def _codes(latest: dict[str, Route], k: int) -> tuple[tuple[str, int], ...]:
    codes: Counter[str] = Counter()
    for r in latest.values():
        codes.update(set(r.diagnostic.deficit_codes))
    shown = [(c, n) for c, n in codes.items() if publishable(n, len(latest), k)]
    return tuple(sorted(shown, key=lambda kv: (-kv[1], kv[0]))[:TOP_CODES])


def summarise(routes: Iterable[Route], *, by: GroupBy = "school", min_group: int = MIN_GROUP) -> Report:
    """Group ``routes`` and aggregate each group under the small-cell rules (module docstring)."""
    if min_group < MIN_GROUP:
        raise ValueError(f"минимальный размер группы в отчёте не меньше {MIN_GROUP}")
    buckets: dict[Key, list[Route]] = {}
    everyone: list[Route] = []
    for r in routes:
        buckets.setdefault(_key(by, r), []).append(r)
        everyone.append(r)
    if len(_people(everyone)) < min_group:
        return Report(by, min_group, (), None, 0, len(_people(everyone)))
    people = {key: _people(rs) for key, rs in buckets.items()}
    parents = [{key: key[:depth] for key in buckets} for depth in range(len(next(iter(buckets))) - 1, 0, -1)]
    hidden = hidden_keys(people, parents, min_group)
    names = {key: name for key, name in _names(list(buckets)).items() if key not in hidden}
    ordered = sorted(names, key=lambda key: names[key])
    groups = [group_stats(names[key], buckets[key], min_group=min_group) for key in ordered]
    others = [r for key in hidden for r in buckets[key]]
    if others:
        only_small = all(len(people[key]) < min_group for key in hidden)
        label = f"{OTHERS} (менее {min_group})" if only_small else OTHERS
        groups.append(group_stats(label, others, min_group=min_group))
    total = group_stats("всего", everyone, min_group=min_group)
    return Report(by, min_group, tuple(groups), total, len(hidden), 0)


def _names(keys: list[Key]) -> dict[Key, str]:
    """A group's own name (its last part); where two groups share it (e.g. «СОШ № 1» in two
    municipalities), the parents are added, whether or not the others are shown."""
    count = Counter(key[-1] for key in keys)
    return {key: key[-1] if count[key[-1]] == 1 else f"{key[-1]} ({', '.join(key[:-1])})" for key in keys}


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
