import json
from datetime import date

from lms_bridge.config import Settings
from lms_bridge.domain.people import Actor
from lms_bridge.domain.vocabulary import Role
from lms_bridge.services.build import build_routes
from lms_bridge.storage.store import SqlRouteStore, make_engine
from tests.cli.conftest import Run
from tests.conftest import make_diagnostic, make_teacher


def seed_routes(n: int = 2) -> None:
    store = SqlRouteStore(make_engine(Settings().database_url))
    store.save_diagnostics(
        [(make_teacher(i), make_diagnostic(i, on=date(2026, 1, 12))) for i in range(1, n + 1)]
    )
    build_routes(store, region="74", today=date(2026, 1, 13), actor=Actor(Role.DEVELOPER, "Р"))
    store.engine.dispose()


def test_workflow_through_the_cli(run: Run) -> None:
    seed_routes()
    r = run("routes", "transition", "74-2026-000001", "submit", "--actor", "developer:Разработчик Р.Р.")
    assert r.exit_code == 0 and "на согласовании" in r.output
    r = run("routes", "transition", "74-2026-000001", "approve", "--actor", "teacher:Иванова М.П.")
    assert r.exit_code == 1 and "руководитель ОО" in r.output
    r = run("routes", "transition", "74-2026-000001", "approve", "--actor", "head:Петрова А.А.")
    assert r.exit_code == 0
    shown = json.loads(run("routes", "show", "74-2026-000001", "--json").output)
    assert (shown["status"], shown["approved_by"]) == ("approved", "Петрова А.А.")


def test_list_filters_and_overdue(run: Run) -> None:
    seed_routes(3)
    listed = json.loads(run("routes", "list", "--json").output)
    assert [r["number"] for r in listed] == ["74-2026-000001", "74-2026-000002", "74-2026-000003"]
    # drafts were due 10 working days after the 2026-01-12 diagnostic: all overdue by now
    overdue = json.loads(run("routes", "list", "--overdue", "--json").output)
    assert len(overdue) == 3 and all(r["overdue"] for r in overdue)
    assert json.loads(run("routes", "list", "--status", "approved", "--json").output) == []
    assert "П1.1" not in json.dumps(listed, ensure_ascii=False)  # the registry carries no diagnostic details


def test_usage_errors_exit_2_and_unknown_route_exits_1(run: Run) -> None:
    assert run("routes", "list", "--status", "nonsense").exit_code == 2
    assert run("routes", "transition", "74-2026-000001", "fly", "--actor", "admin:A").exit_code == 2
    assert run("routes", "transition", "74-2026-000001", "approve", "--actor", "nobody").exit_code == 2
    r = run("routes", "show", "74-2026-999999")
    assert r.exit_code == 1 and "не найден" in r.output


def test_every_command_has_help(run: Run) -> None:
    for args in (
        ["--help"],
        ["routes", "--help"],
        ["routes", "build", "--help"],
        ["db", "upgrade", "--help"],
    ):
        r = run(*args)
        assert r.exit_code == 0 and "Usage" in r.output
