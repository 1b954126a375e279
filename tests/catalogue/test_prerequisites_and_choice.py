"""Domain rules of the catalogue's prerequisites (000 §2.1 a) and of the teacher's choice (000 §2.1 b)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from course_map.models import CourseEntry, Education, Prerequisites
from course_map.prerequisites import check, education_of
from course_map.recommend import alternatives
from lms_bridge.domain import choice
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import ActivityCategory, Block, Level, Role, RouteStatus
from lms_bridge.domain.workflow import may
from lms_bridge.errors import PermissionDenied, ValidationError, WorkflowError
from tests.conftest import make_diagnostic, make_teacher

TODAY = date(2026, 10, 1)
TEACHER = Actor(Role.TEACHER, "Иванова1 Мария Петровна", "teacher1@school.ru")


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("высшее, ЧГПУ, 2009", Education.HIGHER),
        ("Высшее профессиональное", Education.HIGHER),
        ("среднее профессиональное, педколледж", Education.VOCATIONAL),
        ("среднее специальное", Education.VOCATIONAL),
        ("СПО, 2001", Education.VOCATIONAL),
        ("неоконченное", None),
        ("", None),
    ],
)
def test_education_is_read_from_the_registry_text(text: str, level: Education | None) -> None:
    assert education_of(text) is level


def test_every_unmet_requirement_is_named_in_russian() -> None:
    need = Prerequisites(Education.HIGHER, ("заместитель директора",), ("DPP-MNG-14",))
    teacher = replace(make_teacher(), education="среднее профессиональное", position="учитель")
    found = check(need, teacher, done_courses={"DPP-OTHER"})
    assert not found.met
    assert found.reasons == (
        "нужно образование «высшее», у педагога — «среднее профессиональное»",
        "программа для должностей: заместитель директора; должность педагога — учитель",
        "сначала нужно пройти: DPP-MNG-14",
    )
    assert found.label.startswith("не выполнены требования: нужно образование")


def test_met_requirements_and_unknown_education() -> None:
    need = Prerequisites(Education.VOCATIONAL, ("учитель",), ("DPP-1",))
    teacher = replace(make_teacher(), education="высшее, ЧГПУ", position="Учитель математики")
    assert check(need, teacher, {"DPP-1"}).met  # higher satisfies vocational; a word opens the position
    blank = replace(teacher, education="")
    assert check(need, blank, {"DPP-1"}).reasons == (
        "нужно образование не ниже «среднее профессиональное», а в реестре оно не указано",
    )
    assert check(Prerequisites(), blank, ()).met  # no requirement: open to everyone


COURSES = [
    CourseEntry("A", "Курс А", deficit_codes=("П1.1", "М2.3"), blocks=(Block.SUBJECT,), hours=72),
    CourseEntry("B", "Курс Б", deficit_codes=("П1.1",), blocks=(Block.SUBJECT,), hours=36),
    CourseEntry("C", "Курс В", deficit_codes=("М2.3",), blocks=(Block.METHODICAL,), hours=24),
    CourseEntry("D", "Курс Г", deficit_codes=("Ц5.1",), blocks=(Block.ICT,), hours=16),
]


def test_alternatives_are_the_courses_for_the_same_deficits_recommended_first() -> None:
    diagnostic = make_diagnostic(codes=("П1.1", "М2.3"))
    # Б and В each cover one of А's deficits; Г covers none of them; low-level block (subject) first
    assert alternatives(COURSES[0], diagnostic, COURSES) == ("A", "B", "C")
    assert alternatives(COURSES[0], diagnostic, COURSES, taken=("B",)) == ("A", "C")
    assert alternatives(COURSES[0], diagnostic, COURSES, limit=2) == ("A", "B")


def route(status: RouteStatus = RouteStatus.AGREEMENT, **changes: object) -> Route:
    item = Activity(
        "1",
        ActivityCategory.KNOWLEDGE,
        "Курс А",
        lms_course="A",
        hours=72,
        start=date(2026, 10, 5),
        end=date(2026, 12, 1),
        deficit_codes=("П1.1", "М2.3"),
        options=("A", "B", "C"),
    )
    return Route(
        "74-2026-000001",
        make_teacher(1),
        make_diagnostic(1, codes=("П1.1", "М2.3")),
        status=status,
        activities=(replace(item, **changes),),  # type: ignore[arg-type]
    )


def offer(e: CourseEntry, **changes: object) -> choice.Offer:
    o = choice.Offer(e.lms_course, e.title, e.hours, e.level, e.organiser, e.start, e.end, e.deficit_codes)
    return replace(o, **changes)  # type: ignore[arg-type]


def test_an_item_with_alternatives_waits_for_the_teachers_choice() -> None:
    r = route()
    assert r.activity("1").awaits_choice
    chosen = choice.choose(r, "1", offer(COURSES[1]), TEACHER, TODAY).activity("1")
    assert (chosen.lms_course, chosen.title, chosen.hours) == ("B", "Курс Б", 36)
    assert chosen.deficit_codes == ("П1.1",)  # what the chosen course covers of this teacher's deficits
    assert (chosen.chosen_by, chosen.chosen_on) == (TEACHER.name, TODAY)
    assert (chosen.start, chosen.end) == (date(2026, 10, 5), date(2026, 12, 1))  # the slot, no fixed dates
    assert not chosen.awaits_choice
    fixed = choice.choose(
        r, "1", offer(COURSES[1], start=date(2027, 1, 10), end=date(2027, 2, 1)), TEACHER, TODAY
    )
    assert fixed.activity("1").start == date(2027, 1, 10)  # the catalogue's dates win


def test_one_offered_course_needs_no_choice() -> None:
    assert not route(options=("A",)).activity("1").awaits_choice
    assert not route(options=()).activity("1").awaits_choice


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (RouteStatus.DRAFT, False),
        (RouteStatus.AGREEMENT, True),
        (RouteStatus.FINALISED, False),
        (RouteStatus.APPROVED, True),
        (RouteStatus.IN_PROGRESS, True),
        (RouteStatus.COMPLETED, False),
    ],
)
def test_the_teacher_chooses_during_agreement_and_until_the_application(
    status: RouteStatus, allowed: bool
) -> None:
    r = route(status)
    assert may(r, Role.TEACHER, "choose") is allowed
    assert not may(r, Role.CURATOR, "choose")
    assert not may(r, Role.HEAD, "choose")
    if allowed:
        choice.choose(r, "1", offer(COURSES[2]), TEACHER, TODAY)
    else:
        with pytest.raises(PermissionDenied):
            choice.choose(r, "1", offer(COURSES[2]), TEACHER, TODAY)


def test_choice_refusals() -> None:
    with pytest.raises(WorkflowError, match="не входит в рекомендуемые"):
        choice.choose(route(), "1", offer(COURSES[3]), TEACHER, TODAY)
    with pytest.raises(WorkflowError, match="заявка уже подана руководителем ОО"):
        choice.choose(
            route(RouteStatus.APPROVED, head_confirmed_by="Петрова"), "1", offer(COURSES[1]), TEACHER, TODAY
        )
    with pytest.raises(PermissionDenied):
        choice.choose(route(), "1", offer(COURSES[1]), Actor(Role.CURATOR, "Куратор"), TODAY)
    two = route()
    two = two.with_activity(replace(two.activity("1"), key="2", lms_course="B", options=()))
    with pytest.raises(WorkflowError, match="уже есть в маршруте"):
        choice.choose(two, "1", offer(COURSES[1]), TEACHER, TODAY)


def test_a_rejection_needs_a_reason_and_a_centre_specialist() -> None:
    a = route(RouteStatus.APPROVED, options=(), head_confirmed_by="Петрова А.А.").activity("1")
    centre = Actor(Role.CENTRE, "Сидоров Б.Б.")
    with pytest.raises(WorkflowError, match="укажите причину"):
        choice.reject(a, centre, "  ")
    with pytest.raises(PermissionDenied):
        choice.reject(a, Actor(Role.HEAD, "Петрова"), "нет мест")
    with pytest.raises(ValidationError):
        choice.reject(a, centre, "x" * 5000)
    rejected = choice.reject(a, centre, "группа набрана")
    assert (rejected.rejected_by, rejected.rejection_reason, rejected.head_confirmed_by) == (
        "Сидоров Б.Б.",
        "группа набрана",
        "",
    )
    with pytest.raises(WorkflowError, match="уже подтверждена"):
        choice.reject(replace(a, centre_confirmed_by="Сидоров"), centre, "поздно")


def test_levels_do_not_matter_for_the_choice_rules() -> None:
    diagnostic = make_diagnostic(codes=("П1.1",), levels={Block.SUBJECT: Level.HIGH})
    assert alternatives(COURSES[1], diagnostic, COURSES) == ("B", "A")
