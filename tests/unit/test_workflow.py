from dataclasses import replace
from datetime import date, datetime

import pytest

from lms_bridge.domain.final_stage import write_conclusion
from lms_bridge.domain.people import Actor
from lms_bridge.domain.results import FinalEvent
from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import ActivityCategory, Block, Level, Role, RouteStatus
from lms_bridge.domain.workflow import (
    TRANSITIONS,
    WorkflowPolicy,
    allowed_actions,
    change_activity,
    deadline,
    is_overdue,
    mark_activity,
    may,
    transition,
)
from lms_bridge.errors import PermissionDenied, WorkflowError
from tests.conftest import make_diagnostic, make_teacher

TODAY = date(2026, 10, 1)
NOW = datetime(2026, 10, 1, 12, 0)

# The permission table as the seeds give it (domain.md, «Who uses it»), written out independently
# of workflow.TRANSITIONS so that a change there has to be a conscious one.
# 003 §4.3.7–4.3.8: after the agreement the developer finalises (formats and registers) the route;
# the head of school approves the finalised route (§4.3.10). The old chain agreement → approve is gone.
EXPECTED_ROLES = {
    "submit": {Role.DEVELOPER, Role.ADMIN},
    "return": {Role.TEACHER, Role.CURATOR, Role.HEAD, Role.DEVELOPER, Role.ADMIN},  # per state below
    "finalise": {Role.DEVELOPER, Role.ADMIN},
    "approve": {Role.HEAD, Role.ADMIN},
    "start": {Role.CURATOR, Role.CENTRE, Role.ADMIN, Role.SYSTEM},
    "complete": {Role.CURATOR, Role.CENTRE, Role.ADMIN},
    "prolong": {Role.CURATOR, Role.CENTRE, Role.ADMIN},
    "resume": {Role.CURATOR, Role.CENTRE, Role.ADMIN},
    "cancel": {Role.DEVELOPER, Role.CENTRE, Role.ADMIN},
}
EXPECTED_MOVES = {
    "submit": ({RouteStatus.DRAFT}, RouteStatus.AGREEMENT),
    "return": (
        {RouteStatus.AGREEMENT, RouteStatus.FINALISED, RouteStatus.CENTRE_AGREED},
        RouteStatus.DRAFT,
    ),
    "finalise": ({RouteStatus.AGREEMENT}, RouteStatus.FINALISED),
    "approve": ({RouteStatus.FINALISED}, RouteStatus.APPROVED),
    "start": ({RouteStatus.APPROVED}, RouteStatus.IN_PROGRESS),
    "complete": ({RouteStatus.IN_PROGRESS, RouteStatus.PROLONGED}, RouteStatus.COMPLETED),
    "prolong": ({RouteStatus.IN_PROGRESS}, RouteStatus.PROLONGED),
    "resume": ({RouteStatus.PROLONGED}, RouteStatus.IN_PROGRESS),
    "cancel": (
        {
            RouteStatus.DRAFT,
            RouteStatus.AGREEMENT,
            RouteStatus.FINALISED,
            RouteStatus.CENTRE_AGREED,
            RouteStatus.APPROVED,
            RouteStatus.IN_PROGRESS,
            RouteStatus.PROLONGED,
        },
        RouteStatus.CANCELLED,
    ),
}


# Who returns a route to the developer, state by state (003 §4.3.6–4.3.10, 004 §2): in agreement the
# people who correct it; once finalised only the next decider (head of school, or the ЦНППМ head where
# 004 applies) and the developer; after approval nobody (changes are corrections).
_AGREEMENT = {Role.TEACHER, Role.CURATOR, Role.HEAD, Role.DEVELOPER, Role.ADMIN}
EXPECTED_RETURNERS = {
    False: {
        RouteStatus.AGREEMENT: _AGREEMENT,
        RouteStatus.FINALISED: {Role.HEAD, Role.DEVELOPER, Role.ADMIN},
        RouteStatus.CENTRE_AGREED: {Role.HEAD, Role.DEVELOPER, Role.ADMIN},
    },
    True: {
        RouteStatus.AGREEMENT: _AGREEMENT,
        RouteStatus.FINALISED: {Role.CENTRE_HEAD, Role.DEVELOPER, Role.ADMIN},
        RouteStatus.CENTRE_AGREED: {Role.HEAD, Role.DEVELOPER, Role.ADMIN},
    },
}


def route(status: RouteStatus = RouteStatus.DRAFT, **kw: object) -> Route:
    base = Route(
        number="74-2026-000001",
        teacher=make_teacher(),
        diagnostic=make_diagnostic(),
        status=status,
        activities=(
            Activity(key="1", category=ActivityCategory.KNOWLEDGE, title="Курс ПК", lms_course="PK-1"),
            Activity(key="2", category=ActivityCategory.EXCHANGE, title="Семинар"),
        ),
        conclusion="Дефициты устранены",
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def test_table_matches_the_regulations() -> None:
    assert {a: set(t.roles) for a, t in TRANSITIONS.items()} == EXPECTED_ROLES
    assert {a: (set(t.sources), t.target) for a, t in TRANSITIONS.items()} == EXPECTED_MOVES


CASES = [(action, role, status) for action in EXPECTED_ROLES for role in Role for status in RouteStatus]


def ready(status: RouteStatus) -> Route:
    """A route with everything completion needs (every transition's preconditions hold)."""
    r = route(status, start=date(2026, 1, 12), end=date(2026, 12, 12))
    done = tuple(replace(a, done=True, done_on=TODAY, result_source="lms") for a in r.activities)
    held = FinalEvent("1", "открытый урок", "Урок", confirmed=True, held_on=TODAY, held_confirmed=True)
    return replace(
        r,
        activities=done,
        final_events=(held,),
        final_levels={Block.SUBJECT: Level.BASIC},
        final_diagnostic_on=TODAY,
    )


@pytest.mark.parametrize(("action", "role", "status"), CASES, ids=[f"{a}-{r}-{s}" for a, r, s in CASES])
def test_every_transition_for_every_role_and_state(action: str, role: Role, status: RouteStatus) -> None:
    actor = Actor(role, "Петрова А.А.")
    sources, target = EXPECTED_MOVES[action]
    end = date(2027, 6, 1)
    in_state = EXPECTED_RETURNERS[False].get(status, set()) if action == "return" else EXPECTED_ROLES[action]
    if role not in EXPECTED_ROLES[action]:
        with pytest.raises(PermissionDenied):
            transition(ready(status), action, actor, TODAY, new_end=end)
    elif status not in sources:
        with pytest.raises(WorkflowError):
            transition(ready(status), action, actor, TODAY, new_end=end)
    elif role not in in_state:
        with pytest.raises(PermissionDenied, match=f"в статусе «{status.label}»: "):
            transition(ready(status), action, actor, TODAY, new_end=end)
    else:
        assert transition(ready(status), action, actor, TODAY, new_end=end).status is target
    allowed = role in EXPECTED_ROLES[action] and status in sources and role in in_state
    assert (action in [t.action for t in allowed_actions(ready(status), role)]) is allowed


RETURN_CASES = [(centre, role, status) for centre in (False, True) for role in Role for status in RouteStatus]


@pytest.mark.parametrize(
    ("centre", "role", "status"), RETURN_CASES, ids=[f"centre={c}-{r}-{s}" for c, r, s in RETURN_CASES]
)
def test_who_returns_a_route_to_draft_in_each_state(centre: bool, role: Role, status: RouteStatus) -> None:
    """A teacher (or a curator) cannot send a finalised, agreed or approved route back to draft."""
    policy = WorkflowPolicy(centre_agreement=centre)
    allowed = role in EXPECTED_RETURNERS[centre].get(status, set())
    assert may(ready(status), role, "return", policy) is allowed
    if allowed:
        back = transition(ready(status), "return", Actor(role, "П"), TODAY, policy)
        assert back.status is RouteStatus.DRAFT
    else:
        with pytest.raises((PermissionDenied, WorkflowError)):
            transition(ready(status), "return", Actor(role, "П"), TODAY, policy)


def test_a_teacher_cannot_return_a_finalised_route() -> None:
    finalised = route(RouteStatus.FINALISED)
    refusal = "в статусе «оформлен разработчиком»: вернуть на доработку могут"
    with pytest.raises(PermissionDenied, match=refusal):
        transition(finalised, "return", Actor(Role.TEACHER, "Иванова М.П."), TODAY)
    assert "return" not in [t.action for t in allowed_actions(finalised, Role.TEACHER)]
    back = transition(route(RouteStatus.AGREEMENT), "return", Actor(Role.TEACHER, "Иванова М.П."), TODAY)
    assert back.status is RouteStatus.DRAFT  # in agreement the teacher still may (003 §4.3.6)


def test_approve_records_who_and_when() -> None:
    moved = transition(route(RouteStatus.FINALISED), "approve", Actor(Role.HEAD, "Петрова А.А."), TODAY)
    assert (moved.approved_by, moved.approved_on) == ("Петрова А.А.", TODAY)


def test_complete_needs_conclusions() -> None:
    with pytest.raises(WorkflowError, match="выводы"):
        transition(route(RouteStatus.IN_PROGRESS, conclusion=""), "complete", Actor(Role.CURATOR, "К"), TODAY)


def test_unknown_action() -> None:
    with pytest.raises(WorkflowError, match="неизвестное"):
        transition(route(), "fly", Actor(Role.ADMIN, "A"), TODAY)


def test_correction_after_approval_needs_reason_and_is_logged() -> None:
    curator = Actor(Role.CURATOR, "Смирнов И.И.")
    r = route(RouteStatus.IN_PROGRESS)
    new = Activity(key="3", category=ActivityCategory.EXCHANGE, title="Вебинар по ФГОС")
    with pytest.raises(WorkflowError, match="причину"):
        change_activity(r, curator, NOW, new=new, replaces="2")
    fixed = change_activity(r, curator, NOW, new=new, replaces="2", reason="семинар отменён")
    assert [a.title for a in fixed.activities] == ["Курс ПК", "Вебинар по ФГОС"]
    (line,) = fixed.corrections
    assert (line.reason, line.replaced, line.new, line.at) == (
        "семинар отменён",
        "Семинар",
        "Вебинар по ФГОС",
        NOW,
    )
    assert "Смирнов" in line.author


def test_draft_edits_are_not_corrections_and_only_for_developers() -> None:
    r = route(RouteStatus.DRAFT)
    new = Activity(key="3", category=ActivityCategory.MENTORING, title="Наставничество")
    edited = change_activity(r, Actor(Role.DEVELOPER, "Р"), NOW, new=new)
    assert len(edited.activities) == 3
    assert edited.corrections == ()
    with pytest.raises(PermissionDenied):
        change_activity(r, Actor(Role.TEACHER, "T"), NOW, new=new)


def test_finished_route_is_frozen() -> None:
    with pytest.raises(WorkflowError):
        change_activity(
            route(RouteStatus.COMPLETED), Actor(Role.ADMIN, "A"), NOW, new=None, replaces="2", reason="x"
        )


def test_nobody_marks_a_formal_course_by_hand() -> None:
    for role in (Role.TEACHER, Role.CURATOR, Role.ADMIN):
        with pytest.raises(PermissionDenied, match="итоговой аттестации в СДО"):
            mark_activity(route(RouteStatus.IN_PROGRESS), "1", Actor(role, "X"), TODAY)
    by_lms = mark_activity(route(RouteStatus.IN_PROGRESS), "1", Actor(Role.SYSTEM, "lms-bridge"), TODAY)
    assert by_lms.activity("1").result_source == "lms"


def test_teacher_marks_only_non_formal_activities() -> None:
    teacher = Actor(Role.TEACHER, "Иванова М.П.")
    r = route(RouteStatus.IN_PROGRESS)
    marked = mark_activity(r, "2", teacher, TODAY, result="выступление", result_form="доклад")
    a = marked.activity("2")
    assert (a.done, a.done_on, a.result_source, a.result_form) == (True, TODAY, "teacher", "доклад")
    with pytest.raises(PermissionDenied):
        mark_activity(r, "1", teacher, TODAY)


def test_not_done_needs_reason() -> None:
    with pytest.raises(WorkflowError, match="причину"):
        mark_activity(route(RouteStatus.IN_PROGRESS), "2", Actor(Role.CURATOR, "К"), TODAY, done=False)


def test_head_cannot_mark() -> None:
    with pytest.raises(PermissionDenied):
        mark_activity(route(RouteStatus.IN_PROGRESS), "2", Actor(Role.HEAD, "Г"), TODAY)


def test_conclusion_by_curator_gives_dynamics() -> None:
    r = write_conclusion(  # final levels typed by hand: no re-diagnostic was imported
        route(RouteStatus.IN_PROGRESS),
        Actor(Role.CURATOR, "К"),
        final_levels={Block.SUBJECT: Level.ADVANCED, Block.METHODICAL: Level.BASIC},
        conclusion="успешно",
        on=TODAY,
    )
    assert r.dynamics() == {Block.SUBJECT: 2, Block.METHODICAL: 0}
    assert r.final_source == "curator"
    with pytest.raises(PermissionDenied):
        write_conclusion(r, Actor(Role.HEAD, "Г"), final_levels={}, conclusion="x", on=TODAY)


def test_draft_deadline_is_ten_working_days_after_diagnostic() -> None:
    # diagnostic Fri 2025-10-24; +10 working days: 27–31 Oct, Sat 1 Nov (working), 5–7 Nov, 10 Nov
    r = route(RouteStatus.DRAFT, diagnostic=make_diagnostic(on=date(2025, 10, 24)))
    assert deadline(r) == date(2025, 11, 10)
    assert not is_overdue(r, date(2025, 11, 10))
    assert is_overdue(r, date(2025, 11, 11))


def test_agreement_deadline_is_five_working_days_after_submission() -> None:
    r = route(RouteStatus.AGREEMENT, submitted_on=date(2025, 12, 29))
    assert deadline(r) == date(2026, 1, 15)  # 30 Dec, then 12, 13, 14, 15 Jan
    assert deadline(route(RouteStatus.APPROVED)) is None


# --- finalisation and the ЦНППМ head's agreement (003 §4.3.7–4.3.10, 004 §2) ----------------------
CENTRE = WorkflowPolicy(centre_agreement=True)


def test_head_cannot_approve_before_the_developer_finalises() -> None:
    with pytest.raises(WorkflowError, match="сначала разработчик оформляет"):
        transition(route(RouteStatus.AGREEMENT), "approve", Actor(Role.HEAD, "П"), TODAY)
    done = transition(route(RouteStatus.AGREEMENT), "finalise", Actor(Role.DEVELOPER, "Р"), TODAY)
    assert done.status is RouteStatus.FINALISED
    assert transition(done, "approve", Actor(Role.HEAD, "П"), TODAY).status is RouteStatus.APPROVED


def test_without_the_setting_there_is_no_centre_agreement() -> None:
    with pytest.raises(WorkflowError, match="не предусмотрено"):
        transition(route(RouteStatus.FINALISED), "agree", Actor(Role.CENTRE_HEAD, "Д"), TODAY)
    assert "agree" not in [t.action for t in allowed_actions(route(RouteStatus.FINALISED), Role.ADMIN)]


def test_with_the_setting_the_centre_head_agrees_before_the_head_approves() -> None:
    head, centre_head = Actor(Role.HEAD, "П"), Actor(Role.CENTRE_HEAD, "Директор Д.Д.")
    finalised = route(RouteStatus.FINALISED)
    with pytest.raises(WorkflowError, match="согласует руководитель ЦНППМ"):
        transition(finalised, "approve", head, TODAY, CENTRE)
    with pytest.raises(PermissionDenied):
        transition(finalised, "agree", head, TODAY, CENTRE)
    agreed = transition(finalised, "agree", centre_head, TODAY, CENTRE)
    assert agreed.status is RouteStatus.CENTRE_AGREED
    assert [t.action for t in allowed_actions(agreed, Role.HEAD, CENTRE)] == ["return", "approve"]
    assert transition(agreed, "approve", head, TODAY, CENTRE).status is RouteStatus.APPROVED


def test_only_the_developer_edits_the_finalised_route_and_nobody_the_agreed_one() -> None:
    new = Activity(key="3", category=ActivityCategory.MENTORING, title="Наставничество")
    edited = change_activity(route(RouteStatus.FINALISED), Actor(Role.DEVELOPER, "Р"), NOW, new=new)
    assert len(edited.activities) == 3
    assert edited.corrections == ()
    with pytest.raises(PermissionDenied):
        change_activity(route(RouteStatus.FINALISED), Actor(Role.CURATOR, "К"), NOW, new=new)
    with pytest.raises(WorkflowError, match="не изменяется"):
        change_activity(route(RouteStatus.CENTRE_AGREED), Actor(Role.DEVELOPER, "Р"), NOW, new=new)


def test_completion_and_cancellation_record_the_closing_day() -> None:
    done = transition(ready(RouteStatus.IN_PROGRESS), "complete", Actor(Role.CURATOR, "К"), TODAY)
    cancelled = transition(route(RouteStatus.DRAFT), "cancel", Actor(Role.CENTRE, "Ц"), TODAY)
    assert done.closed_on == TODAY
    assert cancelled.closed_on == TODAY
    assert transition(route(RouteStatus.DRAFT), "submit", Actor(Role.DEVELOPER, "Р"), TODAY).closed_on is None


def test_an_archived_route_takes_no_action() -> None:
    archived = route(RouteStatus.COMPLETED, archived_on=TODAY)
    assert allowed_actions(archived, Role.ADMIN) == []
    with pytest.raises(WorkflowError, match="в архиве"):
        transition(archived, "cancel", Actor(Role.ADMIN, "A"), TODAY)
