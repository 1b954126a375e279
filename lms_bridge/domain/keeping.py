"""Validity of diagnostics and keeping of finished routes.

- Validity (000 §1.8): a route is current «до конца следующего календарного года» after the
  diagnostic results: a diagnostic of 10.01.2023 is valid to 31.12.2024, and a diagnostic past its
  validity drafts no route (``routes build`` lists it). ``validity_years`` = 1 is «the next year».
- Keeping (003 §4.5.4): a completed route is kept one year from completion; then ``routes archive``
  moves it (and a cancelled one, from its cancellation) to the archive: out of every working list,
  its card still downloadable by the teacher (portfolio, 004) and the ЦНППМ.
- Depersonalising (``--purge``): ``purge_after_years`` after the archive date is due
  (closed + keep + purge), the archived route loses every personal datum. What stays is what the
  aggregated reports count (see ``depersonalised``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.domain.people import Teacher
from lms_bridge.domain.route import Activity, Correction, Route
from lms_bridge.domain.vocabulary import RouteStatus
from lms_bridge.errors import WorkflowError

CLOSED = frozenset({RouteStatus.COMPLETED, RouteStatus.CANCELLED})
PURGED_NAME = "Данные обезличены"


@dataclass(frozen=True)
class KeepingPolicy:
    validity_years: int = 1  # 000 §1.8: to the end of the next calendar year
    keep_years: int = 1  # 003 §4.5.4: one year after completion
    purge_after_years: int = 5  # our choice: after the archive, the card is kept 5 more years


DEFAULT_KEEPING = KeepingPolicy()


def add_years(d: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def valid_until(diagnostic: Diagnostic, policy: KeepingPolicy) -> date:
    return date(diagnostic.date.year + policy.validity_years, 12, 31)


def is_current(diagnostic: Diagnostic, today: date, policy: KeepingPolicy) -> bool:
    return today <= valid_until(diagnostic, policy)


def expiry_reason(diagnostic: Diagnostic, policy: KeepingPolicy) -> str:
    until = valid_until(diagnostic, policy)
    return (
        f"диагностика от {diagnostic.date:%d.%m.%Y} действительна до {until:%d.%m.%Y} "
        "(000 §1.8): нужна новая диагностика"
    )


def archive_due(route: Route, policy: KeepingPolicy) -> date | None:
    """The day a completed or cancelled route goes to the archive; None for open routes."""
    if route.status not in CLOSED or route.closed_on is None:
        return None
    return add_years(route.closed_on, policy.keep_years)


def purge_due(route: Route, policy: KeepingPolicy) -> date | None:
    """The day an archived route loses its personal data."""
    due = archive_due(route, policy)
    if due is None or route.archived_on is None:
        return None
    return add_years(due, policy.purge_after_years)


def to_archive(route: Route, today: date, policy: KeepingPolicy) -> Route:
    due = archive_due(route, policy)
    if due is None or today < due:
        raise WorkflowError(f"маршрут {route.number}: срок хранения в реестре не истёк")
    if route.archived_on is not None:
        return route
    return replace(route, archived_on=today)


# long: one keep-list constructor call, field by field, so a field added later is dropped by default
def depersonalised(route: Route, today: date, policy: KeepingPolicy) -> Route:
    """The archived route with only what the aggregated reports count.

    Kept: number, status, dates of the route (developed, start, end, closed, archived), the school,
    municipality and staff role (the groups of the reports), the diagnostic's kind, date, levels per
    block and deficit codes, the final levels (dynamics), and per activity its category, level,
    title, dates, targeted codes, LMS course, hours and whether it was done; per correction its date
    and the activities it replaced. Everything else — names, contacts, the teacher's information,
    recommendations, conclusions, results, reasons, notes, grades, signatures, confirmations — is
    dropped. The route is rebuilt from this keep-list, so a field added later is dropped unless it
    is added here on purpose.
    """
    due = purge_due(route, policy)
    if due is None or today < due:
        raise WorkflowError(f"маршрут {route.number}: срок обезличивания не наступил")
    if route.purged_on is not None:
        return route
    t = route.teacher
    d = route.diagnostic
    anonymous = Teacher(
        email=f"purged-{route.number}@invalid",
        last_name=PURGED_NAME,
        first_name="",
        school=t.school,
        municipality=t.municipality,
        staff_role=t.staff_role,
    )
    return Route(
        number=route.number,
        teacher=anonymous,
        diagnostic=Diagnostic(
            anonymous.email,
            d.kind,
            d.date,
            dict(d.levels),
            d.deficit_codes,
            stated_deficit_level=d.stated_deficit_level,
            route_model=d.route_model,
        ),
        status=route.status,
        # the tutor and «Дополнительные сведения» name people; region, year, tasks and stages do not
        details=replace(route.details, additional_info="", tutor_email="", tutor_name=""),
        developed_on=route.developed_on,
        start=route.start,
        end=route.end,
        activities=tuple(_kept_activity(a) for a in route.activities),
        corrections=tuple(
            Correction(at=c.at, reason="", author="", replaced=c.replaced, new=c.new)
            for c in route.corrections
        ),
        final_levels=dict(route.final_levels),
        # the final diagnostic's figures (dynamics, deficits gone) and the actual dates stay for the
        # reports; the product, its file, the reflection and the final events' notes go
        final_diagnostic_on=route.final_diagnostic_on,
        final_kind=route.final_kind,
        final_codes=route.final_codes,
        final_source=route.final_source,
        started_on=route.started_on,
        completed_on=route.completed_on,
        closed_on=route.closed_on,
        archived_on=route.archived_on,
        purged_on=today,
    )


def _kept_activity(a: Activity) -> Activity:
    return Activity(
        key=a.key,
        category=a.category,
        title=a.title,
        level=a.level,
        organiser=a.organiser,
        start=a.start,
        end=a.end,
        deficit_codes=a.deficit_codes,
        lms_course=a.lms_course,
        hours=a.hours,
        done=a.done,
        done_on=a.done_on,
    )
