"""The simulated Moodle site: plain records in memory, guarded by one lock.

Only what the bridge touches is modelled: users (+ the ``iom_url`` profile field), courses with a manual
enrol instance, enrolments with roles/dates/suspension, one "Итоговая аттестация" assignment per course with
its grade item, the course total, grades, activity and course completion, competencies and learning plans,
and sent messages. Rules that real Moodle applies elsewhere (cron, gradebook aggregation) live here as
small functions so every handler sees the same behaviour.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

STUDENT, TEACHER, EDITING_TEACHER, MANAGER = 5, 4, 3, 1
ROLE_SHORTNAMES = {
    MANAGER: "manager",
    EDITING_TEACHER: "editingteacher",
    TEACHER: "teacher",
    STUDENT: "student",
}
IOM_URL_FIELD = ("iom_url", "IOM URL")  # shortname, name of the custom profile field


@dataclass
class User:
    id: int
    username: str
    firstname: str
    lastname: str
    email: str
    idnumber: str = ""
    city: str = ""
    country: str = ""
    firstaccess: int = 0
    lastaccess: int = 0
    suspended: bool = False
    customfields: dict[str, str] = field(default_factory=dict)
    messageable: bool = True  # False: message preferences refuse the token's user («usercantbemessaged»)
    context_id: int = 0  # the user context (plans' comment areas); 0 = derived from the id

    def __post_init__(self) -> None:
        if not self.context_id:
            self.context_id = 1000 + self.id

    @property
    def fullname(self) -> str:
        return f"{self.firstname} {self.lastname}"


@dataclass
class Course:
    id: int
    shortname: str
    fullname: str
    idnumber: str = ""
    categoryid: int = 2
    categoryname: str = "ДПП"
    summary: str = ""
    sortorder: int = 20001
    startdate: int = 0
    enddate: int = 0
    newsitems: int = 1
    showactivitydates: bool = False
    timecreated: int = 0
    timemodified: int = 0
    cacherev: int = 0
    context_id: int = 0  # used in the generated course image URL
    manual_enrol: bool = True  # an enabled manual enrol instance exists
    total_item_id: int = 0  # the course total grade item
    grade_category_id: int = 0
    criteria_cmids: list[int] = field(default_factory=list)  # course completion: activity criteria


@dataclass
class Activity:
    """A course module together with its (single) grade item."""

    cmid: int
    course_id: int
    name: str
    item_id: int
    instance: int
    modname: str = "assign"
    idnumber: str = ""  # the cm's idnumber, which is also its grade item's idnumber
    module: int = 1
    section: int = 0
    grademax: float = 100.0
    gradepass: float = 0.0
    completion: int = 2  # 0 none, 2 automatic ("receive a grade")
    completionpassgrade: bool = False
    added: int = 0


@dataclass
class Enrolment:
    user_id: int
    course_id: int
    roles: set[int]
    timestart: int = 0
    timeend: int = 0
    suspended: bool = False
    lastaccess: int = 0


@dataclass
class Grade:
    raw: float
    graded_at: int


@dataclass
class Message:
    id: int
    useridfrom: int
    useridto: int
    text: str
    timecreated: int
    conversationid: int


@dataclass
class Framework:
    id: int
    shortname: str
    idnumber: str
    description: str
    scaleid: int
    scaleconfiguration: str
    visible: bool
    contextid: int
    timecreated: int


@dataclass
class Competency:
    id: int
    shortname: str
    idnumber: str
    description: str
    frameworkid: int
    timecreated: int


@dataclass
class CourseCompetency:
    id: int
    course_id: int
    competency_id: int
    ruleoutcome: int
    timecreated: int
    timemodified: int


@dataclass
class Plan:
    id: int
    name: str
    description: str
    userid: int
    status: int  # 0 draft, 1 active, 2 complete
    timecreated: int
    timemodified: int
    competency_ids: list[int] = field(default_factory=list)
    snapshots: dict[int, tuple[int, int, int]] = field(
        default_factory=dict
    )  # competency -> (ucp id, at, grade)


@dataclass
class UserCompetency:
    id: int
    userid: int
    competency_id: int
    grade: int | None
    proficiency: bool | None
    timecreated: int


class EnrolmentTable(dict[tuple[int, int], Enrolment]):
    """Enrolments by (course, user), indexed by course and by user (large synthetic sites stay fast)."""

    def __init__(self) -> None:
        super().__init__()
        self.by_course: dict[int, set[int]] = {}
        self.by_user: dict[int, set[int]] = {}

    def __setitem__(self, key: tuple[int, int], value: Enrolment) -> None:
        super().__setitem__(key, value)
        course, user = key
        self.by_course.setdefault(course, set()).add(user)
        self.by_user.setdefault(user, set()).add(course)

    def __delitem__(self, key: tuple[int, int]) -> None:
        super().__delitem__(key)
        course, user = key
        self.by_course[course].discard(user)
        self.by_user[user].discard(course)

    def pop(self, key: tuple[int, int], *default: Any) -> Any:
        if key in self:
            value = self[key]
            del self[key]
            return value
        if default:
            return default[0]
        raise KeyError(key)


def _now() -> int:
    return int(time.time())


@dataclass
class SimState:
    """Everything the simulated site knows. Mutate only while holding ``lock``."""

    token_user_id: int = 2
    # The functions of the token's external service; None: the recorded service 'integration' (all 70).
    service: frozenset[str] | None = None
    clock: Callable[[], int] = _now
    users: dict[int, User] = field(default_factory=dict)
    courses: dict[int, Course] = field(default_factory=dict)
    activities: dict[int, Activity] = field(default_factory=dict)  # by cmid
    enrolments: EnrolmentTable = field(default_factory=EnrolmentTable)  # (course, user)
    grades: dict[tuple[int, int], Grade] = field(default_factory=dict)  # (item id, user)
    course_completions: dict[tuple[int, int], int] = field(default_factory=dict)  # (course, user) -> time
    messages: list[Message] = field(default_factory=list)
    conversations: dict[frozenset[int], int] = field(default_factory=dict)
    frameworks: dict[int, Framework] = field(default_factory=dict)
    competencies: dict[int, Competency] = field(default_factory=dict)
    course_competencies: dict[int, CourseCompetency] = field(default_factory=dict)
    plans: dict[int, Plan] = field(default_factory=dict)
    user_competencies: dict[tuple[int, int], UserCompetency] = field(default_factory=dict)
    next_ids: dict[str, int] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def new_id(self, kind: str) -> int:
        value = self.next_ids.get(kind, 1)
        self.next_ids[kind] = value + 1
        return value

    def reserve_ids(self, kind: str, used: int) -> None:
        """Make sure ids handed out later for ``kind`` are above ``used``."""
        self.next_ids[kind] = max(self.next_ids.get(kind, 1), used + 1)

    # --- building the site (seeding) -------------------------------------------------------------

    def add_user(self, user: User) -> User:
        self.users[user.id] = user
        self.reserve_ids("user", user.id)
        return user

    def add_course(self, course: Course) -> Course:
        if not course.total_item_id:
            course.total_item_id = self.new_id("grade_item")
        if not course.grade_category_id:
            course.grade_category_id = self.new_id("grade_category")
        self.reserve_ids("grade_item", course.total_item_id)
        self.reserve_ids("grade_category", course.grade_category_id)
        self.courses[course.id] = course
        self.reserve_ids("course", course.id)
        return course

    def add_activity(self, activity: Activity, *, criterion: bool = True) -> Activity:
        self.activities[activity.cmid] = activity
        self.reserve_ids("cm", activity.cmid)
        self.reserve_ids("grade_item", activity.item_id)
        if criterion and activity.completion:
            self.courses[activity.course_id].criteria_cmids.append(activity.cmid)
        return activity

    # --- queries ----------------------------------------------------------------------------------

    def course_activities(self, course_id: int) -> list[Activity]:
        return sorted((a for a in self.activities.values() if a.course_id == course_id), key=lambda a: a.cmid)

    def user_courses(self, user_id: int) -> list[Course]:
        ids = self.enrolments.by_user.get(user_id, set())
        return sorted((self.courses[c] for c in ids), key=lambda c: (c.sortorder, c.id))

    def course_enrolments(self, course_id: int) -> list[Enrolment]:
        users = sorted(self.enrolments.by_course.get(course_id, set()))
        return [self.enrolments[(course_id, u)] for u in users]

    def is_tracked(self, course_id: int, user_id: int) -> bool:
        """Counted in completion reports: an active enrolment with the student role."""
        e = self.enrolments.get((course_id, user_id))
        return e is not None and not e.suspended and STUDENT in e.roles

    # --- gradebook and completion rules -----------------------------------------------------------

    def set_grade(self, activity: Activity, user_id: int, raw: float, at: int | None = None) -> None:
        """Store a grade (clamped to the item's range) and update completion like Moodle does."""
        now = self.clock() if at is None else at
        self.grades[(activity.item_id, user_id)] = Grade(max(0.0, min(raw, activity.grademax)), now)
        course = self.courses.get(activity.course_id)
        if course is None or activity.cmid not in course.criteria_cmids:
            return
        # Real Moodle marks course completion from cron (completion_regular_task, up to ~2 periods later);
        # the simulator completes it at once. Like Moodle it never revokes a completion.
        if (course.id, user_id) in self.course_completions:
            return
        if all(self.activity_state(self.activities[c], user_id)[1] for c in course.criteria_cmids):
            self.course_completions[(course.id, user_id)] = now
            self._complete_course_competencies(course.id, user_id, now)

    def override_course_total(self, course_id: int, user_id: int, raw: float, at: int | None = None) -> None:
        """A teacher's override of the course total (the gradebook then stops aggregating it for the user)."""
        course = self.courses[course_id]
        self.grades[(course.total_item_id, user_id)] = Grade(raw, self.clock() if at is None else at)

    def activity_state(self, activity: Activity, user_id: int) -> tuple[int, bool]:
        """Completion state (0 incomplete, 1 complete, 2 pass, 3 fail) and whether the criterion is met."""
        grade = self.grades.get((activity.item_id, user_id))
        if grade is None:
            return 0, False
        if activity.gradepass > 0:
            passed = grade.raw >= activity.gradepass
            return (2, True) if passed else (3, not activity.completionpassgrade)
        return 1, True

    def _complete_course_competencies(self, course_id: int, user_id: int, now: int) -> None:
        """ruleoutcome 3 rates the user competency with the framework's scale default (only if unrated)."""
        for cc in self.course_competencies.values():
            if cc.course_id != course_id or cc.ruleoutcome != 3:
                continue
            uc = self.user_competency(user_id, cc.competency_id)
            if uc.grade is not None:
                continue
            default, proficient = scale_default(
                self.frameworks[self.competencies[cc.competency_id].frameworkid]
            )
            uc.grade, uc.proficiency, uc.timecreated = default, proficient, now

    def user_competency(self, user_id: int, competency_id: int) -> UserCompetency:
        key = (user_id, competency_id)
        if key not in self.user_competencies:
            self.user_competencies[key] = UserCompetency(
                self.new_id("usercompetency"), user_id, competency_id, None, None, self.clock()
            )
        return self.user_competencies[key]


def scale_default(framework: Framework) -> tuple[int, bool]:
    """(scale item index, proficient) of the framework's default item."""
    import json

    for entry in json.loads(framework.scaleconfiguration)[1:]:
        if int(entry.get("scaledefault", 0)):
            return int(entry["id"]), bool(int(entry.get("proficient", 0)))
    return 1, False
