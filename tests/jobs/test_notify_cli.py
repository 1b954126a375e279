"""``lms-bridge notify events`` and ``notify problems`` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lms_bridge import bootstrap
from lms_bridge.adapters.memory import InMemoryLms
from lms_bridge.cli import cli
from lms_bridge.config import Settings
from lms_bridge.ports import Lms
from tests.jobs.notify_world import DUE, link_all, notice_world, with_curator


@pytest.fixture
def lms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> InMemoryLms:
    store, _ = notice_world(tmp_path, 3, "cli")
    lms = InMemoryLms()
    users = {f"teacher{i}@school.ru": lms.add_user(f"t{i}").id for i in range(1, 4)}
    link_all(store, with_curator(dict(users), lms.add_user("methodist").id))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LMS_BRIDGE_DATABASE_URL", str(store.engine.url))
    monkeypatch.setenv("LMS_BRIDGE_MOODLE_RATE_PER_S", "0")

    def fake_lms(_settings: Settings) -> Lms:
        return lms

    monkeypatch.setattr(bootstrap, "build_lms", fake_lms)
    return lms


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_notify_events_tells_teachers_and_lists_who_cannot_be_told(lms: InMemoryLms) -> None:
    lms.delete_user(3)  # teacher1 left the LMS (ids: 3, 4, 5 teachers, 6 the curator)
    result = run("notify", "events", "--today", "2026-12-02", "--days", "14")
    assert result.exit_code == 0, result.output
    assert "педагогам отправлено сообщений о мероприятиях" in result.output
    assert "[gone] teacher1@school.ru" in result.output
    assert len(lms.messages) == 2 * len(DUE) + 1
    problems = json.loads(run("notify", "problems", "--json").output)
    assert {(p["recipient"], p["state"]) for p in problems} == {("teacher1@school.ru", "refused")}
    assert len(problems) == len(DUE)
    again = run("notify", "events", "--today", "02.12.2026")
    assert "делать нечего" in again.output
    assert len(lms.messages) == 2 * len(DUE) + 1


def test_notify_events_with_zero_days_tells_nobody_about_next_weeks_events(lms: InMemoryLms) -> None:
    result = run("notify", "events", "--today", "2026-12-02", "--days", "0", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "пробный запуск" in result.output
    assert "Предстоящее мероприятие" not in result.output
    assert lms.messages == []
