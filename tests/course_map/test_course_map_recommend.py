"""Recommendation and coverage on the example course map (examples/course_map.csv)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_map.loading import load_course_map
from course_map.models import CourseEntry, EntryKind
from course_map.recommend import recommend
from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.domain.vocabulary import TEACHER_BLOCKS, Block, DiagnosticKind, Level
from lms_bridge.importers.diagnostics import read_diagnostics
from tests.importers.helpers import EXAMPLES, TODAY

MAP = load_course_map((EXAMPLES / "course_map.csv").read_bytes(), "course_map.csv")
BY_REF = {e.lms_course: e for e in MAP}
PEOPLE = read_diagnostics((EXAMPLES / "diagnostics.csv").read_bytes(), "diagnostics.csv", today=TODAY).rows
ALL_CODES = sorted({c for e in MAP for c in e.deficit_codes} | {"Пс3.4", "У7.3"})


def diag(
    codes: tuple[str, ...], levels: dict[Block, Level] | None = None, email: str = "t@s.ru"
) -> Diagnostic:
    return Diagnostic(email, DiagnosticKind.STANDARDIZED, date(2026, 9, 15), levels or {}, codes)


def person(email: str) -> Diagnostic:
    return next(d for t, d in PEOPLE if t.email == email)


def test_low_level_block_comes_first() -> None:
    # Иванова: subject «низкий», methodical and ICT «базовый» → the subject course leads the route
    rec = recommend(person("ivanova.mp@s15-chel.ru"), MAP)
    assert rec.entries[0].blocks[0] is Block.SUBJECT
    assert rec.covered == {"П1.2", "П1.3", "М2.3", "Ц5.1"}
    assert not rec.uncovered


def test_the_same_deficits_are_ordered_by_the_levels_of_the_blocks() -> None:
    codes = ("П1.1", "Ц5.4")
    subject_low = recommend(diag(codes, {Block.SUBJECT: Level.LOW, Block.ICT: Level.ADVANCED}), MAP)
    ict_low = recommend(diag(codes, {Block.SUBJECT: Level.ADVANCED, Block.ICT: Level.LOW}), MAP)
    assert [e.lms_course for e in subject_low.entries] == ["DPP-FOP-07", "DPP-DIG-13"]
    assert [e.lms_course for e in ict_low.entries] == ["DPP-DIG-13", "DPP-FOP-07"]


def test_among_equals_the_course_covering_more_deficits_wins() -> None:
    rec = recommend(diag(("М2.2", "М2.3")), MAP)
    assert [e.lms_course for e in rec.entries] == ["DPP-MET-08"]  # one course for both, not two


def test_hour_limit_skips_courses_that_do_not_fit_and_tries_the_next() -> None:
    d = diag(("У6.1", "У7.1", "У8.1", "У9.1"), {b: Level.LOW for b in (Block.PROCESSES, Block.STAFF)})
    unlimited = recommend(d, MAP)
    assert "DPP-PP-18" in [e.lms_course for e in unlimited.entries]  # 144 h covers all four
    limited = recommend(d, MAP, max_hours=108)
    assert "DPP-PP-18" not in [e.lms_course for e in limited.entries]
    assert limited.hours <= 108
    assert limited.entries  # smaller courses instead
    assert limited.uncovered  # ... which cannot cover everything within 108 h


def test_events_are_not_recommended_as_courses_unless_asked() -> None:
    d = diag(("К4.4",))
    assert recommend(d, MAP).entries == ()
    assert [e.lms_course for e in recommend(d, MAP, kinds=(EntryKind.EVENT,)).entries] == ["EV-CLB-05"]


def test_no_deficits_no_courses() -> None:
    rec = recommend(diag(()), MAP)
    assert rec.entries == ()
    assert rec.covered == frozenset()
    assert rec.uncovered == frozenset()


@pytest.mark.parametrize("email", [t.email for t, _ in PEOPLE])
def test_every_example_person_gets_courses_for_every_coverable_deficit(email: str) -> None:
    d = person(email)
    rec = recommend(d, MAP)
    by_courses = {c for e in MAP if e.formal for c in e.deficit_codes}
    assert rec.covered == set(d.deficit_codes) & by_courses
    assert rec.uncovered == set(d.deficit_codes) - by_courses


@settings(max_examples=150, deadline=None)
@given(
    codes=st.lists(st.sampled_from(ALL_CODES), max_size=8, unique=True),
    levels=st.dictionaries(st.sampled_from(TEACHER_BLOCKS), st.sampled_from(list(Level))),
    max_hours=st.one_of(st.none(), st.integers(min_value=0, max_value=200)),
)
def test_recommendation_invariants(
    codes: list[str], levels: dict[Block, Level], max_hours: int | None
) -> None:
    d = diag(tuple(codes), levels)
    rec = recommend(d, MAP, max_hours=max_hours)
    assert rec.covered | rec.uncovered == set(codes)
    assert not rec.covered & rec.uncovered
    assert max_hours is None or rec.hours <= max_hours
    assert all(e.formal for e in rec.entries)
    assert len({e.lms_course for e in rec.entries}) == len(rec.entries)
    seen: set[str] = set()
    for e in rec.entries:  # every pick removes at least one deficit still open
        gain = (set(e.deficit_codes) & set(codes)) - seen
        assert gain
        seen |= gain
    assert seen == rec.covered


def test_a_course_map_entry_with_the_same_title_is_chosen_deterministically() -> None:
    twin = replace(BY_REF["DPP-DIG-13"], lms_course="DPP-DIG-99")
    first = recommend(diag(("Ц5.4",)), [twin, *MAP])
    second = recommend(diag(("Ц5.4",)), [*MAP, twin])
    assert [e.lms_course for e in first.entries] == [e.lms_course for e in second.entries] == ["DPP-DIG-13"]


def test_example_map_spans_all_ten_blocks_with_courses_and_events() -> None:
    assert {b for e in MAP for b in e.blocks} == set(Block)
    assert sum(e.formal for e in MAP) >= 15
    assert sum(not e.formal for e in MAP) >= 5
    assert all(isinstance(e, CourseEntry) and 16 <= e.hours <= 144 for e in MAP if e.formal)
