"""The fourth stage of a route at the domain level: final diagnostics, honest completion, prolonging,
marks and their dates, closing by a correction, failed attestations (issue 8 items 1–3, 6)."""

from dataclasses import replace
from datetime import date, datetime

import pytest

from lms_bridge.domain.completion import completion_gaps
from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.domain.final_stage import apply_final_diagnostic, enter_final_levels, takes_as_final
from lms_bridge.domain.people import SYSTEM, Actor
from lms_bridge.domain.results import FinalEvent
from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import ActivityCategory, Block, DiagnosticKind, Level, Role, RouteStatus
from lms_bridge.domain.workflow import (
    close_activity,
    deadline,
    mark_activity,
    record_failed_attestation,
    transition,
)
from lms_bridge.errors import PermissionDenied, WorkflowError
from tests.conftest import make_diagnostic, make_teacher

TODAY = date(2027, 5, 20)
NOW = datetime(2027, 5, 20, 12, 0)
CURATOR = Actor(Role.CURATOR, "Смирнова О.В.")
TEACHER = Actor(Role.TEACHER, "Иванова М.П.")


def route(status: RouteStatus = RouteStatus.IN_PROGRESS, **kw: object) -> Route:
    base = Route(
        number="74-2026-000001",
        teacher=make_teacher(),
        diagnostic=make_diagnostic(on=date(2026, 9, 15)),  # П1.1, М2.3; subject low, methodical basic
        status=status,
        start=date(2026, 10, 1),
        end=date(2027, 9, 30),
        started_on=date(2026, 10, 2),
        activities=(
            Activity(key="1", category=ActivityCategory.KNOWLEDGE, title="Курс ПК", lms_course="PK-1"),
            Activity(key="2", category=ActivityCategory.EXCHANGE, title="Семинар", start=date(2027, 2, 10)),
        ),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def rediagnostic(on: date, codes: tuple[str, ...] = ("М2.3",)) -> Diagnostic:
    return Diagnostic(
        teacher_email="teacher1@school.ru",
        kind=DiagnosticKind.STANDARDIZED,
        date=on,
        levels={Block.SUBJECT: Level.ADVANCED, Block.METHODICAL: Level.BASIC},
        deficit_codes=codes,
    )


# --- final diagnostics -----------------------------------------------------------------------------
def test_a_rediagnostic_becomes_the_final_diagnostic_with_dynamics_and_deficits_gone() -> None:
    r = route()
    d = rediagnostic(date(2027, 5, 10))
    assert takes_as_final(r, d)
    final = apply_final_diagnostic(r, d)
    assert (final.final_diagnostic_on, final.final_kind, final.final_source) == (
        date(2027, 5, 10),
        DiagnosticKind.STANDARDIZED,
        "import",
    )
    assert final.dynamics() == {Block.SUBJECT: 2, Block.METHODICAL: 0}
    assert final.deficits_gone() == ("П1.1",)
    assert final.final_codes == ("М2.3",)


def test_a_diagnostic_older_than_the_route_start_is_not_final() -> None:
    assert not takes_as_final(route(), rediagnostic(date(2026, 9, 30)))  # started 02.10.2026
    assert takes_as_final(route(), rediagnostic(date(2026, 10, 2)))


@pytest.mark.parametrize(
    "status", [s for s in RouteStatus if s not in (RouteStatus.IN_PROGRESS, RouteStatus.PROLONGED)]
)
def test_only_a_route_being_implemented_takes_a_final_diagnostic(status: RouteStatus) -> None:
    assert not takes_as_final(route(status), rediagnostic(date(2027, 5, 10)))
    assert takes_as_final(route(RouteStatus.PROLONGED), rediagnostic(date(2027, 5, 10)))


def test_a_later_rediagnostic_replaces_an_earlier_one_but_not_the_reverse() -> None:
    taken = apply_final_diagnostic(route(), rediagnostic(date(2027, 5, 10)))
    assert takes_as_final(taken, rediagnostic(date(2027, 6, 1)))
    assert not takes_as_final(taken, rediagnostic(date(2027, 4, 1)))


def test_curator_enters_final_levels_by_hand_only_without_an_import() -> None:
    by_hand = enter_final_levels(route(), CURATOR, levels={Block.SUBJECT: Level.BASIC}, on=TODAY)
    assert (by_hand.final_source, by_hand.final_kind, by_hand.deficits_gone()) == (
        "curator",
        DiagnosticKind.EXPERT,
        None,  # no codes entered: which deficits are gone is not claimed
    )
    imported = apply_final_diagnostic(route(), rediagnostic(date(2027, 5, 10)))
    with pytest.raises(WorkflowError, match="уже загружена"):
        enter_final_levels(imported, CURATOR, levels={Block.SUBJECT: Level.BASIC}, on=TODAY)
    with pytest.raises(WorkflowError, match="раньше начала"):
        enter_final_levels(route(), CURATOR, levels={Block.SUBJECT: Level.BASIC}, on=date(2026, 9, 1))
    with pytest.raises(PermissionDenied):
        enter_final_levels(route(), TEACHER, levels={Block.SUBJECT: Level.BASIC}, on=TODAY)


# --- completion ------------------------------------------------------------------------------------
def test_completion_refusal_names_every_missing_thing_at_once() -> None:
    with pytest.raises(WorkflowError) as refused:
        transition(route(), "complete", CURATOR, TODAY)
    text = str(refused.value)
    assert "не хватает (5)" in text
    for missing in (
        "мероприятие 1 «Курс ПК»: нет результата итоговой аттестации в СДО",
        "мероприятие 2 «Семинар»: не выполнено",
        "итоговое публичное мероприятие не проведено",
        "нет итоговой диагностики",
        "не написаны выводы куратора",
    ):
        assert missing in text


def complete_ready() -> Route:
    r = route()
    r = mark_activity(r, "1", SYSTEM, date(2026, 12, 1), grade=80, pass_grade=60)
    r = mark_activity(r, "2", TEACHER, date(2027, 2, 10), today=TODAY)
    r = apply_final_diagnostic(r, rediagnostic(date(2027, 5, 10)))
    held = FinalEvent("1", "открытый урок", "Урок", confirmed=True, held_on=TODAY, held_confirmed=True)
    return replace(r, final_events=(held,), conclusion="ИОМ пройден успешно")


def test_a_route_with_everything_done_completes_and_records_the_date() -> None:
    r = complete_ready()
    assert completion_gaps(r) == []
    done = transition(r, "complete", CURATOR, TODAY)
    assert (done.status, done.completed_on) == (RouteStatus.COMPLETED, TODAY)


def test_a_formal_course_marked_by_a_person_does_not_count() -> None:
    r = complete_ready()
    legacy = replace(r.activity("1"), result_source="curator")  # stored before the rule existed
    gaps = completion_gaps(r.with_activity(legacy))
    assert gaps == [
        "мероприятие 1 «Курс ПК»: нет результата итоговой аттестации в СДО (или закройте его корректировкой)"
    ]


def test_an_unconfirmed_or_unheld_event_does_not_count() -> None:
    r = complete_ready()
    reported = replace(r.final_events[0], held_confirmed=False)
    planned = replace(r.final_events[0], held_on=None, held_confirmed=False)
    for event in (reported, planned):
        assert completion_gaps(replace(r, final_events=(event,))) == [
            "итоговое публичное мероприятие не проведено (нужно хотя бы одно, подтверждённое куратором)"
        ]


def test_a_reason_alone_does_not_close_an_activity_a_correction_does() -> None:
    r = complete_ready()
    r = r.with_activity(replace(r.activity("2"), done=False, done_on=None, not_done_reason="болезнь"))
    assert completion_gaps(r) == [
        "мероприятие 2 «Семинар»: не выполнено: болезнь; причина не принята корректировкой"
    ]
    closed = close_activity(r, "2", CURATOR, NOW, reason="семинар отменён организатором")
    assert completion_gaps(closed) == []
    a = closed.activity("2")
    assert (a.closed, a.not_done_reason) == (True, "болезнь")  # the teacher's reason stays on the card
    assert a.mark_label == "закрыто корректировкой: болезнь"
    (line,) = closed.corrections
    assert (line.reason, line.replaced, line.new) == (
        "семинар отменён организатором",
        "Семинар",
        "закрыто без выполнения",
    )


def test_closing_needs_the_curator_and_a_reason() -> None:
    with pytest.raises(PermissionDenied):
        close_activity(route(), "1", TEACHER, NOW, reason="x")
    with pytest.raises(WorkflowError, match="причины"):
        close_activity(route(), "1", CURATOR, NOW, reason=" ")


def test_prolong_stays_possible_when_results_are_insufficient() -> None:
    moved = transition(route(), "prolong", CURATOR, TODAY, new_end=date(2028, 3, 31))
    assert moved.status is RouteStatus.PROLONGED


# --- failed attestation ----------------------------------------------------------------------------
def test_a_failed_attestation_is_shown_with_grade_and_pass_mark() -> None:
    r = record_failed_attestation(route(), "1", 42, 60)
    a = r.activity("1")
    assert not a.done
    assert a.mark_label == "не выполнено: итоговая аттестация не пройдена (оценка 42 при проходном 60)"
    gap = completion_gaps(r)[0]
    assert "итоговая аттестация не пройдена (оценка 42 при проходном 60)" in gap
    passed = mark_activity(r, "1", SYSTEM, TODAY, grade=75, pass_grade=60).activity("1")
    assert passed.done
    assert passed.mark_label == f"выполнено {TODAY:%d.%m.%Y}"


# --- prolonging ------------------------------------------------------------------------------------
def test_prolonging_moves_the_end_and_the_deadline() -> None:
    r = route()
    assert deadline(r) == date(2027, 9, 30)
    moved = transition(r, "prolong", CURATOR, TODAY, new_end=date(2028, 3, 31))
    assert (moved.end, deadline(moved)) == (date(2028, 3, 31), date(2028, 3, 31))


def test_prolonging_needs_a_later_end_within_the_allowed_length() -> None:
    with pytest.raises(WorkflowError, match="новой даты"):
        transition(route(), "prolong", CURATOR, TODAY)
    with pytest.raises(WorkflowError, match="позже нынешней"):
        transition(route(), "prolong", CURATOR, TODAY, new_end=date(2027, 9, 1))
    with pytest.raises(WorkflowError, match="не более 24 мес"):
        transition(
            route(), "prolong", CURATOR, TODAY, new_end=date(2028, 10, 2)
        )  # start 01.10.2026 + 2 years
    assert transition(route(), "prolong", CURATOR, TODAY, new_end=date(2028, 10, 1)).end == date(2028, 10, 1)


# --- dates -----------------------------------------------------------------------------------------
def test_start_records_the_actual_start() -> None:
    approved = route(RouteStatus.APPROVED, started_on=None)
    started = transition(approved, "start", CURATOR, date(2026, 10, 5))
    assert (started.started_on, started.start) == (date(2026, 10, 5), date(2026, 10, 1))  # plan kept


def test_marks_carry_the_day_done_never_in_the_future_nor_before_the_start() -> None:
    marked = mark_activity(route(), "2", TEACHER, date(2027, 2, 10), today=TODAY)
    assert marked.activity("2").done_on == date(2027, 2, 10)
    with pytest.raises(WorkflowError, match="ещё не наступила"):
        mark_activity(route(), "2", TEACHER, date(2027, 5, 21), today=TODAY)
    with pytest.raises(WorkflowError, match="раньше начала мероприятия"):
        mark_activity(route(), "2", TEACHER, date(2027, 2, 9), today=TODAY)
    undated = route(
        activities=(Activity(key="3", category=ActivityCategory.MENTORING, title="Наставничество"),)
    )
    with pytest.raises(WorkflowError, match=r"раньше начала .*02\.10\.2026"):  # the route's actual start
        mark_activity(undated, "3", CURATOR, date(2026, 10, 1), today=TODAY)
