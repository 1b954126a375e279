"""The demo as people use it: the Moodle course page with the tool in a cross-site iframe, in Chromium.

Each role opens the simulated course page; the LTI 1.3 launch runs for real (OIDC initiation,
auth.php, signed id_token) and the tool shows that role's view inside the iframe.
Screenshots at 1280 and 375 px go to artifacts/screenshots/ for people to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, FrameLocator, Page, expect

from lms_demo.stack import DemoStack

pytestmark = pytest.mark.browser
WIDTHS = (1280, 375)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"  # gitignored


def open_course(
    browser: BrowserContext, stack: DemoStack, role: str, width: int = 1280
) -> tuple[Page, FrameLocator]:
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(stack.urls[role])
    expect(page.locator("h1")).to_have_text("Индивидуальные образовательные маршруты педагогов")
    return page, page.frame_locator("iframe.lti")


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_teacher_sees_own_card_and_marks_a_non_formal_activity(
    browser: BrowserContext, stack: DemoStack
) -> None:
    route = stack.store.get_route(stack.route_number)
    activity = next(a for a in route.activities if not a.formal and not a.done)
    page, tool = open_course(browser, stack, "teacher")
    expect(tool.get_by_role("heading", level=1)).to_contain_text(f"№ {stack.route_number}")
    expect(tool.get_by_text(route.teacher.full_name).first).to_be_visible()

    card = tool.locator(f"article[aria-labelledby='a-{activity.key}']")
    card.get_by_text("Отметить выполнение").click()
    card.locator("textarea[name=result]").fill("Провела открытый урок для коллег")
    card.locator("input[name=result_form]").fill("открытый урок")
    card.get_by_role("button", name="Сохранить отметку").click()
    expect(card).to_have_class("activity done")

    page.reload()  # a fresh launch from Moodle: the mark is kept
    card = page.frame_locator("iframe.lti").locator(f"article[aria-labelledby='a-{activity.key}']")
    expect(card).to_have_class("activity done")
    expect(card).to_contain_text("Провела открытый урок для коллег")
    kept = stack.store.get_route(stack.route_number).activity(activity.key)
    assert kept.done
    assert kept.result_source == "teacher"
    assert kept.result_form == "открытый урок"
    page.close()


def test_teacher_sees_the_final_attestation_that_came_back_from_moodle(
    browser: BrowserContext, stack: DemoStack
) -> None:
    route = stack.store.get_route(stack.route_number)
    graded = [a for a in route.formal_activities if a.grade is not None]
    assert graded, "the demo sync should bring a final grade back for the demo route"
    page, tool = open_course(browser, stack, "teacher")
    card = tool.locator(f"article[aria-labelledby='a-{graded[0].key}']")
    expect(card).to_have_class("activity done")
    expect(card).to_contain_text("оценка 87")
    page.close()


@pytest.mark.parametrize("role", ["curator", "head"])
def test_curator_and_head_see_the_route_in_their_registry(
    browser: BrowserContext, stack: DemoStack, role: str
) -> None:
    route = stack.store.get_route(stack.route_number)
    page, tool = open_course(browser, stack, role)
    expect(tool.get_by_text(stack.people[role].last_name).first).to_be_visible()
    row = tool.get_by_role("row").filter(has_text=stack.route_number)
    expect(row).to_contain_text(route.teacher.full_name)
    row.get_by_role("link", name=stack.route_number).click()
    expect(tool.get_by_role("heading", level=1)).to_contain_text(f"№ {stack.route_number}")
    page.close()


def test_head_sees_only_own_school(browser: BrowserContext, stack: DemoStack) -> None:
    school = stack.store.get_route(stack.route_number).teacher.school
    others = [r.number for r in stack.store.list_routes() if r.teacher.school != school]
    assert others, "examples/ should hold more than one school"
    page, tool = open_course(browser, stack, "head")
    expect(tool.get_by_role("row").filter(has_text=stack.route_number)).to_have_count(1)
    expect(tool.get_by_role("row").filter(has_text=others[0])).to_have_count(0)
    page.close()


def test_teacher_cannot_open_a_colleagues_card(browser: BrowserContext, stack: DemoStack) -> None:
    other = next(r.number for r in stack.store.list_routes() if r.number != stack.route_number)
    page, tool = open_course(browser, stack, "teacher")
    expect(tool.get_by_role("heading", level=1)).to_contain_text(stack.route_number)
    own = page.frames[1].url
    response = page.goto(own.replace(stack.route_number, other))
    assert response is not None
    assert response.status == 404
    expect(page.get_by_text(other).first).to_be_visible()  # the message names it, the card is not shown
    assert stack.store.get_route(other).teacher.full_name not in page.content()
    page.close()


@pytest.mark.parametrize("role", ["teacher", "curator", "head", "centre"])
def test_screenshots_at_desktop_and_phone_width(browser: BrowserContext, stack: DemoStack, role: str) -> None:
    for width in WIDTHS:
        page, tool = open_course(browser, stack, role, width)
        expect(tool.locator("main")).to_be_visible()
        # Nothing of the Moodle page may stick out sideways on a phone.
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{role}: page is {scroll_width}px wide at {width}px"
        frame = page.frame_locator("iframe.lti").locator("html")
        inner, visible = frame.evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert inner <= visible, f"{role}: the tool scrolls sideways ({inner}px in {visible}px) at {width}px"
        shoot(page, f"{role}-{width}")
        # The iframe scrolls on its own: the tool's whole page, at the iframe's width, as a second picture.
        inner_width = page.locator("iframe.lti").bounding_box()["width"]  # type: ignore[index]
        tool_page = browser.new_page()
        tool_page.set_viewport_size({"width": int(inner_width), "height": 900})
        tool_page.goto(page.frames[1].url)
        shoot(tool_page, f"{role}-{width}-tool")
        tool_page.close()
        page.close()
