"""Choosing a curator by the rules of 003 §4.4.2.

- high deficit level → a regional methodist;
- medium or low → a lecturer of the teacher's profile (subject), else a methodist;
- where neither is registered, the head of the school's methodical union or a mentor of the school.
Among the candidates of the chosen kind the least loaded wins (ties: by name), so load spreads evenly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.domain.people import Curator, Teacher
from lms_bridge.domain.vocabulary import CuratorKind, DeficitLevel


def choose_curator(
    teacher: Teacher, diagnostic: Diagnostic, curators: Sequence[Curator], load: Mapping[str, int]
) -> Curator | None:
    subject = teacher.subject.strip().lower()
    methodists = [c for c in curators if c.kind is CuratorKind.METHODIST]
    lecturers = [
        c for c in curators if c.kind is CuratorKind.LECTURER and c.subject.strip().lower() == subject
    ]
    school_side = [
        c
        for c in curators
        if c.kind in (CuratorKind.UNION_HEAD, CuratorKind.MENTOR) and c.school == teacher.school
    ]
    if diagnostic.deficit_level is DeficitLevel.HIGH:
        order = [methodists, lecturers, school_side]
    else:
        order = [lecturers, methodists, school_side]
    for group in order:
        if group:
            return min(group, key=lambda c: (load.get(c.email, 0), c.full_name))
    return None
