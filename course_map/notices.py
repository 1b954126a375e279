"""What teachers and curators are told about the catalogue's upcoming events (000 §2.8): which events are
due for a notice, what is overdue in a route, and the Russian texts. No I/O.

Decisions (the regulations are silent):

* An event is due for a teacher when it is a non-formal catalogue activity (formal ДПП go through
  applications and enrolment instead) with a start date within ``days_before`` days from today, not yet
  begun, and it addresses at least one deficit of the teacher's approved or running route. A day missed by
  the schedule is caught up on the next run while the event has not begun.
* One message per teacher × event: each can be looked up in the LMS on its own after a kill.
* A curator's digest covers the same window for all their teachers plus what is overdue (an activity past
  its end neither done nor given a reason, a route past its deadline), once per ISO week; an empty digest
  is not sent.
* Moodle refuses a message longer than 4096 bytes: lists are cut to fit, with «… и ещё N».
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from course_map.models import CourseEntry
from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.workflow import deadline

MAX_BYTES = 4000  # Moodle's MESSAGE_MAX_LENGTH is 4096 bytes (strlen); a margin for the line endings


def upcoming_events(entries: Iterable[CourseEntry], today: date, days_before: int) -> list[CourseEntry]:
    """Non-formal activities with a start date from today to ``days_before`` days ahead, by date."""
    last = today + timedelta(days=days_before)
    found = [e for e in entries if not e.formal and e.start is not None and today <= e.start <= last]
    return sorted(found, key=lambda e: (e.start or today, e.lms_course))


def addressing(events: Sequence[CourseEntry], deficits: Iterable[str]) -> list[CourseEntry]:
    """The events that address at least one of these deficit codes."""
    wanted = set(deficits)
    return [e for e in events if wanted & set(e.deficit_codes)]


def iso_week(today: date) -> str:
    year, week, _ = today.isocalendar()
    return f"{year}-W{week:02d}"


def event_when(e: CourseEntry) -> str:
    if e.start is None:
        return "дата не назначена"
    if e.end is not None and e.end != e.start:
        return f"{e.start:%d.%m.%Y} – {e.end:%d.%m.%Y}"
    return f"{e.start:%d.%m.%Y}"


def event_text(e: CourseEntry, route_number: str, card_url: str) -> str:
    """The teacher's message about one event: title, date, format and the card link."""
    lines = [
        f"Предстоящее мероприятие по вашему индивидуальному образовательному маршруту № {route_number}:",
        f"«{e.title}»",
        f"Дата: {event_when(e)}",
        f"Формат: {e.format or 'не указан'}",
    ]
    if e.organiser:
        lines.append(f"Организатор: {e.organiser}")
    if e.deficit_codes:
        lines.append(f"Дефициты: {', '.join(e.deficit_codes)}")
    lines.append(f"Карта ИОМ: {card_url}")
    return _fit("\n".join(lines))


@dataclass(frozen=True)
class Overdue:
    route_number: str
    teacher: str
    what: str  # «Курс …» or «маршрут»
    due: date


def overdue_items(route: Route, today: date) -> list[Overdue]:
    """What in a running route is past its date: activities past their end neither done nor given a reason,
    and the route itself past its deadline."""
    out = [
        Overdue(route.number, route.teacher.short_name, f"«{a.title}»", a.end)
        for a in route.activities
        if _late(a, today) and a.end is not None
    ]
    due = deadline(route)
    if due is not None and today > due:
        out.append(Overdue(route.number, route.teacher.short_name, "маршрут", due))
    return out


def _late(a: Activity, today: date) -> bool:
    return a.end is not None and a.end < today and not a.done and not a.not_done_reason


@dataclass(frozen=True)
class DigestEvent:
    route_number: str
    teacher: str
    event: CourseEntry


def digest_text(week: str, events: Sequence[DigestEvent], overdue: Sequence[Overdue]) -> str:
    """The curator's weekly digest; the lists are cut to fit one LMS message."""
    head = f"Сводка куратора ИОМ за неделю {week}."
    parts = [head]
    if events:
        lines = [f"- {d.teacher} ({d.route_number}): «{d.event.title}», {event_when(d.event)}, "
                 f"{d.event.format or 'формат не указан'}" for d in events]  # fmt: skip
        parts.append(_section("Предстоящие мероприятия по дефицитам ваших педагогов", lines))
    if overdue:
        lines = [f"- {o.teacher} ({o.route_number}): {o.what}, срок {o.due:%d.%m.%Y}" for o in overdue]
        parts.append(_section("Просрочено", lines))
    return _fit_sections(parts)


def _section(title: str, lines: list[str]) -> str:
    return f"{title} ({len(lines)}):\n" + "\n".join(lines)


def _fit_sections(parts: list[str]) -> str:
    text = "\n\n".join(parts)
    if len(text.encode()) <= MAX_BYTES:
        return text
    share = (MAX_BYTES - len(parts[0].encode())) // max(1, len(parts) - 1) - 2
    return "\n\n".join([parts[0], *(_cut(p, share) for p in parts[1:])])


def _cut(section: str, budget: int) -> str:
    """The section's first lines within ``budget`` bytes, then «… и ещё N»."""
    title, *lines = section.split("\n")
    kept, used = [title], len(title.encode()) + 30
    for line in lines:
        if used + len(line.encode()) + 1 > budget:
            break
        kept.append(line)
        used += len(line.encode()) + 1
    rest = len(lines) - (len(kept) - 1)
    return "\n".join(kept) + (f"\n… и ещё {rest}" if rest else "")


def _fit(text: str) -> str:
    raw = text.encode()
    return text if len(raw) <= MAX_BYTES else raw[: MAX_BYTES - 3].decode(errors="ignore") + "…"
