import json
from datetime import date

from course_map.models import CourseEntry
from lms_bridge.config import Settings
from lms_bridge.domain.people import Actor
from lms_bridge.domain.vocabulary import Block, Role
from lms_bridge.services.build import build_routes
from lms_bridge.storage.store import SqlRouteStore, make_engine
from tests.cli.conftest import Run
from tests.conftest import make_diagnostic, make_teacher


def seed_routes(n: int = 2) -> None:
    store = SqlRouteStore(make_engine(Settings().database_url))
    store.replace_course_map(
        [CourseEntry("DPP-1", "Курс ПК", deficit_codes=("П1.1",), blocks=(Block.SUBJECT,), hours=36)],
        Actor(Role.COURSE_ADMIN, "А"),
    )
    store.save_diagnostics(
        [(make_teacher(i), make_diagnostic(i, on=date(2026, 1, 12))) for i in range(1, n + 1)]
    )
    build_routes(store, region="74", today=date(2026, 1, 13), actor=Actor(Role.DEVELOPER, "Р"))
    store.engine.dispose()


def test_workflow_through_the_cli(run: Run) -> None:
    seed_routes()
    r = run("routes", "transition", "74-2026-000001", "submit", "--actor", "developer:Разработчик Р.Р.")
    assert r.exit_code == 0
    assert "на согласовании" in r.output
    r = run("routes", "transition", "74-2026-000001", "approve", "--actor", "head:Петрова А.А.")
    assert r.exit_code == 1
    assert "сначала разработчик оформляет" in r.output
    r = run("routes", "transition", "74-2026-000001", "finalise", "--actor", "developer:Разработчик Р.Р.")
    assert r.exit_code == 0
    assert "оформлен разработчиком" in r.output
    r = run("routes", "transition", "74-2026-000001", "approve", "--actor", "teacher:Иванова М.П.")
    assert r.exit_code == 1
    assert "руководитель ОО" in r.output
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
    assert len(overdue) == 3
    assert all(r["overdue"] for r in overdue)
    assert json.loads(run("routes", "list", "--status", "approved", "--json").output) == []
    assert "П1.1" not in json.dumps(listed, ensure_ascii=False)  # the registry carries no diagnostic details


def test_usage_errors_exit_2_and_unknown_route_exits_1(run: Run) -> None:
    assert run("routes", "list", "--status", "nonsense").exit_code == 2
    assert run("routes", "transition", "74-2026-000001", "fly", "--actor", "admin:A").exit_code == 2
    assert run("routes", "transition", "74-2026-000001", "approve", "--actor", "nobody").exit_code == 2
    r = run("routes", "show", "74-2026-999999")
    assert r.exit_code == 1
    assert "не найден" in r.output


def test_every_command_has_help(run: Run) -> None:
    for args in (
        ["--help"],
        ["routes", "--help"],
        ["routes", "build", "--help"],
        ["db", "upgrade", "--help"],
    ):
        r = run(*args)
        assert r.exit_code == 0
        assert "Usage" in r.output


def approve_and_start(run: Run, number: str = "74-2026-000001") -> None:
    for action, actor in (
        ("submit", "developer:Р"),
        ("finalise", "developer:Р"),
        ("approve", "head:Петрова А.А."),
        ("start", "curator:К"),
    ):
        assert run("routes", "transition", number, action, "--actor", actor).exit_code == 0


def test_corrections_marks_and_conclusions(run: Run) -> None:
    seed_routes(1)
    approve_and_start(run)
    number = "74-2026-000001"
    r = run("routes", "correct", number, "--actor", "curator:Смирнова О.В.", "--title", "Вебинар «ФГОС»")
    assert r.exit_code == 1
    assert "причину" in r.output  # after approval every change is a correction
    r = run(
        "routes",
        "correct",
        number,
        "--actor",
        "curator:Смирнова О.В.",
        "--title",
        "Вебинар «ФГОС»",
        "--category",
        "обмен",
        "--reason",
        "x",
    )
    assert r.exit_code == 2  # unknown category named
    r = run(
        "routes",
        "correct",
        number,
        "--actor",
        "curator:Смирнова О.В.",
        "--title",
        "Вебинар «ФГОС»",
        "--reason",
        "запрос педагога",
        "--deficits",
        "М2.3",
    )
    assert r.exit_code == 0, r.output
    card = json.loads(run("routes", "show", number, "--json").output)
    new = card["activities"][-1]
    assert (new["title"], new["formal"], new["deficit_codes"]) == ("Вебинар «ФГОС»", False, ["М2.3"])
    assert card["corrections"][0]["reason"] == "запрос педагога"

    assert (
        run(
            "routes",
            "mark",
            number,
            new["key"],
            "--actor",
            "teacher:Иванова М.П.",
            "--result",
            "доклад",
            "--form",
            "выступление",
        ).exit_code
        == 0
    )
    formal = next(a for a in card["activities"] if a["formal"])
    r = run("routes", "mark", number, formal["key"], "--actor", "teacher:Иванова М.П.")
    assert r.exit_code == 1
    assert "итоговой аттестации" in r.output
    assert (
        run("routes", "note", number, formal["key"], "прошла модуль 1", "--actor", "curator:К").exit_code == 0
    )

    r = run(
        "routes",
        "conclude",
        number,
        "--actor",
        "curator:К",
        "--level",
        "subject=повышенный",
        "--conclusion",
        "дефициты устранены",
    )
    assert r.exit_code == 0
    assert "+2" in r.output
    r = run("routes", "transition", number, "complete", "--actor", "curator:К")
    assert r.exit_code == 1  # the course has no LMS result and no final event was held: both named
    assert "нет результата итоговой аттестации в СДО" in r.output
    assert "итоговое публичное мероприятие не проведено" in r.output
    assert "не хватает (2)" in r.output
    close = ("routes", "close", number, formal["key"], "--actor", "curator:К", "--reason", "курс не набран")
    assert run(*close).exit_code == 0
    add = (
        "routes",
        "event",
        "add",
        number,
        "--actor",
        "curator:К",
        "--form",
        "открытый урок",
        "--title",
        "Урок",
    )
    assert run(*add).exit_code == 0
    held = ("routes", "event", "held", number, "1", "--actor", "curator:К", "--note", "в 7 «А»")
    assert run(*held).exit_code == 0
    r = run("routes", "transition", number, "complete", "--actor", "curator:К")
    assert r.exit_code == 0, r.output
    card = json.loads(run("routes", "show", number, "--json").output)
    marked = next(a for a in card["activities"] if a["key"] == new["key"])
    assert (card["status"], marked["done"], marked["result_form"]) == ("completed", True, "выступление")
    assert (
        next(a for a in card["activities"] if a["key"] == formal["key"])["curator_note"] == "прошла модуль 1"
    )


def test_bad_level_names_the_option(run: Run) -> None:
    seed_routes(1)
    approve_and_start(run)
    r = run(
        "routes",
        "conclude",
        "74-2026-000001",
        "--actor",
        "curator:К",
        "--level",
        "subject",
        "--conclusion",
        "x",
    )
    assert r.exit_code == 2
    assert "--level" in r.output


def test_history_shows_who_did_what(run: Run) -> None:
    seed_routes(1)
    approve_and_start(run)
    entries = json.loads(run("routes", "history", "74-2026-000001", "--json").output)
    assert [e["action"] for e in entries] == ["create", "submit", "finalise", "approve", "start"]
    assert entries[3]["actor"] == "Петрова А.А. (руководитель ОО)"
    assert entries[3]["details"] == "finalised → approved"


def test_a_megabyte_proposal_is_refused_and_nothing_is_stored(run: Run) -> None:
    seed_routes(1)
    number = "74-2026-000001"
    history = run("routes", "history", number, "--json").output
    r = run("routes", "propose", number, "-", "--actor", "teacher:Иванова М.П.", input="a" * 1_000_000)
    assert r.exit_code == 1
    assert (
        "поле «Предложение о корректировке»: слишком длинный текст: "
        "не более 4\u00a0000 знаков, а введено 1\u00a0000\u00a0000"
    ) in r.output
    assert run("routes", "history", number, "--json").output == history
    r = run("routes", "propose", number, "заменить вебинар", "--actor", "teacher:Иванова М.П.")
    assert r.exit_code == 0
    assert "заменить вебинар" in run("routes", "history", number).output
