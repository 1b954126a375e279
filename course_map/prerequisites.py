"""Whether a teacher meets an activity's prerequisites (000 §2.1 a), with the reasons in Russian (pure).

- education: the teacher's «Образование» is free text in the registry («высшее, ЧГПУ, 2009»); its level is
  read from the words «высшее» / «среднее профессиональное» (or «СПО»). A registry without the teacher's
  education cannot show that the requirement is met: that is a reason too, and it says how to fix it;
- position: one of the required words opens the position («учитель» fits «учитель математики»);
- earlier courses: a catalogue activity done in any of the teacher's routes (the LMS attestation or a mark).

The check runs where a person is put on a course: the applications (the head's and the ЦНППМ's screens and
commands refuse to confirm, and show why) and the enrol job (``sync enrol`` does not enrol, and reports why).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from course_map.models import Education, Prerequisites
from lms_bridge.domain.people import Teacher
from lms_bridge.domain.route import Route

_HIGHER = re.compile(r"\bвысш", re.IGNORECASE)
_VOCATIONAL = re.compile(r"\bсредн\w*\s+(?:специальн|профессиональн)|\bспо\b", re.IGNORECASE)


def education_of(text: str) -> Education | None:
    """The level of education a registry text names (None: none recognised)."""
    if _HIGHER.search(text):
        return Education.HIGHER
    if _VOCATIONAL.search(text):
        return Education.VOCATIONAL
    return None


@dataclass(frozen=True)
class Check:
    """The outcome: ``reasons`` empty when every requirement is met."""

    reasons: tuple[str, ...] = ()

    @property
    def met(self) -> bool:
        return not self.reasons

    @property
    def label(self) -> str:
        return "требования выполнены" if self.met else "не выполнены требования: " + "; ".join(self.reasons)


MET = Check()


def done_courses(routes: Iterable[Route]) -> set[str]:
    """The ДПП (``lms_course`` keys) done in these routes of a teacher: what an earlier-course requirement
    is held against."""
    return {a.lms_course for r in routes for a in r.activities if a.done and a.lms_course}


def check(need: Prerequisites, teacher: Teacher, done_courses: Iterable[str]) -> Check:
    """Which of ``need`` the teacher does not meet; ``done_courses``: ``lms_course`` keys done earlier."""
    reasons: list[str] = []
    if need.education is not None:
        have = education_of(teacher.education)
        if have is None:
            reasons.append(
                f"нужно образование не ниже «{need.education.label}», а в реестре оно "
                + (f"не распознано («{teacher.education}»)" if teacher.education else "не указано")
            )
        elif have.rank < need.education.rank:
            reasons.append(f"нужно образование «{need.education.label}», у педагога — «{have.label}»")
    if need.positions:
        position = teacher.position.lower().replace("ё", "е")
        if not any(p.lower().replace("ё", "е") in position for p in need.positions):
            shown = teacher.position or "не указана"
            reasons.append(
                f"программа для должностей: {', '.join(need.positions)}; должность педагога — {shown}"
            )
    done = set(done_courses)
    missing = [c for c in need.courses if c not in done]
    if missing:
        reasons.append(f"сначала нужно пройти: {', '.join(missing)}")
    return Check(tuple(reasons))
