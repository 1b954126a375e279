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
  many teachers have a second route» would be a small cell);
- across groupings, a group withholds a cell when «the group's cell minus the cells of its finer
  groups that show it» would not pass these rules over the rest of its people (``Tree``).

``summarise`` is pure (routes in, ``Report`` out); ``summary_report`` reads the routes from a
RouteStore; ``report_to_dict`` gives the JSON-ready form with Russian labels for the web dashboards.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import Block, RouteStatus
from lms_bridge.ports import RouteFilter, RouteStore
from lms_bridge.services.report_cells import (
    STARTED,
    CellId,
    Key,
    Raw,
    Tree,
    people_of,
    raw_counts,
    shown_cells,
)

GroupBy = Literal["region", "municipality", "school"]
GROUPINGS: tuple[GroupBy, ...] = get_args(GroupBy)
GROUP_LABELS: dict[GroupBy, str] = {
    "region": "регион",
    "municipality": "муниципальное образование",
    "school": "образовательная организация",
}
MIN_GROUP = 5  # the privacy floor: a setting may raise it, never lower it
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


def _stats(name: str, raw: Raw, shown: set[CellId]) -> GroupStats:
    def status(s: RouteStatus) -> Cell:
        return len(raw.status[s]) if ("status", s.value) in shown else None

    started = all(("status", s.value) in shown for s in STARTED)
    activities = ("activities", "") in shown
    codes = [(c, raw.codes[c]) for kind, c in shown if kind == "code"]
    return GroupStats(
        name=name,
        people=len(raw.people),
        routes=raw.routes if ("routes", "") in shown else None,
        by_status={s: status(s) for s in RouteStatus},
        started=len(raw.started) if started else None,
        completed=status(RouteStatus.COMPLETED),
        activities_done=raw.activities[0] if activities else None,
        activities_total=raw.activities[1] if activities else None,
        deficits_by_block={b: c if ("block", b.value) in shown else None for b, (c, _) in raw.blocks.items()},
        top_deficits=tuple(sorted(codes, key=lambda kv: (-kv[1], kv[0]))),
    )


def group_stats(name: str, routes: Sequence[Route], *, min_group: int = MIN_GROUP) -> GroupStats:
    """Aggregate ``routes`` under ``name``, withholding cells of 1…``min_group``−1 people (the group
    itself is assumed to have at least ``min_group``: ``summarise`` sees to it)."""
    raw = raw_counts(routes)
    return _stats(name, raw, shown_cells(raw, min_group))


DEPTH: dict[GroupBy, int] = {"region": 1, "municipality": 2, "school": 3}


def summarise(routes: Iterable[Route], *, by: GroupBy = "school", min_group: int = MIN_GROUP) -> Report:
    """Group ``routes`` and aggregate each group under the small-cell rules (module docstring)."""
    if min_group < MIN_GROUP:
        raise ValueError(f"минимальный размер группы в отчёте не меньше {MIN_GROUP}")
    if by not in DEPTH:
        raise ValueError(f"группировка «{by}» не поддерживается; возможны: {', '.join(GROUPINGS)}")
    everyone = list(routes)
    if len(people_of(everyone)) < min_group:
        return Report(by, min_group, (), None, 0, len(people_of(everyone)))
    tree = Tree(everyone, min_group)
    depth = DEPTH[by]
    level = [key for key in tree.raw if len(key) == depth]
    hidden = tree.hidden[depth]
    names = {key: name for key, name in _names(level).items() if key not in hidden}
    ordered = sorted(names, key=lambda key: names[key])
    groups = [_stats(names[key], tree.raw[key], tree.shown[key]) for key in ordered]
    if depth in tree.others:
        only_small = all(len(tree.raw[key].people) < min_group for key in hidden)
        label = f"{OTHERS} (менее {min_group})" if only_small else OTHERS
        groups.append(_stats(label, *tree.others[depth]))
    total = _stats("всего", tree.raw[()], tree.shown[()])
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
