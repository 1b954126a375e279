"""What `lms-bridge demo` leaves behind before anyone opens a browser: registry, simulator and LTI wiring."""

from __future__ import annotations

import pytest
import requests

from lms_bridge.bootstrap import build_launch_store
from lms_bridge.domain.completion import completion_gaps
from lms_bridge.domain.people import Actor
from lms_bridge.domain.platforms import REGION
from lms_bridge.domain.vocabulary import Role, RouteStatus, SignatureParty
from lms_bridge.domain.workflow import transition
from lms_bridge.errors import WorkflowError
from lms_demo.stack import LTI_COURSE, DemoStack
from moodle_sim.seed import find_course
from moodle_sim.state import STUDENT
from tests.e2e.conftest import DEMO_TODAY


def test_demo_route_is_approved_confirmed_enrolled_and_graded(stack: DemoStack) -> None:
    route = stack.store.get_route(stack.route_number)
    assert route.status is RouteStatus.IN_PROGRESS  # approved by the head, started by the enrol job
    assert route.approved_by
    assert route.formal_activities
    assert all(a.application_confirmed for a in route.formal_activities)
    teacher = next(u for u in stack.sim_state.users.values() if u.email == route.teacher.email)
    for activity in route.formal_activities:
        course = find_course(stack.sim_state, activity.lms_course or "")
        assert course is not None
        assert STUDENT in stack.sim_state.enrolments[(course.id, teacher.id)].roles
    graded = [a for a in route.formal_activities if a.grade is not None]
    assert [(a.grade, a.done, a.result_source) for a in graded] == [(87.0, True, "lms")]


def test_demo_people_are_the_routes_teacher_curator_and_school_head(stack: DemoStack) -> None:
    route = stack.store.get_route(stack.route_number)
    assert stack.people["teacher"].email == route.teacher.email
    assert stack.people["curator"].email == route.curator_email
    assert set(stack.people) == {"teacher", "curator", "head", "centre"}
    platform_users = {u.email: u.demo_role for u in stack.platform.users.values()}
    assert platform_users == {p.email: role for role, p in stack.people.items()}


def test_platform_and_tool_are_registered_with_each_other(stack: DemoStack) -> None:
    (tool,) = stack.platform.tools.values()
    assert tool.login_url == f"{stack.web_url}/lti/login"
    assert tool.redirect_uris == (f"{stack.web_url}/lti/launch",)
    # dynamic registration stored the platform (for the whole region) and nothing is in the settings
    assert stack.settings.lti_platforms == []
    (platform,) = build_launch_store(stack.store).list_platforms()
    assert (platform.issuer, platform.client_id) == (stack.sim_url, tool.client_id)
    assert platform.deployment_ids == (tool.deployment_id,)
    assert platform.scope == REGION
    assert tool.deep_link_url == f"{stack.web_url}/lti/launch"
    jwks = requests.get(platform.jwks_url, timeout=10).json()
    assert [k["kid"] for k in jwks["keys"]] == [stack.platform.kid]
    assert stack.sim_url.split("//")[1].split(":")[0] != stack.web_url.split("//")[1].split(":")[0]


def test_activities_are_placed_by_deep_linking(stack: DemoStack) -> None:
    placed = stack.platform.course_activities(LTI_COURSE.id)
    assert [(a.title, a.custom) for a in placed] == [
        ("Мой маршрут (ИОМ)", {"iom_view": "card"}),
        ("Маршруты педагогов", {"iom_view": "dashboard"}),
        ("Сводный отчёт", {"iom_view": "report"}),
        ("Мероприятия региона", {"iom_view": "events"}),
    ]
    assert placed[0].line_item is not None  # the route's grade column


def test_my_courses_in_the_simulator_show_enrolments_and_the_grade(stack: DemoStack) -> None:
    route = stack.store.get_route(stack.route_number)
    teacher = stack.people["teacher"]
    html = requests.get(f"{stack.sim_url}/my/courses.php", params={"user": teacher.username}, timeout=10).text
    assert "Индивидуальные образовательные маршруты педагогов" in html
    for activity in route.formal_activities:
        assert f"({activity.lms_course})" in html
    assert "Итоговая аттестация: 87 —" in html
    assert "зачтено" in html


def test_the_story_completes_one_route_honestly(stack: DemoStack) -> None:
    """Re-diagnostic imported, courses passed in the LMS, activities marked on their days, the event
    held, product and reflection entered, conclusions acknowledged — and only then «завершён»."""
    assert stack.completed_number, "the demo must complete one route honestly"
    route = stack.store.get_route(stack.completed_number)
    demo = stack.store.get_route(stack.route_number)
    assert (route.teacher.school, route.curator_email) == (demo.teacher.school, demo.curator_email)
    assert route.status is RouteStatus.COMPLETED
    assert completion_gaps(route) == []
    assert route.started_on
    assert route.completed_on
    assert route.started_on < route.completed_on <= DEMO_TODAY
    assert route.formal_activities
    assert all(a.done and a.result_source == "lms" for a in route.formal_activities)
    for a in route.activities:  # each mark on a day inside the route and the activity, none ahead
        assert a.done_on is not None
        assert max(route.started_on, a.start or route.started_on) <= a.done_on <= route.completed_on
    assert route.final_source == "import"  # the final diagnostic is the imported re-diagnostic
    assert route.final_diagnostic_on is not None
    assert route.started_on < route.final_diagnostic_on <= route.completed_on
    assert any(e.held and e.held_on and e.held_on <= route.completed_on for e in route.final_events)
    assert route.product is not None
    assert route.reflection is not None
    assert route.reflection.overcome
    assert route.conclusion
    assert {s.party for s in route.conclusion_signatures} == set(SignatureParty)
    audit = [e.action for e in stack.store.list_audit(route.number)]
    for action in ("start", "mark", "event add", "event held", "final diagnostic", "product", "complete"):
        assert action in audit, action


def test_the_demo_route_waits_and_its_completion_is_refused_with_every_missing_item(
    stack: DemoStack,
) -> None:
    route = stack.store.get_route(stack.route_number)
    assert route.status is RouteStatus.IN_PROGRESS
    assert route.started_on == DEMO_TODAY  # started by its first enrolment in the LMS
    gaps = completion_gaps(route)
    assert "итоговое публичное мероприятие не проведено" in " ".join(gaps)
    assert any(not e.held for e in route.final_events)  # planned by the curator, not yet held
    curator = Actor(Role.CURATOR, route.curator_name, email=route.curator_email)
    with pytest.raises(WorkflowError) as refused:
        transition(route, "complete", curator, DEMO_TODAY)
    for gap in gaps:
        assert gap in str(refused.value)
