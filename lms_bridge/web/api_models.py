"""Request bodies of the JSON API (pydantic at the edge); their JSON Schemas feed the OpenAPI document.

Text lengths come from the domain's one table (``domain/limits.py``), so the schema states the same
``maxLength`` the domain enforces.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from lms_bridge.domain.limits import limit
from lms_bridge.domain.route import Activity
from lms_bridge.domain.vocabulary import ActivityCategory, ActivityLevel, Block, Level, ProductKind


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MarkBody(_Body):
    done: bool = True
    result: str = Field(default="", max_length=limit("result"))
    result_form: str = Field(
        default="", max_length=limit("result_form"), description="form in which the result is presented"
    )
    reason: str = Field(
        default="",
        max_length=limit("not_done_reason"),
        description="why not done (required when done is false)",
    )
    on: date | None = Field(default=None, description="the day it was done; default today, never later")


class NoteBody(_Body):
    text: str = Field(min_length=1, max_length=limit("curator_note"))


class ActivityBody(_Body):
    category: ActivityCategory
    title: str = Field(min_length=1, max_length=limit("title"))
    level: ActivityLevel = ActivityLevel.REGIONAL
    organiser: str = Field(default="", max_length=limit("organiser"))
    start: date | None = None
    end: date | None = None
    deficit_codes: list[str] = Field(default_factory=list)
    lms_course: str | None = Field(default=None, description="LMS course idnumber for a formal activity")

    def to_activity(self, key: str) -> Activity:
        return Activity(
            key=key,
            category=self.category,
            title=self.title.strip(),
            level=self.level,
            organiser=self.organiser.strip(),
            start=self.start,
            end=self.end,
            deficit_codes=tuple(self.deficit_codes),
            lms_course=self.lms_course or None,
        )


class CorrectionBody(_Body):
    replaces: str | None = Field(default=None, description="key of the activity replaced or removed")
    new: ActivityBody | None = Field(default=None, description="the new activity; null removes `replaces`")
    reason: str = Field(
        default="", max_length=limit("reason"), description="required once the route is approved"
    )


class ProposalBody(_Body):
    text: str = Field(min_length=1, max_length=limit("proposal"))


class ConclusionBody(_Body):
    final_levels: dict[Block, Level] = Field(
        default_factory=dict, description="by hand, only when no re-diagnostic was imported"
    )
    conclusion: str = Field(min_length=1, max_length=limit("conclusion"))
    next_diagnostic_on: date | None = None


class TransitionBody(_Body):
    action: str = Field(
        description="submit, return, finalise, agree (ЦНППМ head, where the region requires it), approve, "
        "start, complete, prolong, resume or cancel"
    )
    end: date | None = Field(default=None, description="prolong: the new end date (moves the deadline)")


class SignatureBody(_Body):
    correction: int | None = Field(
        default=None, ge=1, description="number of the correction acknowledged; null: the conclusions"
    )


class EventBody(_Body):
    form: str = Field(min_length=1, max_length=limit("final_event_form"))
    title: str = Field(min_length=1, max_length=limit("final_event_title"))
    level: ActivityLevel = ActivityLevel.SCHOOL
    start: date | None = None
    end: date | None = Field(default=None, description="when longer than one day")


class HeldBody(_Body):
    on: date | None = Field(default=None, description="the day it was held; default today")
    link: str = Field(default="", max_length=limit("final_event_link"))
    note: str = Field(default="", max_length=limit("final_event_note"))


class ProductBody(_Body):
    kind: ProductKind
    title: str = Field(min_length=1, max_length=limit("product_title"))
    description: str = Field(default="", max_length=limit("product_description"))
    link: str = Field(default="", max_length=limit("product_link"))


class ReflectionBody(_Body):
    overcome: str = Field(default="", max_length=limit("reflection_answer"))
    helped: str = Field(default="", max_length=limit("reflection_answer"))
    remains: str = Field(default="", max_length=limit("reflection_answer"))
    needs_met: str = Field(default="", max_length=limit("reflection_answer"))


class CloseBody(_Body):
    reason: str = Field(min_length=1, max_length=limit("reason"))


class ChoiceBody(_Body):
    course: str = Field(
        min_length=1, max_length=limit("lms_course"), description="the chosen ДПП (`lms_course` of an option)"
    )


class PickBody(_Body):
    number: str = Field(min_length=1, max_length=64)
    key: str = Field(min_length=1, max_length=16)


class ConfirmApplicationsBody(_Body):
    applications: list[PickBody] = Field(
        min_length=1, max_length=10_000, description="route number and item key"
    )


class RejectBody(_Body):
    reason: str = Field(min_length=1, max_length=limit("choice_reason"))
