"""Teachers, curators and the actor who performs an action."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from lms_bridge.domain.vocabulary import CuratorKind, Role, StaffRole


@dataclass(frozen=True)
class Teacher:
    """The teacher (or manager) a route belongs to. ``email`` is the key (lower-case).

    The fields from ``education`` on fill the card's «Информационная справка» (003 App.3 §2):
    ``recent_courses`` are the upgrade courses (ПК) of the last three years as free text (a ``;``
    list allowed); ``self_education_theme`` seeds the theme of the teacher's next drafted route.
    """

    email: str
    last_name: str
    first_name: str
    middle_name: str = ""
    school: str = ""
    municipality: str = ""
    position: str = ""
    subject: str = ""
    category: str = ""
    staff_role: StaffRole = StaffRole.TEACHER
    education: str = ""
    experience_years: int | None = None
    phone: str = ""
    attestation_date: date | None = None
    recent_courses: str = ""
    degree: str = ""  # учёная степень
    academic_title: str = ""  # учёное / почётное звание
    awards: str = ""
    self_education_theme: str = ""

    def updated_by(self, newer: Teacher) -> Teacher:
        """``newer``, keeping this teacher's «Информационная справка» values where ``newer`` has none.

        A later file often lacks those columns (a self-diagnostic export has no phone or degree):
        an empty cell must not erase what an earlier file said.
        """
        kept = {f: getattr(self, f) for f in INFORMATION_FIELDS if getattr(newer, f) in ("", None)}
        return replace(newer, **kept)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def short_name(self) -> str:
        """«Петрова А.А.» as signatures are written."""
        initials = "".join(f"{p[0]}." for p in (self.first_name, self.middle_name) if p)
        return f"{self.last_name} {initials}".strip()


INFORMATION_FIELDS = (
    "education",
    "experience_years",
    "phone",
    "attestation_date",
    "recent_courses",
    "degree",
    "academic_title",
    "awards",
    "self_education_theme",
)
"""Teacher fields only the card uses: a blank value in a later import keeps the known one."""


@dataclass(frozen=True)
class Curator:
    """A registered curator (tutor).

    ``school`` is set for union heads and mentors, ``subject`` for lecturers.
    """

    email: str
    full_name: str
    kind: CuratorKind
    subject: str = ""
    school: str = ""
    municipality: str = ""


@dataclass(frozen=True)
class Actor:
    """Who performs an action: a role and a name, e.g. ``head:Петрова А.А.``."""

    role: Role
    name: str
    email: str = ""
    school: str = ""

    @classmethod
    def parse(cls, text: str) -> Actor:
        role, sep, name = text.partition(":")
        if not sep or not name.strip():
            raise ValueError(f"«{text}»: ожидается РОЛЬ:ИМЯ, например head:Петрова А.А.")
        return cls(Role.parse(role), name.strip())

    def __str__(self) -> str:
        return f"{self.name} ({self.role.label})"


SYSTEM = Actor(Role.SYSTEM, "lms-bridge")
