"""The route's fourth stage in Chromium, each role in their own Moodle session (the demo stack):
the teacher enters the educational product and the reflection, the curator marks the final event held,
a refused completion lists every missing item, and the dashboards show the completed and the waiting
route. Every form and message is Russian.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, FrameLocator, Page, expect

from lms_bridge.domain.completion import completion_gaps
from lms_bridge.domain.results import REFLECTION_QUESTIONS
from lms_demo.stack import DemoStack
from tests.e2e.test_browser_demo import open_course, shoot

pytestmark = pytest.mark.browser


def open_card(browser: BrowserContext, stack: DemoStack, role: str, number: str) -> tuple[Page, FrameLocator]:
    """The role's view of the card ``number``: the teacher lands on their card, the others go through
    their registry."""
    page, tool = open_course(browser, stack, role)
    if role != "teacher":
        tool.get_by_role("row").filter(has_text=number).get_by_role("link", name=number).click()
    expect(tool.get_by_role("heading", level=1)).to_contain_text(f"№ {number}")
    return page, tool


def test_teacher_enters_the_product_and_the_reflection(browser: BrowserContext, stack: DemoStack) -> None:
    page, tool = open_card(browser, stack, "teacher", stack.route_number)
    product = tool.locator("section[aria-labelledby='h-product']")
    expect(product).to_contain_text("Образовательный продукт ещё не представлен.")
    product.get_by_text("Внести образовательный продукт").click()
    product.get_by_label("Вид продукта").select_option(label="рабочая программа")
    product.get_by_label("Название").fill("Рабочая программа элективного курса «Смысловое чтение»")
    product.get_by_label("Описание").fill("программа на 34 часа для 7 класса")
    product.get_by_label("Ссылка на продукт").fill("https://school15.example.ru/program")
    product.get_by_role("button", name="Сохранить продукт").click()
    expect(tool.get_by_role("status")).to_have_text("Образовательный продукт сохранён.")

    product = tool.locator("section[aria-labelledby='h-product']")
    expect(product).to_contain_text("Рабочая программа элективного курса «Смысловое чтение»")
    product.get_by_text("Написать самоанализ").click()
    answers = {
        "overcome": "Освоила приёмы смыслового чтения (М2.1, М2.2)",
        "needs_met": "Да, запросы выполнены",
    }
    questions = dict(REFLECTION_QUESTIONS)
    for key, text in answers.items():
        product.get_by_label(questions[key]).fill(text)
    product.get_by_role("button", name="Сохранить самоанализ").click()
    expect(tool.get_by_role("status")).to_have_text("Самоанализ сохранён.")
    product = tool.locator("section[aria-labelledby='h-product']")
    for text in answers.values():
        expect(product).to_contain_text(text)
    shoot(page, "cycle-teacher-product")

    route = stack.store.get_route(stack.route_number)
    assert route.product is not None
    assert (route.product.kind.value, route.product.link) == (
        "programme",
        "https://school15.example.ru/program",
    )
    assert route.reflection is not None
    assert (route.reflection.overcome, route.reflection.needs_met) == tuple(answers.values())
    page.close()


def test_curator_marks_the_final_event_held(browser: BrowserContext, stack: DemoStack) -> None:
    route = stack.store.get_route(stack.route_number)
    event = next(e for e in route.final_events if not e.held)
    page, tool = open_card(browser, stack, "curator", stack.route_number)
    section = tool.locator("section[aria-labelledby='h-event']")
    section.get_by_text("Отметить проведение").click()
    section.get_by_label("Ссылка на материалы (запись, публикация, программа)").fill(
        "https://school15.example.ru/master-class"
    )
    section.get_by_label("Примечание (где и как проведено)").fill("для учителей школы, 12 участников")
    section.get_by_role("button", name="Сохранить отметку о проведении").click()
    expect(tool.get_by_role("status")).to_have_text("Отметка о проведении сохранена.")
    row = tool.locator("section[aria-labelledby='h-event'] tr").filter(has_text=event.title)
    expect(row).to_contain_text("проведено")
    expect(row).to_contain_text("для учителей школы, 12 участников")
    shoot(page, "cycle-curator-event-held")
    held = stack.store.get_route(stack.route_number).get_final_event(event.key)
    assert held.held  # the curator's mark counts at once
    assert held.note == "для учителей школы, 12 участников"
    page.close()


def test_a_refused_completion_shows_every_missing_item(browser: BrowserContext, stack: DemoStack) -> None:
    gaps = completion_gaps(stack.store.get_route(stack.route_number))
    assert len(gaps) >= 2
    page, tool = open_card(browser, stack, "curator", stack.route_number)
    tool.get_by_role("button", name="Завершить").click()
    alert = tool.get_by_role("alert")
    expect(alert.get_by_role("heading")).to_have_text("Действие невозможно")
    expect(alert).to_contain_text(f"нельзя завершить, не хватает ({len(gaps)})")
    items = alert.get_by_role("listitem")
    expect(items).to_have_count(len(gaps))
    for i, gap in enumerate(gaps):
        expect(items.nth(i)).to_have_text(gap)
    expect(alert.get_by_role("link", name="Вернуться к карте маршрута")).to_be_visible()
    shoot(page, "cycle-completion-refused")
    assert stack.store.get_route(stack.route_number).status.value == "in_progress"
    page.close()


@pytest.mark.parametrize("role", ["curator", "head"])
def test_dashboards_show_the_completed_and_the_waiting_route(
    browser: BrowserContext, stack: DemoStack, role: str
) -> None:
    page, tool = open_course(browser, stack, role)
    done = tool.get_by_role("row").filter(has_text=stack.completed_number)
    expect(done).to_contain_text("завершён")
    waiting = tool.get_by_role("row").filter(has_text=stack.route_number)
    expect(waiting).to_contain_text("реализуется")
    expect(waiting).to_contain_text("до завершения не хватает")
    shoot(page, f"cycle-dashboard-{role}")
    page.close()
