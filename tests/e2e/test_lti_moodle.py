"""Issue 11's acceptance, through a real Moodle 5.1's own pages in Chromium: an administrator registers the
tool with «Add LTI Advantage» and activates it, a course editor places «Мой маршрут» by deep linking, a
teacher launches it and sees their card, and after ``sync progress`` Moodle's gradebook has the teacher's
route progress (read back through Moodle's web services) — and that of a second teacher of the course who
never opened the tool (Names and Roles).

Needs the moodle-lab (``LMS_BRIDGE_TEST_MOODLE_URL``/``_TOKEN``/``_LAB``, see tests/moodle_lab.py) and
/usr/bin/chromium; skipped with the reason otherwise, failed under ``LMS_BRIDGE_TEST_MOODLE_REQUIRED``.
The tool runs in a thread on ``localhost`` (a different site from the lab's 127.0.0.1, as in production) on a
free port, so each run registers a new tool type and places a new activity in the lab's course IOM-LAB.
Screenshots of each step go to ``LMS_BRIDGE_TEST_EVIDENCE`` (a folder) when it is set.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, sync_playwright
from pydantic import SecretStr

from lms_bridge.bootstrap import all_platforms, build_grade_services, build_launch_store, build_web_app
from lms_bridge.config import Settings
from lms_bridge.domain.people import Actor
from lms_bridge.domain.platforms import REGION
from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import ActivityCategory, Role, RouteStatus
from lms_bridge.services.progress_sync import sync_progress
from lms_bridge.storage.store import SqlRouteStore
from lms_bridge.web.lti.keys import generate_pem
from lms_demo.servers import ServerThread
from tests import moodle_lab
from tests.conftest import make_diagnostic, make_teacher
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

TIMEOUT_MS = 120_000  # the lab's PHP built-in server on a shared 2-core machine is slow
TOOL_NAME = "ИОМ педагога (lms-bridge)"
pytestmark = pytest.mark.browser


def _why_not() -> str:
    why = moodle_lab.missing()
    if not why and not CHROMIUM.exists():
        why = "no /usr/bin/chromium (apt-get install -y chromium)"
    return why


@pytest.fixture(scope="module")
def lab() -> moodle_lab.LabSite:
    why = _why_not()
    if why and os.environ.get("LMS_BRIDGE_TEST_MOODLE_REQUIRED"):
        pytest.fail(f"CI stood a Moodle lab up but: {why}")
    if why:
        pytest.skip(why)
    return moodle_lab.site()


@pytest.fixture(scope="module")
def lab_json(lab: moodle_lab.LabSite) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((lab.lab / "lab.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def browser(lab: moodle_lab.LabSite) -> Iterator[Browser]:  # noqa: ARG001 (skips first)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Shots:
    def __init__(self) -> None:
        folder = os.environ.get("LMS_BRIDGE_TEST_EVIDENCE", "")
        self.folder = Path(folder) if folder else None
        self.n = 0

    def __call__(self, page: Page, name: str) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        self.n += 1
        page.screenshot(path=str(self.folder / f"{self.n:02d}-{name}.png"), full_page=True)


def _login(browser: Browser, url: str, username: str, password: str) -> Page:
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{url}/login/index.php", wait_until="domcontentloaded")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#loginbtn")
    page.wait_for_load_state("domcontentloaded")
    assert "login/index.php" not in page.url, f"{username} did not get in"
    return page


def _route(number: str, teacher_email: str, last: str, first: str, done: int) -> Route:
    teacher = replace(make_teacher(91), email=teacher_email, last_name=last, first_name=first)
    return Route(
        number=number,
        teacher=teacher,
        diagnostic=make_diagnostic(91),
        status=RouteStatus.IN_PROGRESS,
        developed_on=date(2026, 9, 20),
        start=date(2026, 10, 1),
        end=date(2027, 9, 30),
        activities=tuple(
            Activity(str(n), ActivityCategory.KNOWLEDGE, title, done=n <= done)
            for n, title in enumerate(
                ("Вебинар по ФГОС", "Методическое объединение", "Тренинг выгорания", "Открытый урок"), start=1
            )
        ),
    )


def _grade_items(lab: moodle_lab.LabSite, course_id: int, user_id: int) -> list[dict[str, Any]]:
    resp = requests.post(
        f"{lab.url}/webservice/rest/server.php",
        data={
            "wstoken": lab.token,
            "wsfunction": "gradereport_user_get_grade_items",
            "moodlewsrestformat": "json",
            "courseid": course_id,
            "userid": user_id,
        },
        timeout=60,
    )
    body = resp.json()
    assert "exception" not in body, body
    items: list[dict[str, Any]] = body["usergrades"][0]["gradeitems"]
    return items


# long: the acceptance walk, one step after another as a person does them, each with its screenshot
def test_register_place_launch_and_grade_through_moodles_pages(
    lab: moodle_lab.LabSite,
    lab_json: dict[str, Any],
    browser: Browser,
    store: SqlRouteStore,
    db_url: str,
) -> None:
    shot = Shots()
    password = lab_json["password"]
    teacher_id, course_id = lab_json["users"]["teacher1"], lab_json["courses"]["IOM-LAB"]
    # teacher1 launches the activity; teacher2 never does: Names and Roles brings her progress too
    routes = [
        _route("74-2026-09901", "ivan.petrov@example.com", "Петров", "Иван", done=1),
        _route("74-2026-09902", "maria.sidorova@example.com", "Сидорова", "Мария", done=2),
    ]
    store.save_diagnostics([(r.teacher, r.diagnostic) for r in routes])
    store.add_routes(routes, Actor(Role.DEVELOPER, "тест"))
    server = ServerThread("127.0.0.1", 0, name="lti-e2e-tool")
    tool_url = f"http://localhost:{server.port}"
    settings = Settings(
        database_url=db_url, public_url=tool_url, lti_private_key=SecretStr(generate_pem().decode())
    )
    server.start(build_web_app(settings, store=store))
    launches = build_launch_store(store)
    try:
        # 1. the administrator: «Add LTI Advantage» with the one-time registration URL, then Activate
        code, _ = launches.new_registration_code(30, REGION)
        admin = _login(
            browser,
            lab.url,
            "admin",
            os.environ.get("LMS_BRIDGE_TEST_MOODLE_ADMIN_PASSWORD", "Admin#Lab2026"),
        )
        admin.goto(f"{lab.url}/mod/lti/toolconfigure.php", wait_until="domcontentloaded")
        admin.fill("#tool-url", f"{tool_url}/lti/register?code={code}")
        shot(admin, "admin-add-lti-advantage")
        admin.click("#tool-create-button")
        frame = admin.frame_locator("#external-registration-template-container iframe")
        frame.get_by_role("button", name="Зарегистрировать").wait_for()
        shot(admin, "tool-registration-page")
        frame.get_by_role("button", name="Зарегистрировать").click()
        admin.wait_for_function(
            "() => !document.querySelector('#external-registration-template-container iframe')"
        )
        (platform,) = launches.list_platforms()
        type_id = platform.deployment_ids[0]
        card = admin.locator(f"#tool-card-container [data-type-id='{type_id}']")
        card.wait_for()
        shot(admin, "tool-pending")
        card.locator("a.activate").click()
        card.locator("a.activate").wait_for(state="hidden")
        shot(admin, "tool-active")
        assert platform.scope == REGION

        # 2. the course editor: a new External tool activity, «Select content», «Мой маршрут (ИОМ)», save
        editor = _login(browser, lab.url, "curator1", password)
        editor.goto(
            f"{lab.url}/course/modedit.php?add=lti&typeid={type_id}&course={course_id}&section=0",
            wait_until="domcontentloaded",
        )
        editor.click("#id_selectcontent")
        selection = editor.frame_locator("#contentitem-page-iframe")
        selection.get_by_role("button", name="Мой маршрут (ИОМ)").wait_for()
        shot(editor, "deep-linking-selection")
        selection.get_by_role("button", name="Мой маршрут (ИОМ)").click()
        editor.wait_for_function("() => document.querySelector('#id_name')?.value === 'Мой маршрут (ИОМ)'")
        shot(editor, "activity-form-filled")
        editor.wait_for_load_state("load")  # the form's scripts are in before it is saved
        with editor.expect_navigation(url=re.compile(r".*/mod/lti/view\.php\?id=\d+.*"), wait_until="commit"):
            editor.click("#id_submitbutton")  # «Save and display»
        cmid = int(re.search(r"id=(\d+)", editor.url).group(1))  # type: ignore[union-attr]

        # 3. the teacher opens the activity and sees their own card in it
        teacher = _login(browser, lab.url, "teacher1", password)
        teacher.goto(f"{lab.url}/mod/lti/view.php?id={cmid}", wait_until="domcontentloaded")
        tool_frame = teacher.frame_locator("#contentframe")
        tool_frame.get_by_text("74-2026-09901").first.wait_for()
        shot(teacher, "teacher-card-in-moodle")

        # 4. progress to the gradebook, read back through web services
        report = sync_progress(
            store, launches, all_platforms(settings, launches), build_grade_services(settings)
        )
        assert (report.counts["scores_sent"], report.counts["members_found"]) == (2, 1), report
        items = [i for i in _grade_items(lab, course_id, teacher_id) if i.get("cmid") == cmid]
        assert len(items) == 1, items
        assert items[0]["graderaw"] == 25
        assert "выполнено 1 из 4" in items[0]["feedback"]
        other = [
            i for i in _grade_items(lab, course_id, lab_json["users"]["teacher2"]) if i.get("cmid") == cmid
        ]
        assert [(i["graderaw"], "74-2026-09902" in i["feedback"]) for i in other] == [(50, True)]
        again = sync_progress(
            store, launches, all_platforms(settings, launches), build_grade_services(settings)
        )
        assert again.counts["unchanged"] == 2  # nothing changed, nothing sent
        teacher.goto(f"{lab.url}/grade/report/user/index.php?id={course_id}", wait_until="domcontentloaded")
        teacher.get_by_text("выполнено 1 из 4").first.wait_for()
        shot(teacher, "teacher-grade-in-moodle")
        editor.goto(f"{lab.url}/grade/report/grader/index.php?id={course_id}", wait_until="load")
        editor.locator("#user-grades").wait_for()
        shot(editor, "grader-report")
    finally:
        server.stop()
