"""SqlSyncStore on SQLite and PostgreSQL: what the sync jobs record."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from lms_bridge.domain.people import SYSTEM, Actor
from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import ActivityCategory, Role, RouteStatus
from lms_bridge.ports import Disagreement, LmsLink, Transmission
from lms_bridge.storage.store import make_engine
from lms_bridge.storage.sync_store import SqlSyncStore
from tests.conftest import make_diagnostic, make_teacher

NOW = datetime(2026, 10, 1, 9, 0)


def seeded(db_url: str) -> SqlSyncStore:
    store = SqlSyncStore(make_engine(db_url), clock=lambda: NOW)
    store.save_diagnostics([(make_teacher(1), make_diagnostic(1))])
    course = Activity(
        "1",
        ActivityCategory.KNOWLEDGE,
        "Курс",
        lms_course="PK-MATH",
        result_form="проект",
        start=date(2026, 10, 5),
    )
    route = Route(
        "74-2026-000001",
        make_teacher(1),
        make_diagnostic(1),
        status=RouteStatus.APPROVED,
        curator_email="c@ipk.ru",
        activities=(course, Activity("2", ActivityCategory.EXCHANGE, "Семинар")),
    )
    store.add_routes([route], Actor(Role.DEVELOPER, "Р"))
    return store


def test_transmissions_upsert_and_filter(db_url: str) -> None:
    store = seeded(db_url)
    t = Transmission(
        "74-2026-000001", "1", "PK-MATH", "enrol", "failed", 7, 3, 1, "invalidrecordunknown", "x"
    )
    store.save_transmissions([t])
    store.save_transmissions([replace(t, state="done", attempts=2, error_code="", error_message="")])
    got = store.list_transmissions("enrol")
    assert list(got) == [t.key]
    assert (got[t.key].state, got[t.key].attempts, got[t.key].lms_course_id) == ("done", 2, 3)
    assert store.list_transmissions("enrol", states=("failed",)) == {}
    assert store.lms_course_ids() == {"PK-MATH": 3}
    store.engine.dispose()


def test_links_marks_statuses_and_disagreements(db_url: str) -> None:
    store = seeded(db_url)
    store.save_links([LmsLink("teacher1@school.ru", None, "email", 0, NOW)])
    store.save_links([LmsLink("teacher1@school.ru", 7, "email", 1, NOW)])
    assert store.list_links()["teacher1@school.ru"].lms_user_id == 7

    (item,) = store.list_formal_items([RouteStatus.APPROVED])
    assert (item.key, item.lms_course, item.application_confirmed) == ("1", "PK-MATH", False)
    route = store.get_route("74-2026-000001")
    marked = route.with_activity(
        replace(route.activity("1"), done=True, done_on=date(2026, 11, 1), grade=80.0)
    )
    store.save_item_marks([marked], [("74-2026-000001", "1")], SYSTEM)
    started = replace(marked, status=RouteStatus.IN_PROGRESS, start=date(2026, 10, 1))
    store.save_statuses([started], SYSTEM, "start", "первое зачисление в СДО")
    store.audit_many(SYSTEM, "formal-done", [("74-2026-000001", "все курсы пройдены")])
    again = store.get_route("74-2026-000001")
    assert again.status is RouteStatus.IN_PROGRESS
    assert again.start == date(2026, 10, 1)
    assert again.activity("1").done
    assert again.activity("1").grade == 80
    assert again.activity("1").result_form == "проект"
    assert [e.action for e in store.list_audit("74-2026-000001")][-3:] == ["mark", "start", "formal-done"]

    d = Disagreement("74-2026-000001", "1", "PK-MATH", 80.0, 20.0, 60.0, NOW)
    assert store.add_disagreement(d)
    assert not store.add_disagreement(d)
    assert store.list_disagreements() == [d]
    assert store.resolve_disagreement("74-2026-000001", "1", Actor(Role.CURATOR, "К"), "пересдача")
    assert store.list_disagreements() == []
    assert store.add_disagreement(d)
    store.engine.dispose()


def test_two_tasks_recording_the_same_persons_link_both_succeed(db_url: str) -> None:
    """Two route batches of the task queue look up the same curator: the second write, waiting for the
    first's commit, updates the row instead of failing on the (e-mail, site) key (and losing its batch)."""
    import threading

    first, second = SqlSyncStore(make_engine(db_url)), SqlSyncStore(make_engine(db_url))
    errors: list[BaseException] = []

    def write_second() -> None:
        try:
            with second.transaction():
                second.save_links([LmsLink("curator@ipk.ru", 8, "email", 1, NOW, "north")])
        except BaseException as e:  # reported below
            errors.append(e)

    with first.transaction():
        first.save_links([LmsLink("curator@ipk.ru", 7, "email", 1, NOW, "north")])
        other = threading.Thread(target=write_second)
        other.start()  # it waits for this transaction's lock or runs after it; either way it must succeed
    other.join(timeout=60)
    assert errors == []
    assert [(lk.email, lk.lms_user_id) for lk in first.list_links("north").values()] == [
        ("curator@ipk.ru", 8)
    ]
    first.engine.dispose()
    second.engine.dispose()
