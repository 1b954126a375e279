"""Russian wording shared by the printed card and the registry: dates, plurals, completion marks.

Kept in one place so the DOCX card, the registry and the reports say the same thing the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from lms_bridge.config import Settings
from lms_bridge.domain.codifier import labelled
from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import FOUR_LEVELS, Level

DASH = "—"
# Characters XML 1.0 forbids (control characters other than tab and line breaks). They slip in with
# text pasted from spreadsheets (Excel's \x0b line break) and would make python-docx and lxml refuse
# the whole card.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML cannot carry (Excel's \x0b line break becomes a space)."""
    return _NOT_XML.sub(lambda m: " " if m.group() in "\x0b\x0c" else "", text)


@dataclass(frozen=True)
class Issuer:
    """Who issues the card and how: the ЦНППМ (and its parent institution), the city on the title page,
    the region's card layout and scale (its profile), and the names of deficit codes (its codifier)."""

    centre: str
    parent: str = ""
    city: str = ""
    layout: str = "smolensk"
    scale: tuple[Level, ...] = FOUR_LEVELS
    deficit_names: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings, deficit_names: Mapping[str, str] | None = None) -> Issuer:
        """From ``LMS_BRIDGE_CENTRE_NAME``, ``LMS_BRIDGE_CENTRE_PARENT``, ``LMS_BRIDGE_CENTRE_CITY`` and the
        region's profile (``LMS_BRIDGE_REGION_PROFILE``)."""
        return cls(
            centre=settings.centre_name,
            parent=settings.centre_parent,
            city=settings.centre_city,
            layout=settings.profile.card.layout,
            scale=settings.profile.scale.levels,
            deficit_names=deficit_names or {},
        )

    def deficit(self, code: str) -> str:
        """«П1.2 — Проектирование рабочей программы…» where the codifier names the code, else the code."""
        return deficit_label(code, self.deficit_names)


deficit_label = labelled  # «П1.2 — Проектирование…» (domain/codifier.py)


def fmt_date(d: date | None) -> str:
    """``15.09.2026``, or a dash when there is no date."""
    return d.strftime("%d.%m.%Y") if d else DASH


def period(start: date | None, end: date | None) -> str:
    if not (start or end):
        return DASH
    if start == end:
        return fmt_date(start)
    return f"{fmt_date(start)} – {fmt_date(end)}"


def plural(n: int, one: str, few: str, many: str) -> str:
    """Russian plural: 1 год, 2 года, 5 лет (11–14 take «many»)."""
    if n % 10 == 1 and n % 100 != 11:
        word = one
    elif 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        word = few
    else:
        word = many
    return f"{n} {word}"


def years(n: int | None) -> str:
    return DASH if n is None else plural(n, "год", "года", "лет")


def months(n: int | None) -> str:
    return DASH if n is None else plural(n, "месяц", "месяца", "месяцев")


def grade_text(grade: float) -> str:
    return f"{grade:g}".replace(".", ",")


def activity_mark(a: Activity) -> str:
    """The «Отметка о выполнении» cell: ✓ and the date, the LMS grade, or the reason it was not done.

    Empty while the activity is still ahead: the teacher fills it in (003 App.3 §5.10).
    """
    parts: list[str] = []
    if a.done:
        parts.append(f"✓ выполнено {fmt_date(a.done_on)}" if a.done_on else "✓ выполнено")
    elif a.mark_label:
        parts.append(a.mark_label)  # the reason, a failed attestation, or a closing correction
    if a.grade is not None and not a.failed_attestation:
        parts.append(f"оценка: {grade_text(a.grade)}")
    if a.result_source == "lms" and (a.done or a.grade is not None):
        parts.append("по данным СДО")
    if a.curator_note:
        parts.append(f"куратор: {a.curator_note}")
    return "\n".join(parts)


def activity_result(a: Activity) -> str:
    """The «Результат и форма представления» cell."""
    if a.result and a.result_form:
        return f"{a.result}\n(форма: {a.result_form})"
    if a.result_form:
        return f"форма: {a.result_form}"
    return a.result


def dynamics_sign(delta: int | None) -> str:
    """↑ / ↓ / = for a change of level, with the number of levels when it moved more than one."""
    if delta is None:
        return DASH
    if delta == 0:
        return "="
    arrow = "↑" if delta > 0 else "↓"
    return arrow if abs(delta) == 1 else f"{arrow}{abs(delta)}"


def card_year(route: Route) -> int:
    """The year on the title page: when the route was developed (or started, or diagnosed)."""
    return (route.developed_on or route.start or route.diagnostic.date).year


def short_date(d: date | None) -> str:
    """``15.09.26``: 001's table asks for «дд.мм.гг»."""
    return d.strftime("%d.%m.%y") if d else DASH


def short_period(start: date | None, end: date | None) -> str:
    if not (start or end):
        return DASH
    if start == end:
        return short_date(start)
    return f"{short_date(start)} – {short_date(end)}"
