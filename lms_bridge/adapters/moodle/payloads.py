"""Raw Moodle response shapes we read (pydantic, ``extra="ignore"``). They never leave adapters/moodle.

Only the fields we use are declared; field names are Moodle's. Optional-ness follows signatures.json
(``req: optional`` → may be absent) and the recordings (``graderaw: null`` when ungraded, ``idnumber: null``
on the course total).
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from lms_bridge.errors import LmsResponseError

M = TypeVar("M")


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


def parse(shape: type[M], body: Any, wsfunction: str) -> M:
    """Validate ``body`` as ``shape`` (a model or e.g. ``list[Model]``); a wrong shape is LmsResponseError."""
    try:
        return TypeAdapter(shape).validate_python(body)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise LmsResponseError(
            f"Moodle {wsfunction}: неожиданный ответ ({where}: {first['msg']})",
            errorcode="badresponse",
            wsfunction=wsfunction,
        ) from None


class Function(Payload):
    name: str


class SiteInfo(Payload):
    sitename: str
    release: str = ""
    version: str = ""
    userid: int
    functions: list[Function] = []


class User(Payload):
    id: int
    username: str = ""
    email: str = ""
    idnumber: str = ""
    fullname: str = ""


class Course(Payload):
    id: int
    shortname: str
    idnumber: str = ""
    fullname: str = ""


class Courses(Payload):
    courses: list[Course]


class Role(Payload):
    roleid: int


class EnrolledUser(Payload):
    id: int
    roles: list[Role] = []


class GradeItem(Payload):
    id: int
    itemtype: str
    idnumber: str | None = None
    cmid: int | None = None
    graderaw: float | None = None
    grademax: float | None = None
    gradedategraded: int | None = None


class UserGrades(Payload):
    userid: int
    gradeitems: list[GradeItem]


class GradeReport(Payload):
    usergrades: list[UserGrades]


class CourseModuleInfo(Payload):
    id: int
    course: int
    gradepass: str | None = None  # "60.00"


class CourseModule(Payload):
    cm: CourseModuleInfo


class UserCourse(Payload):
    id: int
    completed: bool | None = None
    enablecompletion: bool | None = None
    completionhascriteria: bool | None = None


class WsWarning(Payload):
    """One ``warnings[]`` entry: a per-row problem of a call that otherwise went through."""

    item: str = ""
    itemid: int | None = None
    warningcode: str = "warning"
    message: str = ""


class Warnings(Payload):
    warnings: list[WsWarning] = []


class MessageResult(Payload):
    msgid: int
    errormessage: str | None = None


class SentMessage(Payload):
    id: int
    useridto: int
    fullmessage: str = ""


class Messages(Payload):
    messages: list[SentMessage]


class Framework(Payload):
    id: int
    idnumber: str
    shortname: str


class Competency(Payload):
    id: int
    idnumber: str
    shortname: str
    competencyframeworkid: int


class Plan(Payload):
    id: int
    userid: int
    name: str
    description: str = ""
    status: int


class PlanCompetency(Payload):
    competency: Competency


class CourseCompetencyLink(Payload):
    id: int
    competencyid: int
    ruleoutcome: int


class CourseCompetency(Payload):
    competency: Competency
    coursecompetency: CourseCompetencyLink
