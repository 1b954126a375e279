"""Filling the simulated site: the recorded lab, the project's examples/, or N synthetic teachers.

Every course gets the same shape as the lab's course 4: an «Итоговая аттестация» assignment (grade item,
gradepass 60, completion "receive a grade" + "receive a passing grade") that is the course's only completion
criterion, plus the course total.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lms_bridge.errors import ConfigError
from moodle_sim.state import (
    Activity,
    Course,
    SimState,
    User,
)

FINAL_ITEM_NAME = "Итоговая аттестация"
PASS_GRADE = 60.0
SCALE_CONFIG = (
    '[{"scaleid":"2"},{"id":1,"scaledefault":1,"proficient":0},{"id":2,"scaledefault":0,"proficient":1}]'
)


def seed_staff(state: SimState) -> None:
    """The admin (the token's user, id 2) and a few staff accounts (ids 3–5), as on the lab site."""
    state.add_user(User(2, "admin", "Admin", "User", "admin@example.com"))
    state.add_user(
        User(3, "teacher1", "Иван", "Петров", "ivan.petrov@example.com", "TEACHER1", "Москва", "RU")
    )
    state.add_user(User(4, "teacher2", "Мария", "Сидорова", "maria.sidorova@example.com", "TEACHER2"))
    state.add_user(User(5, "teacher3", "Алексей", "Кузнецов", "aleksey.kuznetsov@example.com", "TEACHER3"))


def add_final_course(
    state: SimState,
    shortname: str,
    fullname: str,
    idnumber: str,
    *,
    at: int = 0,
    gradepass: float = PASS_GRADE,
    item_idnumber: str = "",
) -> Course:
    """A course with a manual enrol instance and the final attestation assignment (gradepass 60)."""
    state.reserve_ids("course", 1)  # id 1 is the site course
    course_id = state.new_id("course")
    course = state.add_course(
        Course(
            course_id,
            shortname,
            fullname,
            idnumber,
            sortorder=30000 - course_id,
            summary=f"Курс {fullname}",
            timecreated=at,
            timemodified=at,
            cacherev=at,
            startdate=at,
            context_id=10 + course_id,
        )
    )
    cmid = state.new_id("cm")
    item = state.new_id("grade_item")
    state.add_activity(
        Activity(
            cmid,
            course_id,
            FINAL_ITEM_NAME,
            item,
            instance=state.new_id("assign"),
            gradepass=gradepass,
            idnumber=item_idnumber,
            completionpassgrade=True,
            added=at,
        )
    )
    return course


# --- the project's examples/ ------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    email: str
    last_name: str
    first_name: str


def add_person(state: SimState, person: Person) -> User:
    """One Moodle account per person: same email, username = lower-cased email, idnumber = email."""
    email = person.email.strip()
    return state.add_user(
        User(
            state.new_id("user"),
            email.lower(),
            person.first_name or "-",
            person.last_name or "-",
            email,
            email.lower(),
        )
    )


def seed_examples(state: SimState, examples: Path) -> dict[str, int]:
    """Teachers (diagnostics.csv), staff (curators.csv), a course per ``kind=course`` row (course_map.csv).

    Read with the project's own loaders, so the simulator sees exactly what the bridge imports.
    """
    from course_map.loading import load_course_map
    from course_map.models import EntryKind
    from lms_bridge.importers.curators import read_curators
    from lms_bridge.importers.diagnostics import read_diagnostics

    diagnostics, course_map = examples / "diagnostics.csv", examples / "course_map.csv"
    for required in (diagnostics, course_map):
        if not required.is_file():
            raise ConfigError(f"нет файла {required}")
    seed_staff(state)
    parsed = read_diagnostics(diagnostics.read_bytes(), diagnostics.name, today=date.today())
    known = {u.email.lower() for u in state.users.values()}
    teachers = 0
    for teacher, _ in parsed.rows:
        if teacher.email.lower() not in known:
            known.add(teacher.email.lower())
            add_person(state, Person(teacher.email, teacher.last_name, teacher.first_name))
            teachers += 1
    staff = 0
    curators = examples / "curators.csv"
    for curator in read_curators(curators.read_bytes(), curators.name) if curators.is_file() else []:
        if curator.email.lower() not in known:
            known.add(curator.email.lower())
            last, _, rest = curator.full_name.partition(" ")
            add_person(state, Person(curator.email, last, rest.split(" ")[0] if rest else ""))
            staff += 1
    courses = 0
    for entry in load_course_map(course_map.read_bytes(), course_map.name):
        if entry.kind is EntryKind.COURSE and find_course(state, entry.lms_course) is None:
            add_final_course(
                state,
                entry.lms_course,
                entry.title,
                entry.lms_course,
                gradepass=entry.pass_grade or PASS_GRADE,
                item_idnumber=entry.final_item,  # "" = the bridge reads the course total
            )
            courses += 1
    return {"teachers": teachers, "staff": staff, "courses": courses}


def find_course(state: SimState, idnumber: str) -> Course | None:
    return next((c for c in state.courses.values() if c.idnumber == idnumber), None)


# --- synthetic load -----------------------------------------------------------------------------------

_LAST = (
    "Иванова",
    "Петрова",
    "Смирнова",
    "Кузнецова",
    "Попова",
    "Соколова",
    "Лебедева",
    "Козлова",
    "Новикова",
    "Морозова",
    "Волкова",
    "Соловьёва",
    "Васильева",
    "Зайцева",
    "Павлова",
    "Семёнова",
)
_FIRST = ("Анна", "Мария", "Елена", "Ольга", "Татьяна", "Наталья", "Ирина", "Светлана", "Юлия", "Екатерина")


def synthetic_teachers(count: int, random_seed: int = 0, domain: str = "example.ru") -> list[Person]:
    """``count`` distinct teachers, the same for the same seed (benchmarks can rebuild the list);
    each simulated site of a federation has its own ``domain``, so its teachers are its own."""
    rng = random.Random(random_seed)
    return [
        Person(f"teacher{n:05d}@school{n % 997:03d}.{domain}", rng.choice(_LAST), rng.choice(_FIRST))
        for n in range(1, count + 1)
    ]


def synthetic_course_count(teachers: int) -> int:
    return max(1, teachers // 50)  # 30 000 teachers → 600 courses


def seed_synthetic(
    state: SimState, teachers: int, random_seed: int = 0, domain: str = "example.ru"
) -> dict[str, int]:
    seed_staff(state)
    for person in synthetic_teachers(teachers, random_seed, domain):
        add_person(state, person)
    courses = synthetic_course_count(teachers)
    for i in range(1, courses + 1):
        add_final_course(state, f"ДПП-СИН-{i:04d}", f"Синтетический курс {i}", f"DPP-SYN-{i:04d}")
    return {"teachers": teachers, "staff": 3, "courses": courses}
