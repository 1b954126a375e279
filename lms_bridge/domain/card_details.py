"""What some regions' cards print beyond the common card (the union the route carries, docs/profiles.md):

- 004 Прил. 1: the region, «Дополнительные сведения», «Год реализации ИОМ (учебный)», and a tutor beside
  the regional methodist (a second curator);
- 001's table: «Образовательные задачи» for each deficit, and «Примерное время, разбитое по этапам».

Each card layout prints what it has a place for; the rest is kept and shown on the card page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from lms_bridge.domain.calendar import add_months


@dataclass(frozen=True)
class Stage:
    """One stage of the route with its approximate dates (001: «время, разбитое по этапам»)."""

    title: str
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class CardDetails:
    region: str = ""
    additional_info: str = ""
    academic_year: str = ""  # «2026/2027»
    tutor_email: str = ""
    tutor_name: str = ""
    educational_tasks: Mapping[str, str] = field(default_factory=dict)  # deficit code → tasks
    stages: tuple[Stage, ...] = ()

    def tasks_for(self, code: str) -> str:
        return self.educational_tasks.get(code, "")


def academic_year(on: date) -> str:
    """The school year ``on`` falls in: it starts on 1 September («2026/2027» for 02.12.2026)."""
    first = on.year if on.month >= 9 else on.year - 1
    return f"{first}/{first + 1}"


STAGE_TITLES = (  # 001 §2: the four stages of a route
    "Изучение потребностей и запросов, выявление профессиональных дефицитов",
    "Составление индивидуального образовательного маршрута",
    "Реализация индивидуального образовательного маршрута",
    "Рефлексия деятельности по реализации маршрута",
)


def draft_stages(diagnosed: date, developed: date, start: date, end: date) -> tuple[Stage, ...]:
    """001's four stages with dates a draft proposes (the developer corrects them): the diagnostic, the
    development, the implementation up to the last month, and the reflection in the last month."""
    reflection = max(start, add_months(end, -1))
    return (
        Stage(STAGE_TITLES[0], diagnosed, diagnosed),
        Stage(STAGE_TITLES[1], developed, developed),
        Stage(STAGE_TITLES[2], start, reflection),
        Stage(STAGE_TITLES[3], reflection, end),
    )
