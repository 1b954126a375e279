"""Every free-text field a domain rule keeps has a length limit, named in Russian when it is exceeded."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from lms_bridge.domain.final_stage import write_conclusion
from lms_bridge.domain.limits import TEXT_LIMITS, checked_text, limit
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import ActivityCategory, Block, Level, Role, RouteStatus
from lms_bridge.domain.workflow import change_activity, mark_activity, record_note
from lms_bridge.errors import ValidationError
from tests.conftest import make_diagnostic, make_teacher

CURATOR = Actor(Role.CURATOR, "Куратор К.К.")
ON = date(2026, 10, 1)


def _route() -> Route:
    return Route(
        number="74-2026-000001",
        teacher=make_teacher(),
        diagnostic=make_diagnostic(),
        status=RouteStatus.IN_PROGRESS,
        activities=(Activity(key="1", category=ActivityCategory.EXCHANGE, title="Семинар"),),
    )


def _over(field: str) -> str:
    return "я" * (limit(field) + 1)


def test_limit_is_inclusive_and_the_message_names_field_and_limit() -> None:
    assert checked_text("proposal", "  " + "я" * 4000 + " ") == "я" * 4000
    with pytest.raises(ValidationError) as e:
        checked_text("proposal", "я" * 1_000_000)
    (problem,) = e.value.problems
    assert problem.field == "Предложение о корректировке"
    assert str(problem) == (
        "поле «Предложение о корректировке»: слишком длинный текст: "
        "не более 4\u00a0000 знаков, а введено 1\u00a0000\u00a0000"
    )


def test_every_limit_fits_its_use() -> None:
    for name, rule in TEXT_LIMITS.items():
        assert 50 <= rule.max_length <= 10_000, name
        assert rule.label[:1].isupper(), name  # a Russian label for the message


ACTIONS = {
    "curator_note": lambda r, text: record_note(r, "1", CURATOR, text),
    "conclusion": lambda r, text: write_conclusion(
        r, CURATOR, final_levels={Block.SUBJECT: Level.HIGH}, conclusion=text, on=ON
    ),
    "result": lambda r, text: mark_activity(r, "1", CURATOR, ON, result=text),
    "result_form": lambda r, text: mark_activity(r, "1", CURATOR, ON, result_form=text),
    "not_done_reason": lambda r, text: mark_activity(r, "1", CURATOR, ON, done=False, reason=text),
    "reason": lambda r, text: change_activity(
        r, CURATOR, datetime(2026, 10, 1), new=None, replaces="1", reason=text
    ),
    "title": lambda r, text: change_activity(
        r, CURATOR, datetime(2026, 10, 1), new=replace(r.activities[0], key="2", title=text), reason="да"
    ),
    "organiser": lambda r, text: change_activity(
        r, CURATOR, datetime(2026, 10, 1), new=replace(r.activities[0], key="2", organiser=text), reason="да"
    ),
}


@pytest.mark.parametrize("field", list(ACTIONS))
def test_each_domain_rule_refuses_an_over_long_text(field: str) -> None:
    action = ACTIONS[field]
    action(_route(), "я" * limit(field))  # exactly the limit is kept
    with pytest.raises(ValidationError) as e:
        action(_route(), _over(field))
    assert e.value.problems[0].field == TEXT_LIMITS[field].label
