"""The recorded lab site (ids, names and timestamps as in tests/fixtures/moodle/NOTES.md) for replays."""

from __future__ import annotations

from moodle_sim.seed import FINAL_ITEM_NAME, SCALE_CONFIG, seed_staff
from moodle_sim.state import (
    EDITING_TEACHER,
    STUDENT,
    Activity,
    Competency,
    Course,
    CourseCompetency,
    Enrolment,
    Framework,
    Plan,
    SimState,
    User,
)


# long: the recorded lab site as data: courses, users, grades
def seed_lab(state: SimState) -> None:
    """The lab site when the recordings started: courses 2–6, users 2–9, user 6 graded in courses 2 and 3."""
    seed_staff(state)
    state.add_user(
        User(
            6,
            "student1",
            "Ольга",
            "Смирнова",
            "olga.smirnova@example.com",
            "STUDENT1",
            country="RU",
            firstaccess=1795374648,
            lastaccess=1795374648,
            context_id=15,
        )
    )
    state.add_user(User(7, "ws.student2", "Пётр", "Иванов", "petr.ivanov@example.com", "STUDENT2", "Казань"))
    state.add_user(
        User(8, "student3", "Анна", "Козлова", "anna.kozlova@example.com", "STUDENT3", context_id=30)
    )
    state.add_user(User(9, "student4", "Дмитрий", "Орлов", "dmitry.orlov@example.com", "STUDENT4"))
    t = 1795374532
    c2 = Course(
        2,
        "ДПП-МЕТ-01",
        "Методология проектирования образовательных программ",
        "DPP-MET-01",
        summary="Курс Методология проектирования образовательных программ",
        sortorder=20004,
        startdate=1795288129,
        timecreated=1795374529,
        timemodified=1795374529,
        cacherev=1795374628,
        context_id=16,
        total_item_id=1,
        grade_category_id=1,
    )
    c3 = Course(
        3,
        "ДПП-ЦИФ-02",
        "Цифровые технологии в обучении",
        "DPP-DIG-02",
        summary="Курс Цифровые технологии в обучении",
        sortorder=20003,
        startdate=1795288132,
        timecreated=t,
        timemodified=t,
        cacherev=1795374540,
        context_id=18,
        total_item_id=3,
        grade_category_id=2,
    )
    c4 = Course(
        4,
        "ДПП-КАЧ-03",
        "Управление качеством образования",
        "DPP-QUA-03",
        summary="Курс Управление качеством образования",
        sortorder=20002,
        startdate=1795288132,
        timecreated=t,
        timemodified=t,
        cacherev=1795374540,
        context_id=20,
        total_item_id=5,
        grade_category_id=3,
    )
    c5 = Course(
        5,
        "ДПП-WS-04",
        "Тестовый курс WS",
        "DPP-WS-04",
        sortorder=20002,
        startdate=1795305600,
        enddate=1826841600,
        newsitems=5,
        showactivitydates=True,
        timecreated=1795374606,
        timemodified=1795374606,
        cacherev=1795374608,
        context_id=25,
        total_item_id=8,
        grade_category_id=4,
    )
    c6 = Course(
        6,
        "ДПП-NOMAN-05",
        "Курс без ручной записи",
        "DPP-NOMAN-05",
        sortorder=20001,
        timecreated=1795374610,
        timemodified=1795374610,
        cacherev=1795374610,
        context_id=27,
        manual_enrol=False,
        total_item_id=9,
        grade_category_id=5,
    )
    for c in (c2, c3, c4, c5, c6):
        state.add_course(c)
    state.add_activity(Activity(2, 2, FINAL_ITEM_NAME, 2, instance=1, added=1795374529))
    state.add_activity(
        Activity(8, 2, "Demo LTI 1.3 Tool (LTI 1.3)", 7, instance=1, modname="lti", module=15, completion=0),
        criterion=False,
    )
    state.add_activity(Activity(4, 3, FINAL_ITEM_NAME, 4, instance=2, gradepass=60.0, added=t))
    state.add_activity(
        Activity(
            6, 4, FINAL_ITEM_NAME, 6, instance=3, section=9, gradepass=60.0, completionpassgrade=True, added=t
        )
    )
    for course_id, teacher in ((2, 3), (3, 4), (4, 5)):
        state.enrolments[(course_id, teacher)] = Enrolment(teacher, course_id, {EDITING_TEACHER})
    state.enrolments[(2, 6)] = Enrolment(6, 2, {STUDENT}, lastaccess=1795374649)
    state.enrolments[(3, 6)] = Enrolment(6, 3, {STUDENT})
    clock = state.clock
    state.clock = lambda: 1795374553
    state.set_grade(state.activities[2], 6, 87.0)
    state.set_grade(state.activities[4], 6, 75.0)
    state.clock = clock
    state.frameworks[1] = Framework(1, "Компетенции ДПП", "FW-DPP", "", 2, SCALE_CONFIG, True, 1, 1795374585)
    state.competencies[1] = Competency(1, "Проектирование программ", "COMP-MET-01", "", 1, 1795374585)
    state.plans[1] = Plan(1, "План развития Смирновой", "", 6, 0, 1795374585, 1795374585)
    state.course_competencies[1] = CourseCompetency(1, 2, 1, 0, 1795374585, 1795374585)
    for kind in ("framework", "competency", "plan", "coursecompetency"):
        state.reserve_ids(kind, 1)
    state.reserve_ids("usercompetency", 2)  # the lab had rated two user competencies before the recordings
    state.reserve_ids("grade_item", 9)
    state.reserve_ids("cm", 8)
    state.reserve_ids("assign", 3)
