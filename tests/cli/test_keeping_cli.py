"""End to end through the CLI: validity in ``routes build``, ``routes archive`` / ``--purge``,
``routes sign`` and the finalise / ЦНППМ-head steps of ``routes transition``."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from lms_bridge.cli.context import AppContext
from lms_bridge.config import Settings
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Correction
from lms_bridge.domain.vocabulary import Role, RouteStatus
from lms_bridge.services.build import build_routes
from lms_bridge.storage.store import SqlRouteStore, make_engine
from lms_bridge.storage.tables import audit, teachers
from tests.cli.conftest import Run
from tests.conftest import make_diagnostic, make_teacher

TODAY = date(2026, 12, 2)
DEV = Actor(Role.DEVELOPER, "Р")


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(AppContext, "today", lambda _self: TODAY)


def registry() -> SqlRouteStore:
    return SqlRouteStore(make_engine(Settings().database_url))


def test_build_skips_expired_diagnostics_and_says_why(run: Run) -> None:
    registry().save_diagnostics(
        [
            (make_teacher(1), make_diagnostic(1, on=date(2026, 11, 20))),
            (make_teacher(2), make_diagnostic(2, on=date(2023, 1, 10))),  # valid to 31.12.2024
        ]
    )
    r = run("routes", "build")
    assert r.exit_code == 0
    assert "составлено маршрутов: 1" in r.output
    assert "пропущено: 1" in r.output
    assert (
        "пропущен: Иванова2 Мария Петровна <teacher2@school.ru> (МБОУ «СОШ № 1») — диагностика от 10.01.2023 "
        "действительна до 31.12.2024 (000 §1.8): нужна новая диагностика"
    ) in r.output
    again = json.loads(run("routes", "build", "--json").output)  # nothing new; the stale one still listed
    assert again["built"] == 0
    assert [(k["email"], k["diagnostic_on"]) for k in again["skipped"]] == [
        ("teacher2@school.ru", "2023-01-10")
    ]
    assert [x["teacher"] for x in json.loads(run("routes", "list", "--json").output)] == [
        "Иванова1 Мария Петровна"
    ]


def test_build_validity_is_a_setting(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    registry().save_diagnostics([(make_teacher(1), make_diagnostic(1, on=date(2025, 1, 10)))])
    monkeypatch.setenv("LMS_BRIDGE_DIAGNOSTIC_VALID_YEARS", "0")  # to the end of the same year
    assert "пропущено: 1" in run("routes", "build").output
    monkeypatch.setenv("LMS_BRIDGE_DIAGNOSTIC_VALID_YEARS", "1")
    assert "составлено маршрутов: 1" in run("routes", "build").output


def seed_finished() -> list[str]:
    """Three routes: completed 01.06.2025 (past the 1-year keeping), cancelled 15.12.2025 (not yet),
    in progress (never archived)."""
    store = registry()
    store.save_diagnostics([(make_teacher(i), make_diagnostic(i, on=date(2025, 3, 1))) for i in (1, 2, 3)])
    build_routes(store, region="74", today=date(2025, 3, 3), actor=DEV)
    first, second, third = store.list_routes()
    fix = Correction(
        datetime(2025, 4, 1, 9, 0), "болезнь педагога", "Смирнова О.В. (куратор)", "Семинар", "Вебинар"
    )
    store.save_route(
        replace(
            first,
            status=RouteStatus.COMPLETED,
            closed_on=date(2025, 6, 1),
            conclusion="Дефициты устранены",
            corrections=(fix,),
        ),
        DEV,
        "complete",
    )
    store.save_route(
        replace(second, status=RouteStatus.CANCELLED, closed_on=date(2025, 12, 15)), DEV, "cancel"
    )
    store.save_route(replace(third, status=RouteStatus.IN_PROGRESS), DEV, "start")
    store.engine.dispose()
    return [first.number, second.number, third.number]


def test_archive_is_a_dry_run_until_applied_then_idempotent_and_audited(run: Run) -> None:
    done, cancelled, open_ = seed_finished()
    dry = run("routes", "archive")
    assert dry.exit_code == 0
    assert "будет перенесено в архив: 1" in dry.output
    assert done in dry.output
    assert "пробный запуск: ничего не изменено" in dry.output
    assert len(json.loads(run("routes", "list", "--json").output)) == 3  # nothing moved

    applied = json.loads(run("routes", "archive", "--apply", "--json").output)
    assert applied["applied"] is True
    assert [(d["number"], d["closed_on"], d["due_on"]) for d in applied["archived"]] == [
        (done, "2025-06-01", "2026-06-01")
    ]
    working = [x["number"] for x in json.loads(run("routes", "list", "--json").output)]
    assert working == [cancelled, open_]  # the archive leaves the working list
    archived = [x["number"] for x in json.loads(run("routes", "list", "--archived", "--json").output)]
    assert archived == [done]
    shown = json.loads(run("routes", "show", done, "--json").output)  # the card stays available
    assert shown["archived_on"] == TODAY.isoformat()
    assert shown["teacher"]["email"] == "teacher1@school.ru"
    history = json.loads(run("routes", "history", done, "--json").output)
    assert history[-1]["action"] == "archive"
    assert "01.06.2026" in history[-1]["details"]

    again = run("routes", "archive", "--apply")
    assert "перенесено в архив: 0" in again.output
    assert [e["action"] for e in json.loads(run("routes", "history", done, "--json").output)].count(
        "archive"
    ) == 1


def test_purge_removes_personal_data_and_keeps_the_figures(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    done, _, _ = seed_finished()
    monkeypatch.setenv("LMS_BRIDGE_PURGE_AFTER_YEARS", "0")  # purge as soon as archived
    before = json.loads(run("routes", "show", done, "--json").output)
    dry = run("routes", "archive", "--purge")
    assert "будет обезличено: 1" in dry.output
    assert done in dry.output
    assert (
        json.loads(run("routes", "show", done, "--json").output)["teacher"]["email"] == "teacher1@school.ru"
    )

    r = run("routes", "archive", "--purge", "--apply")
    assert r.exit_code == 0
    assert "перенесено в архив: 1" in r.output
    assert "обезличено: 1" in r.output
    after = json.loads(run("routes", "show", done, "--json").output)
    assert after["purged_on"] == TODAY.isoformat()
    assert after["teacher"]["last_name"] == "Данные обезличены"
    assert after["teacher"]["school"] == "МБОУ «СОШ № 1»"
    assert after["progress"] == before["progress"]
    assert after["status"] == "completed"
    assert after["diagnostic"]["levels"] == before["diagnostic"]["levels"]
    assert after["diagnostic"]["deficit_codes"] == before["diagnostic"]["deficit_codes"]
    assert (after["conclusion"], after["corrections"][0]["reason"], after["corrections"][0]["author"]) == (
        "",
        "",
        "",
    )
    dump = json.dumps(after, ensure_ascii=False) + run("routes", "history", done).output
    for personal in ("teacher1@school.ru", "Иванова1", "Дефициты устранены", "болезнь педагога", "Смирнова"):
        assert personal not in dump, personal
    engine = make_engine(Settings().database_url)
    with engine.connect() as c:  # the person's row is gone: nothing else referred to it
        assert (
            c.execute(select(teachers.c.id).where(teachers.c.email == "teacher1@school.ru")).first() is None
        )
        lines = c.execute(select(func.count()).select_from(audit).where(audit.c.subject == done)).scalar()
    engine.dispose()
    again = run("routes", "archive", "--purge", "--apply")
    assert "обезличено: 0" in again.output
    assert lines == len(json.loads(run("routes", "history", done, "--json").output))


def test_finalise_and_the_centre_heads_agreement(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    registry().save_diagnostics([(make_teacher(1), make_diagnostic(1, on=date(2026, 11, 20)))])
    run("routes", "build")
    (number,) = [x["number"] for x in json.loads(run("routes", "list", "--json").output)]
    monkeypatch.setenv("LMS_BRIDGE_CENTRE_HEAD_AGREEMENT", "true")
    for action, actor in (("submit", "developer:Р"), ("finalise", "developer:Р")):
        assert run("routes", "transition", number, action, "--actor", actor).exit_code == 0
    r = run("routes", "transition", number, "approve", "--actor", "head:Петрова А.А.")
    assert r.exit_code == 1
    assert "сначала маршрут согласует руководитель ЦНППМ" in r.output
    r = run("routes", "transition", number, "agree", "--actor", "centre_head:Директор Д.Д.")
    assert r.exit_code == 0
    assert "согласован с руководителем ЦНППМ" in r.output
    assert run("routes", "transition", number, "approve", "--actor", "head:Петрова А.А.").exit_code == 0
    monkeypatch.setenv("LMS_BRIDGE_CENTRE_HEAD_AGREEMENT", "false")
    r = run("routes", "transition", number, "agree", "--actor", "centre_head:Директор Д.Д.")
    assert r.exit_code == 1
    assert "не предусмотрено" in r.output


def test_sign_corrections_and_conclusions(run: Run) -> None:
    done, _, _ = seed_finished()
    r = run("routes", "sign", done, "--correction", "1", "--actor", "teacher:Иванова М.П.")
    assert r.exit_code == 0
    assert "ознакомлен(а) Иванова М.П., 02.12.2026" in r.output
    assert (
        "уже подписано"
        in run("routes", "sign", done, "--correction", "1", "--actor", "teacher:Иванова М.П.").output
    )
    assert run("routes", "sign", done, "--correction", "1", "--actor", "head:Петрова А.А.").exit_code == 0
    assert run("routes", "sign", done, "--conclusion", "--actor", "teacher:Иванова М.П.").exit_code == 0
    r = run("routes", "sign", done, "--correction", "1", "--actor", "centre:Ц")
    assert r.exit_code == 1
    assert "подписывают куратор ИОМ, руководитель ОО и педагогический работник" in r.output
    assert (
        run("routes", "sign", done, "--actor", "teacher:И").exit_code == 2
    )  # neither --correction nor --conclusion
    card = json.loads(run("routes", "show", done, "--json").output)
    assert [(s["party"], s["name"], s["on"]) for s in card["corrections"][0]["signatures"]] == [
        ("teacher", "Иванова М.П.", "2026-12-02"),
        ("head", "Петрова А.А.", "2026-12-02"),
    ]
    assert card["conclusion_acknowledged_on"] == "2026-12-02"
    shown = run("routes", "show", done).output
    assert "педагогический работник: Иванова М.П., 02.12.2026" in shown
    assert "куратор ИОМ: не подписано" in shown
    assert "С выводами ознакомлен(а): Иванова М.П., 02.12.2026" in shown
    history = run("routes", "history", done).output
    assert "sign" in history
    assert "корректировка № 1: ознакомлен(а) 02.12.2026" in history
