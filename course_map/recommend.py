"""Recommendation of courses for one diagnostic, and coverage of deficits by the map.

The choice is a greedy set cover with a priority (documented in the README):

1. low-level competency blocks first (seed 002): a candidate's priority is the lowest level the
   diagnostic gives to any of the candidate's blocks (unassessed blocks come last);
2. among equals, the candidate covering the most still-uncovered deficits (fewest courses for
   the most deficits), then fewer hours, then title;
3. a candidate that would exceed ``max_hours`` is skipped and the next one tried.

Greedy set cover is within ln(n) of the optimum and runs in O(candidates × picks), which is
what a registry of tens of thousands of teachers needs; exact cover is NP-hard.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from course_map.models import CourseEntry, EntryKind
from lms_bridge.domain.diagnostics import Diagnostic

_UNASSESSED = 99


@dataclass(frozen=True)
class Recommendation:
    entries: tuple[CourseEntry, ...]
    covered: frozenset[str]
    uncovered: frozenset[str]

    @property
    def hours(self) -> int:
        return sum(e.hours for e in self.entries)


def _priority(entry: CourseEntry, diagnostic: Diagnostic) -> int:
    ranks = [diagnostic.levels[b].rank for b in entry.blocks if b in diagnostic.levels]
    return min(ranks, default=_UNASSESSED)


def recommend(
    diagnostic: Diagnostic,
    entries: Sequence[CourseEntry],
    *,
    max_hours: int | None = None,
    kinds: Iterable[EntryKind] = (EntryKind.COURSE,),
) -> Recommendation:
    wanted = set(diagnostic.deficit_codes)
    allowed = set(kinds)
    candidates = [e for e in entries if e.kind in allowed and wanted.intersection(e.deficit_codes)]
    uncovered = set(wanted)
    picked: list[CourseEntry] = []
    hours = 0
    while uncovered and candidates:
        best = min(
            candidates,
            key=lambda e: (
                _priority(e, diagnostic),
                -len(uncovered.intersection(e.deficit_codes)),
                e.hours,
                e.title,
                e.lms_course,  # titles may repeat across providers: keep the choice deterministic
            ),
        )
        candidates.remove(best)
        gain = uncovered.intersection(best.deficit_codes)
        if not gain:
            continue
        if max_hours is not None and hours + best.hours > max_hours:
            continue
        picked.append(best)
        hours += best.hours
        uncovered -= gain
    return Recommendation(tuple(picked), frozenset(wanted - uncovered), frozenset(uncovered))


MAX_OPTIONS = 4  # the recommended ДПП and up to three alternatives: a choice, not the whole catalogue


def alternatives(
    chosen: CourseEntry,
    diagnostic: Diagnostic,
    entries: Sequence[CourseEntry],
    taken: Iterable[str] = (),
    limit: int = MAX_OPTIONS,
) -> tuple[str, ...]:
    """The ДПП offered for the teacher's choice instead of ``chosen`` (000 §2.1 b): ``chosen`` first, then
    other catalogue courses for at least one of the deficits ``chosen`` covers for this teacher, not
    ``taken`` by the route already, in the recommendation's order (low-level blocks first, more of these
    deficits, fewer hours). Keys (``lms_course``)."""
    wanted = set(chosen.deficit_codes) & set(diagnostic.deficit_codes)
    skip = {*taken, chosen.lms_course}
    others = [e for e in entries if e.formal and e.lms_course not in skip and wanted & set(e.deficit_codes)]
    others.sort(
        key=lambda e: (
            _priority(e, diagnostic),
            -len(wanted & set(e.deficit_codes)),
            e.hours,
            e.title,
            e.lms_course,
        )
    )
    return (chosen.lms_course, *(e.lms_course for e in others[: max(0, limit - 1)]))
