from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import ActivityCategory, Block, Level, RouteStatus
from lms_bridge.services.reports import MIN_GROUP, report_to_dict, summarise
from tests.conftest import make_diagnostic, make_teacher

S = RouteStatus


def route(
    n: int,
    school: str = "Школа А",
    *,
    status: RouteStatus = S.IN_PROGRESS,
    municipality: str = "Город",
    region: str = "74",
    levels: dict[Block, Level] | None = None,
    codes: tuple[str, ...] = ("П1.1",),
    on: date = date(2026, 9, 15),
    activities: tuple[bool, ...] = (),
) -> Route:
    teacher = replace(make_teacher(n, school=school), municipality=municipality)
    return Route(
        number=f"{region}-2026-{n:06d}",
        teacher=teacher,
        diagnostic=make_diagnostic(n, codes=codes, on=on, levels=levels),
        status=status,
        activities=tuple(
            Activity(key=str(i), category=ActivityCategory.KNOWLEDGE, title=f"м{i}", done=done)
            for i, done in enumerate(activities, start=1)
        ),
    )


def school(name: str, first: int, count: int) -> list[Route]:
    return [route(n, name) for n in range(first, first + count)]


def names(report_groups: object) -> list[str]:
    return [g.name for g in report_groups]  # type: ignore[attr-defined]


def test_small_schools_are_merged_into_others_when_that_reaches_five() -> None:
    routes = school("Школа А", 1, 6) + school("Школа Б", 10, 3) + school("Школа В", 20, 2)
    report = summarise(routes, by="school")
    assert names(report.groups) == ["Школа А", "прочие (менее 5)"]
    assert [g.people for g in report.groups] == [6, 5]
    assert report.merged_groups == 2
    assert report.total is not None
    assert report.total.people == 11


def test_others_below_five_take_in_the_smallest_shown_group_so_nobody_can_be_subtracted_out() -> None:
    # Б and В together are 3: shown alone they would leak; hidden, «total − А − Г» would give them
    # away. So the smallest shown school (Г, 5) joins them.
    routes = (
        school("Школа А", 1, 6)
        + school("Школа Г", 30, 5)
        + school("Школа Б", 10, 2)
        + school("Школа В", 20, 1)
    )
    report = summarise(routes, by="school")
    assert names(report.groups) == ["Школа А", "прочие"]
    assert [g.people for g in report.groups] == [6, 8]
    assert report.merged_groups == 3
    assert report.total is not None
    assert sum(g.people for g in report.groups) == report.total.people  # every person shown once


def test_fewer_than_five_people_in_all_shows_nothing() -> None:
    report = summarise(school("Школа А", 1, 4), by="school")
    assert report.groups == ()
    assert report.total is None
    assert report.hidden_people == 4


def test_every_shown_group_has_at_least_five_people() -> None:
    sizes = [1, 2, 3, 4, 5, 6, 7, 1, 1]
    routes = [r for i, size in enumerate(sizes) for r in school(f"Школа {i}", i * 100, size)]
    report = summarise(routes, by="school")
    assert all(g.people >= MIN_GROUP for g in report.groups)
    assert report.total is not None
    assert report.total.people == sum(sizes)


def test_people_are_counted_once_even_with_several_routes() -> None:
    first = route(1, status=S.COMPLETED, on=date(2025, 9, 1), levels={Block.SUBJECT: Level.LOW}, codes=("A",))
    second = replace(
        route(1, levels={Block.SUBJECT: Level.HIGH}, codes=("B",)), number="74-2026-000099"
    )  # the same teacher a year later: their latest diagnostic counts
    others = [route(n, levels={Block.SUBJECT: Level.HIGH}, codes=()) for n in range(2, 6)]
    report = summarise([first, second, *others], by="school")
    [group] = report.groups
    # 6 routes of 5 people: «routes − people» would say that one teacher has a second route
    assert (group.people, group.routes) == (5, None)
    assert group.deficits_by_block[Block.SUBJECT] == 0
    assert group.top_deficits == ()  # «B» is one person's deficit: not named
    assert group.by_status[S.IN_PROGRESS] == 5  # the latest route of each person


def test_completion_rate_is_completed_over_started() -> None:
    statuses = [
        S.COMPLETED,
        S.COMPLETED,
        S.PROLONGED,
        S.IN_PROGRESS,
        S.IN_PROGRESS,
        S.DRAFT,
        S.CANCELLED,
        S.APPROVED,
    ] * 5
    routes = [route(n, status=s, activities=(True, False)) for n, s in enumerate(statuses, start=1)]
    report = summarise(routes, by="school")
    [group] = report.groups
    assert (group.completed, group.started) == (10, 25)
    assert group.completion_rate == pytest.approx(0.4)
    assert (group.activities_done, group.activities_total) == (25, 50)  # started routes only
    assert group.by_status[S.DRAFT] == 5
    assert group.by_status[S.AGREEMENT] == 0
    assert list(group.by_status) == list(RouteStatus)


def test_a_status_of_few_people_is_withheld_with_a_complementary_cell() -> None:
    # 9 in progress, 1 completed: «completed: 1» is withheld, and so is «in progress» (else 10 − 9)
    routes = [route(n, status=S.IN_PROGRESS) for n in range(1, 10)] + [route(10, status=S.COMPLETED)]
    [group] = summarise(routes).groups
    assert group.by_status[S.COMPLETED] is None
    assert group.by_status[S.IN_PROGRESS] is None
    assert group.by_status[S.DRAFT] == 0
    assert (group.started, group.completed, group.completion_rate) == (None, None, None)
    assert (group.activities_done, group.activities_total) == (None, None)


def test_completion_rate_is_none_before_anything_started() -> None:
    [group] = summarise([route(n, status=S.DRAFT) for n in range(1, 6)]).groups
    assert group.completion_rate is None
    assert report_to_dict(summarise([route(n, status=S.DRAFT) for n in range(1, 6)]))["groups"][0][
        "completion"
    ] == {"completed": 0, "started": 0, "rate": None}


def test_deficits_by_block_count_people_at_low_or_basic() -> None:
    levels = [
        {Block.SUBJECT: Level.LOW, Block.ICT: Level.HIGH},
        {Block.SUBJECT: Level.BASIC, Block.ICT: Level.BASIC},
        {Block.SUBJECT: Level.ADVANCED, Block.ICT: Level.LOW},
        {Block.SUBJECT: Level.HIGH},
        {Block.SUBJECT: Level.LOW},
    ] * 5
    codes = [("П1", "И2"), ("П1",), ("И2", "П1"), (), ("М3",)] * 5
    routes = [route(n, levels=lv, codes=c) for n, (lv, c) in enumerate(zip(levels, codes, strict=True), 1)]
    [group] = summarise(routes).groups
    assert group.deficits_by_block == {Block.SUBJECT: 15, Block.ICT: 10}
    assert group.top_deficits == (("П1", 15), ("И2", 10), ("М3", 5))


def test_one_deputy_heads_management_blocks_are_not_shown() -> None:
    """The reported leak: one deputy head among teachers showed «управление процессами: 1»."""
    teachers = [route(n, levels={Block.SUBJECT: Level.LOW}, codes=("П1.1",)) for n in range(1, 7)]
    teachers += [route(n, levels={Block.SUBJECT: Level.HIGH}, codes=("М2.1",)) for n in range(8, 13)]
    deputy = route(7, levels={Block.PROCESSES: Level.LOW, Block.STAFF: Level.LOW}, codes=("У6.1",))
    [group] = summarise([*teachers, deputy]).groups
    assert group.deficits_by_block[Block.PROCESSES] is None
    assert group.deficits_by_block[Block.STAFF] is None
    assert group.deficits_by_block[Block.SUBJECT] == 6
    assert group.top_deficits == (("П1.1", 6), ("М2.1", 5))
    text = json.dumps(report_to_dict(summarise([*teachers, deputy])), ensure_ascii=False)
    assert "У6.1" not in text


def test_a_deficit_nearly_everyone_has_is_withheld_too() -> None:
    # 6 of 7 with the code: «7 − 6» would name the one without it
    routes = [route(n, codes=("П1.1",)) for n in range(1, 7)] + [route(7, codes=())]
    [group] = summarise(routes).groups
    assert group.top_deficits == ()


def test_a_municipality_minus_its_shown_schools_never_leaves_a_small_group() -> None:
    # Копейск: А 6, Б 2 (hidden). By municipality Копейск shows 8: 8 − А would give Б's 2 people,
    # so А is folded into «прочие» in the report by school.
    routes = [route(n, "Школа А", municipality="Копейск") for n in range(1, 7)]
    routes += [route(n, "Школа Б", municipality="Копейск") for n in range(10, 12)]
    routes += [route(n, "Школа В", municipality="Миасс") for n in range(20, 27)]
    by_school = summarise(routes, by="school")
    assert names(by_school.groups) == ["Школа В", "прочие"]
    assert names(summarise(routes, by="municipality").groups) == ["Копейск", "Миасс"]


def test_same_school_names_in_two_municipalities_are_two_groups() -> None:
    routes = [route(n, "СОШ № 1", municipality="Копейск") for n in range(1, 6)]
    routes += [route(n, "СОШ № 1", municipality="Миасс") for n in range(10, 15)]
    assert names(summarise(routes, by="school").groups) == ["СОШ № 1 (74, Копейск)", "СОШ № 1 (74, Миасс)"]


def test_grouping_by_municipality_and_region() -> None:
    routes = [route(n, municipality="Копейск", region="74") for n in range(1, 6)]
    routes += [route(n, municipality="Смоленск", region="67") for n in range(10, 16)]
    assert names(summarise(routes, by="municipality").groups) == ["Копейск", "Смоленск"]
    assert names(summarise(routes, by="region").groups) == ["67", "74"]


def test_the_json_form_holds_no_personal_data() -> None:
    routes = school("Школа А", 1, 6) + school("Школа В", 20, 5) + school("Школа Б", 10, 2)
    text = json.dumps(report_to_dict(summarise(routes, by="school")), ensure_ascii=False)
    for r in routes:
        assert r.teacher.email not in text
        assert r.teacher.last_name not in text
        assert r.number not in text
    assert "Школа Б" not in text  # a school under five is not named either
    assert "Школа В" not in text  # ... nor the one folded in with it
    data = json.loads(text)
    assert data["by_label"] == "образовательная организация"
    by_status = {row["status"]: row for row in data["groups"][0]["by_status"]}  # order follows RouteStatus
    assert by_status["in_progress"] == {"status": "in_progress", "label": "реализуется", "count": 6}


def test_the_privacy_floor_cannot_be_lowered() -> None:
    with pytest.raises(ValueError, match="не меньше 5"):
        summarise([], min_group=3)
    report = summarise(school("Школа А", 1, 7), min_group=8)
    assert report.total is None
