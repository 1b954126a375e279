"""The route cycle through the registry: re-diagnostic imports become final diagnostics, the next route
after completion or cancellation, prolonging without duplicates, events, product and its file."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from course_map.models import CourseEntry
from lms_bridge.domain.final_events import EventDraft
from lms_bridge.domain.people import SYSTEM, Actor
from lms_bridge.domain.vocabulary import Block, Level, ProductKind, Role, RouteStatus
from lms_bridge.errors import NotFound, ValidationError, WorkflowError
from lms_bridge.importers.diagnostics import ParsedDiagnostics
from lms_bridge.services import route_actions, route_results
from lms_bridge.services.build import build_routes
from lms_bridge.services.imports import ImportResult, import_diagnostics
from lms_bridge.services.route_results import Upload
from lms_bridge.storage.migrate import upgrade
from lms_bridge.storage.store import SqlRouteStore, make_engine
from tests.conftest import make_diagnostic, make_teacher

DEV = Actor(Role.DEVELOPER, "Р")
HEAD = Actor(Role.HEAD, "Петрова А.А.")
CURATOR = Actor(Role.CURATOR, "Смирнова О.В.")
TEACHER = Actor(Role.TEACHER, "Иванова М.П.")
NUMBER = "74-2026-000001"


def imported(store: SqlRouteStore, on: date, codes: tuple[str, ...] = ("М2.3",)) -> ImportResult:
    levels = {Block.SUBJECT: Level.ADVANCED, Block.METHODICAL: Level.BASIC}
    parsed = ParsedDiagnostics(
        "повторная.csv", rows=[(make_teacher(), make_diagnostic(codes=codes, on=on, levels=levels))]
    )
    return import_diagnostics(store, parsed)


@pytest.fixture
def running(store: SqlRouteStore) -> SqlRouteStore:
    """One route in progress: diagnostic 15.09.2026, drafted 20.09, started 01.10.2026."""
    store.replace_course_map(
        [CourseEntry("PK-1", "Курс", deficit_codes=("П1.1",), blocks=(Block.SUBJECT,), hours=36)],
        Actor(Role.COURSE_ADMIN, "А"),
    )
    store.save_diagnostics([(make_teacher(), make_diagnostic())])
    build_routes(store, region="74", today=date(2026, 9, 20), actor=DEV)
    for action, actor in (("submit", DEV), ("finalise", DEV), ("approve", HEAD), ("start", CURATOR)):
        route_actions.move(store, NUMBER, action, actor, date(2026, 10, 1))
    return store


def test_an_imported_rediagnostic_becomes_the_final_diagnostic(running: SqlRouteStore) -> None:
    result = imported(running, date(2027, 5, 10))
    assert result.finals == (NUMBER,)
    r = running.get_route(NUMBER)
    assert (r.final_diagnostic_on, r.final_source, r.final_codes) == (date(2027, 5, 10), "import", ("М2.3",))
    assert r.dynamics()[Block.SUBJECT] == 2
    assert r.deficits_gone() == ("П1.1",)
    assert r.started_on == date(2026, 10, 1)
    assert any(e.action == "final diagnostic" for e in running.list_audit(NUMBER))
    assert imported(running, date(2027, 5, 10)).finals == ()  # the same file again changes nothing
    # no second route while this one is open
    assert build_routes(running, region="74", today=date(2027, 5, 11), actor=DEV).built == 0


def test_a_diagnostic_before_the_route_start_is_not_final(running: SqlRouteStore) -> None:
    assert imported(running, date(2026, 9, 28)).finals == ()
    assert running.get_route(NUMBER).final_diagnostic_on is None


def test_curator_cannot_overwrite_an_imported_final_diagnostic(running: SqlRouteStore) -> None:
    imported(running, date(2027, 5, 10))
    with pytest.raises(WorkflowError, match="уже загружена"):
        route_actions.conclude(
            running,
            NUMBER,
            CURATOR,
            date(2027, 5, 12),
            final_levels={Block.SUBJECT: Level.HIGH},
            conclusion="x",
        )
    r = route_actions.conclude(
        running, NUMBER, CURATOR, date(2027, 5, 12), final_levels={}, conclusion="успешно"
    )
    assert r.final_levels[Block.SUBJECT] is Level.ADVANCED
    assert r.conclusion == "успешно"


def finish(store: SqlRouteStore) -> None:
    """Everything completion needs, through the services."""
    imported(store, date(2027, 5, 10))
    route_actions.close(store, NUMBER, "1", CURATOR, datetime(2027, 5, 12), reason="курс не состоялся")
    route_results.add_event(store, NUMBER, TEACHER, EventDraft("открытый урок", "Урок"))
    route_results.mark_event_held(
        store, NUMBER, TEACHER, "1", on=date(2027, 5, 15), today=date(2027, 5, 20), note="7А"
    )
    route_results.confirm_event(store, NUMBER, CURATOR, "1")
    route_actions.conclude(store, NUMBER, CURATOR, date(2027, 5, 20), final_levels={}, conclusion="успешно")
    route_actions.move(store, NUMBER, "complete", CURATOR, date(2027, 5, 21))


def test_after_completion_a_new_diagnostic_starts_the_next_route(running: SqlRouteStore) -> None:
    finish(running)
    done = running.get_route(NUMBER)
    assert (done.status, done.completed_on) == (RouteStatus.COMPLETED, date(2027, 5, 21))
    # the re-diagnostic that closed the route is the entry of the next one
    summary = build_routes(running, region="74", today=date(2027, 5, 24), actor=DEV)
    assert summary.built == 1
    (nxt,) = [r for r in running.list_routes() if r.number != NUMBER]
    assert (nxt.previous_number, nxt.diagnostic.date, nxt.status) == (
        NUMBER,
        date(2027, 5, 10),
        RouteStatus.DRAFT,
    )
    history = running.list_teacher_routes(make_teacher().email)
    assert [r.number for r in history] == [NUMBER, nxt.number]
    assert build_routes(running, region="74", today=date(2027, 5, 25), actor=DEV).built == 0  # idempotent


def test_after_cancellation_only_a_new_diagnostic_starts_a_route(running: SqlRouteStore) -> None:
    route_actions.move(running, NUMBER, "cancel", Actor(Role.CENTRE, "Ц"), date(2026, 11, 1))
    assert build_routes(running, region="74", today=date(2026, 11, 2), actor=DEV).built == 0
    running.save_diagnostics([(make_teacher(), make_diagnostic(on=date(2026, 11, 5)))])
    assert build_routes(running, region="74", today=date(2026, 11, 6), actor=DEV).built == 1
    nxt = running.get_route("74-2026-000002")
    assert nxt.previous_number == NUMBER


def test_a_prolonged_route_is_extended_not_duplicated(running: SqlRouteStore) -> None:
    r = route_actions.move(
        running, NUMBER, "prolong", CURATOR, date(2027, 9, 1), new_end=date(2028, 3, 31), max_months=24
    )
    assert (r.status, r.end) == (RouteStatus.PROLONGED, date(2028, 3, 31))
    running.save_diagnostics([(make_teacher(), make_diagnostic(on=date(2027, 9, 10)))])
    assert build_routes(running, region="74", today=date(2027, 9, 11), actor=DEV).built == 0
    assert len(running.list_routes()) == 1
    assert running.get_route(NUMBER).final_diagnostic_on is None  # saved directly, not through the import
    assert imported(running, date(2027, 9, 12)).finals == (NUMBER,)  # a prolonged route takes it


def test_events_product_and_reflection_are_kept(running: SqlRouteStore) -> None:
    route_results.add_event(running, NUMBER, CURATOR, EventDraft("мастер-класс", "Параметры"))
    route_results.add_event(running, NUMBER, TEACHER, EventDraft("доклад", "Опыт", start=date(2027, 4, 1)))
    pdf = b"%PDF-1.4\n" + b"x" * 2048
    route_results.save_product(
        running,
        NUMBER,
        TEACHER,
        date(2027, 4, 2),
        kind=ProductKind.PROGRAMME,
        title="Рабочая программа курса",
        upload=Upload("программа.pdf", pdf),
    )
    route_results.save_reflection(
        running, NUMBER, TEACHER, date(2027, 4, 3), {"overcome": "П1.1", "helped": "курс"}
    )
    r = running.get_route(NUMBER)
    assert [(e.key, e.form, e.confirmed) for e in r.final_events] == [
        ("1", "мастер-класс", True),
        ("2", "доклад", False),
    ]
    assert r.product is not None
    assert r.product.file is not None
    assert r.product.file.size == len(pdf)
    assert r.reflection is not None
    assert (r.reflection.overcome, r.reflection.written_on) == (
        "П1.1",
        date(2027, 4, 3),
    )
    file, data = running.get_product_file(NUMBER)
    assert (file.name, data) == ("программа.pdf", pdf)
    # a new entry without a file keeps the file; a bad file is refused and nothing is lost
    route_results.save_product(
        running, NUMBER, TEACHER, date(2027, 4, 5), kind=ProductKind.PROGRAMME, title="Программа"
    )
    assert running.get_route(NUMBER).product.file == file  # type: ignore[union-attr]
    with pytest.raises(ValidationError):
        route_results.save_product(
            running,
            NUMBER,
            TEACHER,
            date(2027, 4, 6),
            kind=ProductKind.OTHER,
            title="x",
            upload=Upload("x.exe", b"MZ"),
        )
    assert running.get_product_file(NUMBER)[1] == pdf
    with pytest.raises(NotFound):
        running.get_product_file("74-2026-999999")


def test_system_actor_is_the_importer(running: SqlRouteStore) -> None:
    imported(running, date(2027, 5, 10))
    entry = next(e for e in running.list_audit(NUMBER) if e.action == "final diagnostic")
    assert entry.actor == str(SYSTEM)
    assert "10.05.2027" in entry.details


def test_migration_moves_the_old_final_event_and_marks_typed_levels(tmp_path: Path) -> None:
    """A registry from before 0005: its one final event becomes a row, typed final levels are «curator»,
    and no route item is lost on the way (SQLite must not recreate ``routes``)."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "0004_teacher_information")
    store = SqlRouteStore(make_engine(url))
    old = {
        "teachers": {"email": "t@s.ru", "last_name": "И", "first_name": "М", "staff_role": "teacher"},
        "diagnostics": {
            "teacher_id": 1,
            "kind": "self",
            "date": "2026-01-10",
            "levels": '{"subject": "low"}',
        },
        "routes": {
            "number": "74-2026-000001",
            "teacher_id": 1,
            "diagnostic_id": 1,
            "status": "completed",
            "final_levels": '{"subject": "basic"}',
            "conclusion": "ok",
            "updated_at": "2026-12-01 10:00:00",
            "final_event": json.dumps(
                {
                    "form": "мастер-класс",
                    "title": "Итоги",
                    "level": "school",
                    "on": "2026-11-20",
                    "done": True,
                }
            ),
        },
        "route_items": {
            "route_id": 1,
            "key": "1",
            "category": "exchange",
            "title": "Семинар",
            "level": "school",
            "done": 1,
            "result_source": "teacher",
        },
    }
    with store.engine.begin() as c:
        for table, values in old.items():
            required = [col["name"] for col in inspect(c).get_columns(table) if not col["nullable"]]
            blank = {name: "[]" if name == "deficit_codes" else "" for name in required if name != "id"}
            row = blank | values
            names = ", ".join(f'"{k}"' for k in row)
            c.execute(text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + k for k in row)})"), row)
    upgrade(url)
    r = store.get_route("74-2026-000001")
    store.engine.dispose()
    (event,) = r.final_events
    assert (event.form, event.start, event.held_on, event.held) == (
        "мастер-класс",
        date(2026, 11, 20),
        date(2026, 11, 20),
        True,
    )
    assert (r.final_source, r.final_codes) == ("curator", None)
    assert [(a.title, a.done, a.closed) for a in r.activities] == [("Семинар", True, False)]  # nothing lost
