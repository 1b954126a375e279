"""Final public events, the educational product, the reflection and product uploads (issue 8 items 4–5)."""

from dataclasses import replace
from datetime import date

import pytest

from lms_bridge.domain.final_events import (
    EventDraft,
    add_event,
    confirm_event,
    edit_event,
    mark_held,
    remove_event,
)
from lms_bridge.domain.final_stage import set_product, set_reflection
from lms_bridge.domain.people import Actor
from lms_bridge.domain.results import Product, Reflection
from lms_bridge.domain.route import Route
from lms_bridge.domain.uploads import check_upload
from lms_bridge.domain.vocabulary import ActivityLevel, ProductKind, Role, RouteStatus
from lms_bridge.errors import PermissionDenied, ValidationError, WorkflowError
from tests.conftest import make_diagnostic, make_teacher

TODAY = date(2027, 5, 20)
CURATOR = Actor(Role.CURATOR, "Смирнова О.В.")
TEACHER = Actor(Role.TEACHER, "Иванова М.П.")
HEAD = Actor(Role.HEAD, "Петрова А.А.")
LESSON = EventDraft(
    "открытый урок", "Задачи с параметром", ActivityLevel.SCHOOL, date(2027, 5, 15), date(2027, 5, 15)
)


def route(status: RouteStatus = RouteStatus.IN_PROGRESS) -> Route:
    return Route(
        number="74-2026-000001",
        teacher=make_teacher(),
        diagnostic=make_diagnostic(),
        status=status,
        start=date(2026, 10, 1),
        end=date(2027, 9, 30),
    )


def test_several_events_teacher_proposes_curator_plans() -> None:
    r = add_event(route(), TEACHER, LESSON)
    r = add_event(r, CURATOR, EventDraft("мастер-класс", "Параметры", ActivityLevel.MUNICIPAL))
    proposed, planned = r.final_events
    assert (proposed.key, proposed.confirmed, proposed.proposed_by) == ("1", False, "Иванова М.П. (педагог)")
    assert (planned.key, planned.confirmed) == ("2", True)
    assert proposed.state_label == "предложено педагогом (ждёт подтверждения куратора)"
    assert confirm_event(r, CURATOR, "1").get_final_event("1").confirmed


def test_teacher_reports_held_curator_confirms_only_then_it_counts() -> None:
    r = add_event(route(), TEACHER, LESSON)
    r = mark_held(r, TEACHER, "1", on=date(2027, 5, 15), today=TODAY, link="https://school.ru/lesson")
    e = r.get_final_event("1")
    assert (e.held_on, e.held, e.link) == (date(2027, 5, 15), False, "https://school.ru/lesson")
    assert "ждёт подтверждения" in e.state_label
    with pytest.raises(PermissionDenied):
        confirm_event(r, TEACHER, "1")
    confirmed = confirm_event(r, CURATOR, "1").get_final_event("1")
    assert confirmed.held
    assert confirmed.confirmed
    assert confirmed.state_label == "проведено 15.05.2027"


def test_curator_marks_held_directly_with_a_note() -> None:
    r = add_event(route(), CURATOR, LESSON)
    r = mark_held(r, CURATOR, "1", on=TODAY, today=TODAY, note="присутствовали 12 учителей МО")
    assert r.get_final_event("1").held
    with pytest.raises(WorkflowError, match="уже подтверждено"):
        mark_held(r, CURATOR, "1", on=TODAY, today=TODAY, note="x")


def test_held_needs_a_past_date_after_the_start_and_a_link_or_note() -> None:
    r = add_event(route(), CURATOR, LESSON)
    with pytest.raises(WorkflowError, match="ещё не наступила"):
        mark_held(r, CURATOR, "1", on=date(2027, 5, 21), today=TODAY, note="x")
    with pytest.raises(WorkflowError, match="раньше начала маршрута"):
        mark_held(r, CURATOR, "1", on=date(2026, 9, 30), today=TODAY, note="x")
    with pytest.raises(WorkflowError, match="ссылку"):
        mark_held(r, CURATOR, "1", on=TODAY, today=TODAY)
    with pytest.raises(WorkflowError, match="отметки не ставятся"):
        mark_held(
            add_event(route(RouteStatus.APPROVED), CURATOR, LESSON),
            CURATOR,
            "1",
            on=TODAY,
            today=TODAY,
            note="x",
        )


def test_edit_and_remove_before_held_only() -> None:
    r = add_event(route(), CURATOR, LESSON)
    moved = edit_event(r, CURATOR, "1", replace(LESSON, start=date(2027, 6, 1), end=date(2027, 6, 1)))
    assert moved.get_final_event("1").start == date(2027, 6, 1)
    assert remove_event(moved, CURATOR, "1").final_events == ()
    held = mark_held(r, CURATOR, "1", on=TODAY, today=TODAY, note="x")
    for change in (lambda: edit_event(held, CURATOR, "1", LESSON), lambda: remove_event(held, CURATOR, "1")):
        with pytest.raises(WorkflowError, match="уже проведено"):
            change()


def test_teacher_changes_only_own_unconfirmed_proposals() -> None:
    r = add_event(route(), CURATOR, LESSON)
    with pytest.raises(PermissionDenied):
        remove_event(r, TEACHER, "1")
    mine = add_event(route(), TEACHER, LESSON)
    assert remove_event(mine, TEACHER, "1").final_events == ()


def test_event_fields_are_checked_and_head_does_not_plan() -> None:
    with pytest.raises(WorkflowError, match="форму"):
        add_event(route(), CURATOR, replace(LESSON, form=" "))
    with pytest.raises(WorkflowError, match="раньше начала"):
        add_event(route(), CURATOR, replace(LESSON, end=date(2027, 5, 1)))
    with pytest.raises(PermissionDenied):
        add_event(route(), HEAD, LESSON)
    with pytest.raises(WorkflowError):
        add_event(route(RouteStatus.COMPLETED), CURATOR, LESSON)


PRODUCT = Product(ProductKind.METHODICAL, "Сборник задач", link="https://school.ru/p")


def test_product_is_entered_by_the_teacher_with_a_link_or_file() -> None:
    r = set_product(route(), TEACHER, PRODUCT)
    assert r.product == PRODUCT
    assert r.product.kind.label == "методическая разработка"
    with pytest.raises(PermissionDenied):
        set_product(route(), CURATOR, PRODUCT)
    with pytest.raises(WorkflowError, match=r"файл .* или укажите ссылку"):
        set_product(route(), TEACHER, replace(PRODUCT, link=""))
    with pytest.raises(WorkflowError, match="название"):
        set_product(route(), TEACHER, replace(PRODUCT, title=" "))


def test_reflection_answers_the_questions_of_stage_4() -> None:
    r = set_reflection(route(), TEACHER, Reflection(overcome="П1.1", needs_met="да"))
    assert r.reflection is not None
    questions = [q for q, _ in r.reflection.answers()]
    assert questions[0] == "Какие профессиональные дефициты удалось преодолеть?"
    assert (
        dict(r.reflection.answers())["Удовлетворены ли ваши профессиональные потребности и запросы?"] == "да"
    )
    with pytest.raises(WorkflowError, match="хотя бы на один"):
        set_reflection(route(), TEACHER, Reflection())
    with pytest.raises(PermissionDenied):
        set_reflection(route(), CURATOR, Reflection(overcome="x"))
    with pytest.raises(WorkflowError):
        set_reflection(route(RouteStatus.COMPLETED), TEACHER, Reflection(overcome="x"))


PDF = b"%PDF-1.7\n" + b"0" * 100


def test_upload_allow_list_size_and_content() -> None:
    f = check_upload("C:\\Users\\me\\Сборник.pdf", PDF, max_bytes=1024, allowed=["pdf", "docx"])
    assert (f.name, f.content_type, f.size, len(f.sha256)) == ("Сборник.pdf", "application/pdf", len(PDF), 64)
    with pytest.raises(ValidationError, match="тип «exe» не принимается"):
        check_upload("a.exe", b"MZ", max_bytes=1024, allowed=["pdf"])
    with pytest.raises(ValidationError, match="больше допустимых"):
        check_upload("a.pdf", PDF * 20, max_bytes=1024, allowed=["pdf"])
    with pytest.raises(ValidationError, match="не похож"):
        check_upload("a.docx", b"MZ\x90\x00", max_bytes=1024, allowed=["docx"])
    with pytest.raises(ValidationError, match="пуст"):
        check_upload("a.pdf", b"", max_bytes=1024, allowed=["pdf"])
