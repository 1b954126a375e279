from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lms_bridge import bootstrap
from lms_bridge.cli import cli
from lms_bridge.config import Settings
from lms_bridge.ports import Lms
from tests.jobs.conftest import World, make_world, number, unconfirm


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    w = make_world(tmp_path, n=3, name="cli")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LMS_BRIDGE_DATABASE_URL", str(w.store.engine.url))
    monkeypatch.setenv("LMS_BRIDGE_MOODLE_RATE_PER_S", "0")
    monkeypatch.setenv("LMS_BRIDGE_PUBLIC_URL", "https://iom.example.ru")

    def fake_lms(_settings: Settings) -> Lms:
        return w.lms

    monkeypatch.setattr(bootstrap, "build_lms", fake_lms)
    return w


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_sync_all_runs_attach_enrol_results_and_reports(world: World) -> None:
    world.lms.add_user("dup", "teacher3@school.ru")  # teacher 3 is ambiguous in the LMS
    result = run("sync", "all")
    assert result.exit_code == 1, result.output
    assert "зачислено" in result.output
    assert "4" in result.output
    assert "[severalusers] teacher3@school.ru" in result.output
    assert world.lms.route_links[world.user(1).id] == f"https://iom.example.ru/card/{number(1)}"

    for u in world.lms.find_users("email", ["teacher3@school.ru"])["teacher3@school.ru"][1:]:
        del world.lms.users[u.id]
    assert run("sync", "all").exit_code == 0
    world.lms.set_grade(world.courses["PK-MATH"].id, world.user(1).id, 88, item="final")
    result = run("sync", "results")
    assert result.exit_code == 0
    assert "зачтено" in result.output
    assert world.route(1).activity("1").done


def test_dry_run_says_so_and_writes_nothing(world: World) -> None:
    result = run("sync", "all", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "пробный запуск" in result.output
    assert "зачислить teacher1@school.ru" in result.output
    assert world.store.list_links() == {}
    assert world.lms.enrolments == {}


def test_missing_moodle_url_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LMS_BRIDGE_MOODLE_URL", raising=False)
    monkeypatch.setenv("LMS_BRIDGE_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    result = CliRunner().invoke(cli, ["sync", "enrol"])
    assert result.exit_code == 1
    assert "LMS_BRIDGE_MOODLE_URL" in result.output


def test_applications_cli(world: World) -> None:
    unconfirm(world.store, 1, "1", centre_only=False)
    listed = json.loads(run("applications", "list", "--pending", "--json").output)
    assert [(a["number"], a["activity"], a["state"]) for a in listed] == [
        (number(1), "1", "ждёт руководителя ОО")
    ]
    denied = run("applications", "confirm", number(1), "--actor", "teacher:Иванова М.П.")
    assert denied.exit_code == 1
    assert "Ошибка" in denied.output
    other = run("applications", "confirm", number(1), "--actor", "head:Чужой", "--school", "Лицей № 2")
    assert other.exit_code == 1
    ok = run("applications", "confirm-school", "МБОУ «СОШ № 1»", "--actor", "head:Петрова А.А.")
    assert ok.exit_code == 0
    assert "подтверждено заявок: 1" in ok.output
    ok = run("applications", "confirm", number(1), "--activity", "1", "--actor", "centre:Сидоров Б.Б.")
    assert ok.exit_code == 0
    assert "подтверждено заявок: 1" in ok.output
    assert run("applications", "list", "--pending").output.strip() == "заявок: 0"


def test_disagreements_are_listed_and_resolved_by_a_person(world: World) -> None:
    assert run("sync", "all").exit_code == 0
    math = world.courses["PK-MATH"].id
    world.lms.set_grade(math, world.user(1).id, 90, item="final")
    run("sync", "results")
    world.lms.set_grade(math, world.user(1).id, 10, item="final")
    run("sync", "results")
    listed = json.loads(run("sync", "disagreements", "--json").output)
    assert [(d["number"], d["recorded_grade"], d["lms_grade"]) for d in listed] == [(number(1), 90, 10)]
    denied = run("sync", "resolve", number(1), "1", "--actor", "teacher:Иванова", "--note", "ок")
    assert denied.exit_code == 1
    ok = run("sync", "resolve", number(1), "1", "--actor", "curator:Смирнова О.В.", "--note", "пересдача")
    assert ok.exit_code == 0
    assert "закрыто" in ok.output
    assert run("sync", "disagreements").output.strip() == "расхождений: 0"
    assert run("sync", "resolve", number(1), "1", "--actor", "curator:С", "--note", "x").exit_code == 1
    assert world.route(1).activity("1").done


def test_a_second_run_while_one_is_going_is_skipped(world: World, tmp_path: Path) -> None:
    import fcntl

    lock = tmp_path / "var" / "sync.lock"
    lock.parent.mkdir()
    with lock.open("a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        result = CliRunner().invoke(cli, ["sync", "all"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "уже идёт" in result.output
    assert world.lms.total_calls == 0
    assert run("sync", "all").exit_code == 0
    assert world.lms.total_calls > 0
