"""``lms-bridge lms check`` against the HTTP-level Moodle fake."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lms_bridge.adapters.moodle.lms import REQUIRED_FUNCTIONS
from lms_bridge.cli import cli
from tests.fakes.sim_http import BASE, TOKEN, SimMoodle


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("LMS_BRIDGE_MOODLE_URL", BASE)
    monkeypatch.setenv("LMS_BRIDGE_MOODLE_TOKEN", TOKEN)
    monkeypatch.setenv("LMS_BRIDGE_MOODLE_RETRIES", "1")


def check() -> Result:
    return CliRunner().invoke(cli, ["lms", "check"], catch_exceptions=False)


@pytest.mark.usefixtures("env")
def test_all_functions_available(fake: SimMoodle) -> None:
    fake.functions = frozenset(REQUIRED_FUNCTIONS) | {"core_course_get_contents"}
    result = check()
    assert result.exit_code == 0, result.output
    assert "Сайт: Moodle Lab" in result.output
    assert "5.1+ (Build: 20251017) (2025100600.02)" in result.output
    assert f"Все нужные функции доступны ({len(REQUIRED_FUNCTIONS)})" in result.output


@pytest.mark.usefixtures("env")
def test_the_recorded_lab_service_lacks_only_the_message_lookup(fake: SimMoodle) -> None:
    # the recorded site_info lists the lab's 70 functions; looking before a message is sent again
    # (core_message_get_messages) was added to the required ones after that recording
    fake.queue("core_webservice_get_site_info", "core_webservice_get_site_info__ok")
    result = check()
    assert result.exit_code == 1
    assert "Токену недоступны нужные функции (1 из" in result.output
    assert "  core_message_get_messages" in result.output


@pytest.mark.usefixtures("env")
def test_missing_functions_are_listed(fake: SimMoodle) -> None:
    fake.functions = frozenset(REQUIRED_FUNCTIONS) - {
        "enrol_manual_enrol_users",
        "core_competency_approve_plan",
    }
    result = check()
    assert result.exit_code == 1
    assert "Токену недоступны нужные функции (2 из" in result.output
    assert "  enrol_manual_enrol_users" in result.output
    assert "  core_competency_approve_plan" in result.output


@pytest.mark.usefixtures("env", "fake")
def test_bad_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LMS_BRIDGE_MOODLE_TOKEN", "wrong")
    result = check()
    assert result.exit_code == 1
    assert "invalidtoken" in result.output
    assert "LMS_BRIDGE_MOODLE_TOKEN" in result.output
    assert "wrong" not in result.output


@pytest.mark.usefixtures("env", "fake")
def test_unreachable_moodle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LMS_BRIDGE_MOODLE_URL", "https://elsewhere.example/moodle")
    result = check()
    assert result.exit_code == 1
    assert "Moodle не отвечает" in result.output


@pytest.mark.usefixtures("env")
def test_missing_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LMS_BRIDGE_MOODLE_URL")
    result = check()
    assert result.exit_code == 1
    assert "LMS_BRIDGE_MOODLE_URL" in result.output
