"""The LMS port and the plain data the jobs see.

Moodle's raw payloads (pydantic models) never leave ``adapters/moodle``; these records are what
crosses the port.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class SiteInfo:
    site_name: str
    release: str  # e.g. "5.1+ (Build: 20251017)"
    version: str  # e.g. "2025100600.02"
    user_id: int  # the token's user
    functions: frozenset[str]  # wsfunctions the token may call


@dataclass(frozen=True)
class LmsUser:
    id: int
    username: str
    email: str
    idnumber: str
    full_name: str


@dataclass(frozen=True)
class LmsCourse:
    id: int
    shortname: str
    idnumber: str
    full_name: str


@dataclass(frozen=True)
class Enrolment:
    """One manual enrolment. ``start``/``end`` are unix times (Moodle's timestart/timeend), 0 = none."""

    user_id: int
    course_id: int
    role_id: int = 5  # student
    start: int = 0
    end: int = 0
    suspended: bool = False


@dataclass(frozen=True)
class EnrolledUser:
    user_id: int
    role_ids: frozenset[int]
    start: int = 0
    end: int = 0
    suspended: bool = False


@dataclass(frozen=True)
class RowFailure:
    """A row a batch call could not land, with the LMS's own error code."""

    row: Enrolment
    errorcode: str
    message: str


@dataclass(frozen=True)
class LinkFailure:
    """A route card link the LMS did not apply: (user id, url) with the LMS's code (Moodle's warningcode)."""

    user_id: int
    url: str
    errorcode: str
    message: str


@dataclass(frozen=True)
class OutMessage:
    """A plain-text message to one LMS user. ``look_first``: an earlier attempt may have sent it (a run killed
    or an answer lost after the send), so the LMS is searched for it before it is sent again."""

    user_id: int
    text: str
    look_first: bool = False


@dataclass(frozen=True)
class MessageFailure:
    """A message the LMS refused for its recipient: ``gone`` = no such user (deleted, left the LMS),
    otherwise the user cannot be messaged (messaging disabled, privacy). Sending it again will not help."""

    message: OutMessage
    gone: bool
    reason: str  # the LMS's own words


@dataclass(frozen=True)
class GradeRow:
    """A user's final attestation in a course: the course total or the named grade item."""

    user_id: int
    grade: float | None  # raw grade; None = not graded yet
    grade_max: float | None
    graded_at: int = 0  # unix time, 0 when unknown


@dataclass(frozen=True)
class CompletionRow:
    user_id: int
    completed: bool
    completed_at: int = 0
    tracked: bool = (
        True  # False: the course has no completion criteria (Moodle: enablecompletion / nocriteriaset)
    )


@dataclass(frozen=True)
class Competency:
    """A competency in the LMS mirroring one deficit code (``idnumber`` = the code)."""

    id: int
    idnumber: str
    shortname: str
    framework_id: int


@dataclass(frozen=True)
class LearningPlan:
    """A user's learning plan. ``status``: 0 draft, 1 active, 2 complete (Moodle's plan statuses)."""

    id: int
    user_id: int
    name: str
    description: str
    status: int
    competency_ids: frozenset[int]


class Lms(Protocol):
    """What the jobs need from an LMS. ``MoodleLms`` and ``InMemoryLms`` implement it."""

    def get_site_info(self) -> SiteInfo: ...

    def find_users(self, field: str, values: Sequence[str]) -> dict[str, list[LmsUser]]:
        """Users by ``email``, ``username`` or ``idnumber``: value → matches (empty list = none)."""
        ...

    def find_course(self, ref: str) -> LmsCourse | None:
        """A course by idnumber, else by shortname."""
        ...

    def list_enrolled(self, course_id: int) -> list[EnrolledUser]: ...

    def enrol(self, rows: Sequence[Enrolment]) -> list[RowFailure]:
        """Enrol many; bad rows are isolated and returned, good rows land."""
        ...

    def list_grades(self, course_id: int, item_idnumber: str = "") -> list[GradeRow]:
        """Every graded user's final attestation in one call."""
        ...

    def find_pass_grade(self, course_id: int, item_idnumber: str = "") -> float | None: ...

    def list_completions(self, user_id: int) -> dict[int, CompletionRow]:
        """Course id → completion of one user across their courses, in one call."""
        ...

    def set_route_links(self, links: Sequence[tuple[int, str]]) -> list[LinkFailure]:
        """Show route card links (user id, url) to their users in the LMS (a profile field), many per call.
        Rows the LMS refuses come back as failures and the others land; an error of a whole call raises."""
        ...

    def send_message(self, user_id: int, text: str) -> None: ...

    def send_messages(self, messages: Sequence[OutMessage]) -> list[MessageFailure]:
        """Send many in few calls. A message the LMS refuses for its recipient comes back as a failure and the
        others land; ``look_first`` messages already in the LMS are not sent again. An error of a whole call
        raises: the caller cannot know which of that call's messages landed (it looks first next time)."""
        ...

    # learning plans ("attach" a route: NOTES «Competency outcome on course completion»)
    def ensure_framework(
        self, idnumber: str, name: str, competencies: Mapping[str, str]
    ) -> dict[str, Competency]:
        """A framework whose competencies mirror deficit codes (code → title); creates what is missing.
        Returns code → competency for every code asked for."""
        ...

    def ensure_plan(
        self, user_id: int, name: str, description: str, competency_ids: Sequence[int]
    ) -> LearningPlan:
        """The user's plan named ``name`` (no due date: Moodle would auto-complete it), with this description
        (the card link) and at least these competencies; a draft plan is made active."""
        ...

    def link_course_competencies(self, course_id: int, competency_ids: Sequence[int]) -> int:
        """Link competencies to a course with outcome "complete" on course completion; returns links
        added or changed (0 when all were in place)."""
        ...
