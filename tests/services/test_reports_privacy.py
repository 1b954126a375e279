"""Property: for random registries, no number in any report is computed from 1–4 people — directly, by
«group minus its shown cells», or by subtracting the groups of one grouping from those of another.

Every output (``reports summary`` text and JSON, the dashboard, ``/api/v1/reports``) prints
``report_to_dict(summarise(...))`` or the same ``Report``; the checks recompute each shown number from
the routes and look at the people behind it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import ActivityCategory, Block, Level, RouteStatus
from lms_bridge.services.report_cells import DEFICIT_LEVELS, STARTED
from lms_bridge.services.reports import GROUPINGS, MIN_GROUP, GroupBy, report_to_dict, summarise
from tests.conftest import make_diagnostic, make_teacher

K = MIN_GROUP
PLACES = [("74", "Копейск", "СОШ № 1"), ("74", "Копейск", "СОШ № 2"), ("74", "Миасс", "СОШ № 1")]
PLACES += [("74", "Миасс", "Лицей"), ("67", "Смоленск", "Гимназия"), ("67", "Вязьма", "СОШ № 1")]
BLOCKS = [Block.SUBJECT, Block.METHODICAL, Block.ICT, Block.PROCESSES]
CODES = ["П1.1", "М2.3", "Ц5.1", "У6.1"]


def small(n: int) -> bool:
    return 0 < n < K


Spec = tuple[int, int, tuple[tuple[Block, Level], ...], tuple[str, ...], tuple[bool, ...]]
SPECS = st.tuples(
    st.integers(0, len(PLACES) - 1),  # where the teacher works
    st.integers(0, len(RouteStatus) - 1),
    st.lists(st.tuples(st.sampled_from(BLOCKS), st.sampled_from(list(Level))), max_size=3).map(tuple),
    st.lists(st.sampled_from(CODES), unique=True, max_size=3).map(tuple),
    st.lists(st.booleans(), max_size=3).map(tuple),  # activities done or not
)
# a teacher's routes: one, or two (the second a year later); small specs keep failure reports short
REGISTRIES = st.lists(st.lists(SPECS, min_size=1, max_size=2), max_size=40)


def build(registry: list[list[Spec]]) -> list[Route]:
    routes = []
    for n, specs in enumerate(registry, start=1):
        region, municipality, school = PLACES[specs[0][0]]
        teacher = replace(make_teacher(n, school=school), municipality=municipality)
        for i, (_, status, levels, codes, done) in enumerate(specs):
            diagnostic = replace(
                make_diagnostic(n, codes=codes, levels=dict(levels)), date=date(2025 + i, 9, 1)
            )
            activities = tuple(
                Activity(key=str(j), category=ActivityCategory.KNOWLEDGE, title=f"м{j}", done=d)
                for j, d in enumerate(done, start=1)
            )
            status_ = list(RouteStatus)[status]
            routes.append(
                Route(
                    f"{region}-{2025 + i}-{n:06d}", teacher, diagnostic, status=status_, activities=activities
                )
            )
    return routes


def key(by: GroupBy, r: Route) -> tuple[str, ...]:
    full = (r.number[:2], r.teacher.municipality, r.teacher.school)
    return full[: {"region": 1, "municipality": 2, "school": 3}[by]]


def latest(routes: Iterable[Route]) -> dict[str, Route]:
    out: dict[str, Route] = {}
    for r in sorted(routes, key=lambda r: (r.diagnostic.date, r.number)):
        out[r.teacher.email.lower()] = r
    return out


def members(by: GroupBy, routes: list[Route], groups: list[dict[str, Any]]) -> dict[str, list[Route]]:
    """Shown group name → its routes; «прочие» takes what no named group took."""
    keys = {key(by, r) for r in routes}
    named: dict[str, list[Route]] = {}
    for g in groups:
        for k in keys:
            if g["name"] in (k[-1], f"{k[-1]} ({', '.join(k[:-1])})"):
                named.setdefault(g["name"], []).extend(r for r in routes if key(by, r) == k)
    taken = {id(r) for rs in named.values() for r in rs}
    for g in groups:
        if g["name"] not in named:
            named[g["name"]] = [r for r in routes if id(r) not in taken]
    return named


def check_cells(g: dict[str, Any], routes: list[Route]) -> None:
    people = latest(routes)
    n = len(people)
    assert n >= K
    assert g["people"] == n
    if g["routes"] is not None:
        assert g["routes"] == len(routes)
        assert not small(len(routes) - n)
    withheld: set[str] = set()
    for cell in g["by_status"]:
        who = {e for e, r in people.items() if r.status.value == cell["status"]}
        if cell["count"] is None:
            withheld |= who
        else:
            assert cell["count"] == len(who)
            assert not small(len(who))
    assert not small(len(withheld))  # «group minus the shown statuses»
    shown = {c["status"]: c["count"] for c in g["by_status"]}
    if g["completion"]["started"] is not None:
        assert all(shown[s.value] is not None for s in STARTED)
    if g["activities"]["done"] is not None:
        assert all(shown[s.value] is not None for s in STARTED)
    for cell in g["deficits_by_block"]:
        block = Block(cell["block"])
        assessed = [r for r in people.values() if block in r.diagnostic.levels]
        low = sum(1 for r in assessed if r.diagnostic.levels[block] in DEFICIT_LEVELS)
        if cell["people"] is not None:
            assert cell["people"] == low
            assert not small(low)
            assert not small(len(assessed) - low)
    for cell in g["top_deficits"]:
        having = sum(1 for r in people.values() if cell["code"] in r.diagnostic.deficit_codes)
        assert cell["people"] == having
        assert not small(having)
        assert not small(n - having)


def people_of(routes: Iterable[Route]) -> set[str]:
    return {r.teacher.email.lower() for r in routes}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(REGISTRIES)
def test_no_cell_of_any_report_comes_from_one_to_four_people(registry: list[list[Spec]]) -> None:
    routes = build(registry)
    shown: dict[GroupBy, dict[str, list[Route]]] = {}
    cells: dict[GroupBy, Shown] = {}
    for by in GROUPINGS:
        data = report_to_dict(summarise(routes, by=by))
        if data["total"] is None:
            assert data["groups"] == []
            assert len(people_of(routes)) < K
            return
        check_cells(data["total"], routes)
        groups = members(by, routes, data["groups"])
        for g in data["groups"]:
            check_cells(g, groups[g["name"]])
        shown[by] = {name: rs for name, rs in groups.items() if not name.startswith("прочие")}
        cells[by] = [(people_of(groups[g["name"]]), g) for g in data["groups"]]
        cells[by].append((people_of(routes), data["total"]))
    # a coarser group minus the finer shown groups inside it never leaves 1–4 people
    order: list[GroupBy] = ["region", "municipality", "school"]
    for i, coarse in enumerate(order):
        parents = [people_of(routes)] + [people_of(rs) for rs in shown[coarse].values()]
        for fine in order[i + 1 :]:
            children = [people_of(rs) for rs in shown[fine].values()]
            for parent in parents:
                inside = [c for c in children if c <= parent]
                rest = parent - set().union(*inside)
                assert not small(len(rest)), (coarse, fine, len(rest))
        inside_all = [people_of(rs) for rs in shown[coarse].values()]
        assert not small(len(people_of(routes) - set().union(*inside_all)))
    check_cells_across_groupings(routes, cells)


Shown = list[tuple[set[str], dict[str, Any]]]  # (people, group as in the JSON) per shown group


def check_cells_across_groupings(routes: list[Route], cells: dict[GroupBy, Shown]) -> None:
    """A cell a group shows, minus the same cell of the finer groups inside it that show it, is a
    number over the rest of its people: it must be publishable too."""
    people = latest(routes)
    order: list[GroupBy] = ["region", "municipality", "school"]
    for i, coarse in enumerate(order):
        for parent, group in cells[coarse]:
            for fine in order[i:]:
                inside = [(p, shown_cells(g)) for p, g in cells[fine] if p < parent]
                for cell in shown_cells(group):
                    rest = parent - set().union(*(p for p, their in inside if cell in their))
                    if rest != parent:
                        n, c = count_over(cell, rest, people)
                        assert publishable(c, n), (coarse, fine, cell, c, n)


def publishable(count: int, population: int) -> bool:
    return not small(count) and not small(population - count)


def shown_cells(g: dict[str, Any]) -> set[tuple[str, str]]:
    out = {("status", c["status"]) for c in g["by_status"] if c["count"] is not None}
    out |= {("block", c["block"]) for c in g["deficits_by_block"] if c["people"] is not None}
    return out | {("code", c["code"]) for c in g["top_deficits"]}


def count_over(cell: tuple[str, str], who: set[str], people: dict[str, Route]) -> tuple[int, int]:
    """(population, count) of the cell over these people."""
    kind, name = cell
    rs = [people[e] for e in who]
    if kind == "status":
        return len(rs), sum(1 for r in rs if r.status.value == name)
    if kind == "block":
        assessed = [r for r in rs if Block(name) in r.diagnostic.levels]
        return len(assessed), sum(1 for r in assessed if r.diagnostic.levels[Block(name)] in DEFICIT_LEVELS)
    return len(rs), sum(1 for r in rs if name in r.diagnostic.deficit_codes)
