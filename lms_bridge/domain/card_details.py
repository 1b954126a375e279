"""What some regions' cards print beyond the common card (the union the route carries, docs/profiles.md):

- 004 Прил. 1: the region, «Дополнительные сведения», «Год реализации ИОМ (учебный)», and a tutor beside
  the regional methodist (a second curator);
- 001's table: «Примерное время, разбитое по этапам» (its «Образовательные задачи» for each deficit name
  the deficits, a diagnostic result: they are ``Route.educational_tasks``, withheld from the school).

Each card layout prints what it has a place for; the rest is kept and shown on the card page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from lms_bridge.domain.calendar import add_months
from lms_bridge.domain.limits import checked_text
from lms_bridge.domain.people import Actor, Curator
from lms_bridge.domain.vocabulary import Role, RouteStatus
from lms_bridge.errors import PermissionDenied, Problem, ValidationError, WorkflowError


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
    stages: tuple[Stage, ...] = ()


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


EDITORS = (Role.DEVELOPER, Role.CURATOR, Role.CENTRE, Role.CENTRE_HEAD, Role.ADMIN)
_CLOSED = (RouteStatus.COMPLETED, RouteStatus.CANCELLED)
_YEAR = re.compile(r"^(\d{4})/(\d{4})$")


@dataclass(frozen=True)
class DetailsChange:
    """What ``change_details`` sets; None leaves a field as it is, "" clears a text."""

    region: str | None = None
    additional_info: str | None = None
    academic_year: str | None = None
    tutor: Curator | None = None
    clear_tutor: bool = False
    tasks: Mapping[str, str] | None = None  # code → tasks; "" removes a code's tasks
    stages: tuple[Stage, ...] | None = None


def _year(text: str) -> str:
    text = checked_text("academic_year", text)
    m = _YEAR.match(text)
    if text and not (m and int(m[2]) == int(m[1]) + 1):
        raise ValidationError(
            [Problem(f"«{text}» — ожидается учебный год вида 2026/2027", field="academic_year")]
        )
    return text


def changed_tasks(
    current: Mapping[str, str], change: Mapping[str, str], codes: tuple[str, ...]
) -> dict[str, str]:
    """The educational tasks per deficit (001) with ``change`` applied; "" removes a code's tasks."""
    out = dict(current)
    for code, text in change.items():
        if code not in codes:
            raise ValidationError(
                [Problem(f"«{code}» — не дефицит этого маршрута ({', '.join(codes) or 'дефицитов нет'})")]
            )
        text = checked_text("educational_tasks", text)
        if text:
            out[code] = text
        else:
            out.pop(code, None)
    return out


def _stage(s: Stage) -> Stage:
    title = checked_text("stage_title", s.title)
    if not title:
        raise ValidationError([Problem("у этапа нет названия", field="stage_title")])
    if s.start and s.end and s.end < s.start:
        raise ValidationError([Problem(f"этап «{title}»: окончание раньше начала", field="stage_title")])
    return Stage(title, s.start, s.end)


def change_details(
    details: CardDetails, change: DetailsChange, actor: Actor, status: RouteStatus
) -> CardDetails:
    """The card details with ``change`` applied, if ``actor`` may edit them on a route in ``status``."""
    if actor.role not in EDITORS:
        raise PermissionDenied("сведения карты вносят разработчик ИОМ, куратор и специалисты ЦНППМ")
    if status in _CLOSED:
        raise WorkflowError(f"маршрут в статусе «{status.label}»: сведения карты не меняются")
    out = details
    if change.region is not None:
        out = replace(out, region=checked_text("region", change.region))
    if change.additional_info is not None:
        out = replace(out, additional_info=checked_text("additional_info", change.additional_info))
    if change.academic_year is not None:
        out = replace(out, academic_year=_year(change.academic_year))
    if change.tutor is not None:
        out = replace(out, tutor_email=change.tutor.email, tutor_name=change.tutor.full_name)
    elif change.clear_tutor:
        out = replace(out, tutor_email="", tutor_name="")
    if change.stages is not None:
        out = replace(out, stages=tuple(_stage(s) for s in change.stages))
    return out
