"""Validity of diagnostics (000 §1.8) and keeping of finished routes (003 §4.5.4): the pure rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from lms_bridge.domain.keeping import (
    KeepingPolicy,
    add_years,
    archive_due,
    depersonalised,
    is_current,
    purge_due,
    to_archive,
    valid_until,
)
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import Role, RouteStatus, SignatureParty
from lms_bridge.domain.workflow import transition
from lms_bridge.errors import WorkflowError
from lms_bridge.exporters.docx_card import route_card_docx
from lms_bridge.exporters.xml_card import route_to_xml
from lms_bridge.exporters.xml_card_reader import route_from_xml
from lms_bridge.services.build import split_current
from tests.conftest import make_diagnostic, make_teacher
from tests.exporters.sample import ISSUER, full_route

POLICY = KeepingPolicy(validity_years=1, keep_years=1, purge_after_years=5)


def test_a_diagnostic_is_valid_to_the_end_of_the_next_calendar_year() -> None:
    old = make_diagnostic(on=date(2023, 1, 10))
    assert valid_until(old, POLICY) == date(2024, 12, 31)
    assert is_current(old, date(2024, 12, 31), POLICY)
    assert not is_current(old, date(2025, 1, 1), POLICY)
    assert not is_current(old, date(2026, 12, 2), POLICY)  # the review's case: no route in Dec 2026
    assert valid_until(old, KeepingPolicy(validity_years=0)) == date(2023, 12, 31)


def test_expired_diagnostics_are_skipped_with_a_russian_reason() -> None:
    fresh = (make_teacher(1), make_diagnostic(1, on=date(2026, 11, 1)))
    stale = (make_teacher(2), make_diagnostic(2, on=date(2023, 1, 10)))
    current, skipped = split_current([fresh, stale], date(2026, 12, 2), POLICY)
    assert current == [fresh]
    (k,) = skipped
    assert (k.email, k.teacher, k.diagnostic_on) == (
        "teacher2@school.ru",
        "Иванова2 Мария Петровна",
        date(2023, 1, 10),
    )
    assert k.reason == (
        "диагностика от 10.01.2023 действительна до 31.12.2024 (000 §1.8): нужна новая диагностика"
    )


def test_add_years_keeps_the_day_and_moves_29_february() -> None:
    assert add_years(date(2026, 3, 15), 1) == date(2027, 3, 15)
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)


def test_a_finished_route_is_archived_one_year_after_it_closed() -> None:
    route = replace(full_route(), status=RouteStatus.COMPLETED, closed_on=date(2027, 9, 3))
    assert archive_due(route, POLICY) == date(2028, 9, 3)
    with pytest.raises(WorkflowError, match="не истёк"):
        to_archive(route, date(2028, 9, 2), POLICY)
    archived = to_archive(route, date(2028, 9, 3), POLICY)
    assert archived.archived_on == date(2028, 9, 3)
    assert to_archive(archived, date(2028, 10, 1), POLICY) == archived  # idempotent: the first date stays


def test_open_routes_are_never_archived() -> None:
    for status in (RouteStatus.DRAFT, RouteStatus.IN_PROGRESS, RouteStatus.PROLONGED):
        route = replace(full_route(), status=status, closed_on=None)
        assert archive_due(route, POLICY) is None
        with pytest.raises(WorkflowError):
            to_archive(route, date(2040, 1, 1), POLICY)


def test_a_cancelled_route_is_kept_from_its_cancellation() -> None:
    route = replace(full_route(), status=RouteStatus.APPROVED, closed_on=None)
    cancelled = transition(route, "cancel", Actor(Role.CENTRE, "Ц"), date(2026, 10, 5))
    assert archive_due(cancelled, POLICY) == date(2027, 10, 5)


def _archived() -> Route:
    route = replace(full_route(), status=RouteStatus.COMPLETED, closed_on=date(2027, 9, 3))
    return to_archive(route, date(2028, 9, 3), POLICY)


def test_depersonalising_waits_for_the_further_period() -> None:
    archived = _archived()
    assert purge_due(archived, POLICY) == date(2033, 9, 3)
    with pytest.raises(WorkflowError, match="не наступил"):
        depersonalised(archived, date(2033, 9, 2), POLICY)
    not_archived = replace(full_route(), status=RouteStatus.COMPLETED, closed_on=date(2020, 1, 1))
    assert purge_due(not_archived, POLICY) is None  # only what is in the archive


def test_depersonalised_route_keeps_the_aggregated_figures_only() -> None:
    archived = _archived()
    kept = depersonalised(archived, date(2033, 9, 3), POLICY)
    original = full_route()
    # what reports count stays
    assert (kept.number, kept.status, kept.start, kept.end) == (
        original.number,
        RouteStatus.COMPLETED,
        original.start,
        original.end,
    )
    assert (kept.teacher.school, kept.teacher.municipality) == (
        original.teacher.school,
        original.teacher.municipality,
    )
    assert kept.diagnostic.levels == original.diagnostic.levels
    assert kept.diagnostic.deficit_codes == original.diagnostic.deficit_codes
    assert kept.final_levels == original.final_levels
    assert kept.dynamics() == original.dynamics()
    assert kept.progress() == original.progress()
    assert [a.title for a in kept.activities] == [a.title for a in original.activities]
    assert kept.purged_on == date(2033, 9, 3)
    # nothing personal is left anywhere in the route
    text = repr(kept)
    for personal in (
        original.teacher.email,
        original.teacher.last_name,
        original.teacher.phone or "+7",
        original.curator_name,
        original.conclusion,
        original.approved_by,
        original.diagnostic.recommendations or "Рекомендации",
        original.corrections[0].reason,
        original.corrections[0].author,
        "Иванова Мария Петровна",  # the signatures
    ):
        assert personal not in text, personal
    assert kept.conclusion_signatures == ()
    assert kept.corrections[0].signature(SignatureParty.TEACHER) is None
    assert all(a.grade is None and not a.result and not a.curator_note for a in kept.activities)
    assert depersonalised(kept, date(2040, 1, 1), POLICY) == kept  # idempotent


def test_a_depersonalised_card_still_exports() -> None:
    kept = depersonalised(_archived(), date(2033, 9, 3), POLICY)
    assert route_from_xml(route_to_xml(kept)) == kept  # valid against the schema, nothing lost
    assert route_card_docx(kept, ISSUER)[:2] == b"PK"
