"""In Chromium through the simulated Moodle: a teacher chooses a ДПП among the recommended on the card, and
a head of school files the applications of several staff at once on «Заявки на обучение».

The demo approves every route with a curator, its teachers taking the recommended ДПП, and files the
applications of the demo route's school only. So another school's routes have applications waiting for
their head, and their teachers may still change their choice (until the head files). The test adds that
school's head and one of its teachers to the simulated Moodle course (as a Moodle admin would enrol them).
"""

from __future__ import annotations

from collections import Counter

import pytest
from playwright.sync_api import BrowserContext, FrameLocator, Page, expect

from lms_bridge.bootstrap import build_launch_store
from lms_bridge.domain import choice
from lms_bridge.domain.route import Route
from lms_bridge.ports import Head
from lms_demo.stack import DemoStack
from moodle_sim.lti import PlatformUser
from moodle_sim.lti_claims import DemoRole

pytestmark = pytest.mark.browser
HEAD2 = "head2@demo.school.ru"


def other_school(stack: DemoStack) -> str:
    """The school (not the demo route's) with the most applications waiting for its head."""
    demo = stack.store.get_route(stack.route_number).teacher.school
    waiting = Counter(
        r.teacher.school
        for r in stack.store.list_routes()
        if r.teacher.school != demo
        for a in r.formal_activities
        if r.status.value == "approved" and not a.head_confirmed_by and not a.awaits_choice
    )
    school, count = waiting.most_common(1)[0]
    assert count >= 2, "examples/ should give another school several applications"
    return school


def enrol_in_course(stack: DemoStack, email: str, first: str, last: str, role: DemoRole) -> str:
    """The person as a participant of the simulated course that holds the tool; returns the course URL."""
    user = next((u for u in stack.sim_state.users.values() if u.email.lower() == email.lower()), None)
    uid = user.id if user else 90_000 + len(stack.platform.users)
    username = user.username if user else email
    stack.platform.add_user(PlatformUser(uid, username, first, last, email, role))
    return stack.course_url("teacher").replace(f"user={stack.people['teacher'].username}", f"user={username}")


def open_tool(browser: BrowserContext, url: str) -> tuple[Page, FrameLocator]:
    page = browser.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)
    return page, page.frame_locator("iframe.lti")


def test_teacher_chooses_another_recommended_course(browser: BrowserContext, stack: DemoStack) -> None:
    school = other_school(stack)
    route: Route = next(
        r
        for r in stack.store.list_routes()
        if r.teacher.school == school and any(choice.choosable(a) for a in r.formal_activities)
    )
    item = next(a for a in route.formal_activities if choice.choosable(a))
    other = next(k for k in item.options if k != item.lms_course)
    title = next(e.title for e in stack.store.list_course_map() if e.lms_course == other)
    t = route.teacher
    url = enrol_in_course(stack, t.email, f"{t.first_name} {t.middle_name}".strip(), t.last_name, "teacher")
    page, tool = open_tool(browser, url)
    expect(tool.get_by_role("heading", level=1)).to_contain_text(route.number)
    card = tool.locator(f"article[aria-labelledby='a-{item.key}']")
    card.get_by_role("radio", name=title).check()
    card.get_by_role("button", name="Выбрать курс").click()
    expect(tool.get_by_role("status")).to_contain_text("Курс выбран")
    expect(tool.locator(f"#a-{item.key}")).to_contain_text(title)
    kept = stack.store.get_route(route.number).activity(item.key)
    assert (kept.lms_course, kept.chosen_by) == (other, t.full_name)
    assert [e.action for e in stack.store.list_audit(route.number)][-1] == "choose"
    page.close()


def test_head_files_applications_for_several_staff_at_once(browser: BrowserContext, stack: DemoStack) -> None:
    school = other_school(stack)
    build_launch_store(stack.store).add_head(Head(HEAD2, "Соколова Ирина Павловна", school, ""))
    url = enrol_in_course(stack, HEAD2, "Ирина Павловна", "Соколова", "head")
    page, tool = open_tool(browser, url)
    tool.get_by_role("link", name="Заявки на обучение").click()
    expect(tool.get_by_role("heading", level=1)).to_have_text("Заявки на обучение по ДПП")
    boxes = tool.locator("input[name=pick]")
    count = boxes.count()
    assert count >= 2
    people = set()
    for i in range(count):
        boxes.nth(i).check()
        people.add(boxes.nth(i).get_attribute("value"))
    tool.get_by_role("button", name="Подать отмеченные заявки").click()
    outcome = tool.locator("#h-outcome")
    expect(outcome).to_contain_text("Подтверждено заявок:")
    filed = {
        (r.number, a.key)
        for r in stack.store.list_routes()
        if r.teacher.school == school
        for a in r.formal_activities
        if a.head_confirmed_by == "Соколова Ирина Павловна"
    }
    picked = {tuple(str(v).split("|")) for v in people}
    refused = tool.locator("ul.refused li").count()
    assert len(filed) == len(picked) - refused
    assert len({n for n, _ in filed}) >= 2, "several staff filed at once"
    expect(outcome).to_contain_text(f"Подтверждено заявок: {len(filed)}")
    page.close()
