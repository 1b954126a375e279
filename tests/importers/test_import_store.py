"""Diagnostics into the registry: all or nothing, --partial, re-import, curators."""

from __future__ import annotations

import pytest

from lms_bridge.errors import ValidationError
from lms_bridge.importers.curators import read_curators
from lms_bridge.importers.diagnostics import read_diagnostics
from lms_bridge.services.imports import import_diagnostics
from lms_bridge.storage.store import SqlRouteStore
from tests.importers.helpers import EXAMPLES, TODAY, csv_bytes, row


def test_one_bad_row_leaves_the_registry_untouched(store: SqlRouteStore) -> None:
    import_diagnostics(store, read_diagnostics(csv_bytes([row(1)]), "a.csv", today=TODAY))
    before = store.list_diagnostics(), store.find_teacher("teacher1@school.ru")
    changed = row(1, last_name="Петрова", diagnostic_kind="self")  # would update the teacher and add one
    parsed = read_diagnostics(csv_bytes([changed, row(2), row(3, role="x")]), "b.csv", today=TODAY)
    with pytest.raises(ValidationError) as err:
        import_diagnostics(store, parsed)
    assert [(p.row, p.field) for p in err.value.problems] == [(4, "role")]
    assert (store.list_diagnostics(), store.find_teacher("teacher1@school.ru")) == before
    assert store.find_teacher("teacher2@school.ru") is None


def test_partial_stores_only_the_good_rows(store: SqlRouteStore) -> None:
    parsed = read_diagnostics(csv_bytes([row(1), row(2, email="x"), row(3)]), "a.csv", today=TODAY)
    result = import_diagnostics(store, parsed, partial=True)
    assert (result.added, result.unchanged, result.rejected) == (2, 0, 1)
    assert [(p.row, p.field) for p in result.problems] == [(3, "email")]
    assert sorted(d.teacher_email for d in store.list_diagnostics()) == [
        "teacher1@school.ru",
        "teacher3@school.ru",
    ]


def test_partial_with_nothing_good_stores_nothing(store: SqlRouteStore) -> None:
    parsed = read_diagnostics(csv_bytes([row(1, email="x")]), "a.csv", today=TODAY)
    result = import_diagnostics(store, parsed, partial=True)
    assert (result.added, result.rejected) == (0, 1)
    assert store.list_diagnostics() == []


def test_reimport_changes_nothing(store: SqlRouteStore) -> None:
    data = (EXAMPLES / "diagnostics.csv").read_bytes()
    first = import_diagnostics(store, read_diagnostics(data, "d.csv", today=TODAY))
    stored = store.list_diagnostics()
    again = import_diagnostics(store, read_diagnostics(data, "d.csv", today=TODAY))
    assert (first.added, first.unchanged) == (26, 0)
    assert (again.added, again.unchanged) == (0, 26)
    assert store.list_diagnostics() == stored


def test_new_diagnostic_of_a_known_teacher_updates_the_teacher(store: SqlRouteStore) -> None:
    import_diagnostics(store, read_diagnostics(csv_bytes([row(1)]), "a.csv", today=TODAY))
    later = row(1, diagnostic_date="2026-11-01", category="высшая")
    result = import_diagnostics(store, read_diagnostics(csv_bytes([later]), "b.csv", today=TODAY))
    assert result.added == 1
    teacher = store.find_teacher("teacher1@school.ru")
    assert teacher is not None
    assert teacher.category == "высшая"
    assert len(store.list_diagnostics()) == 2


def test_curators_import_is_idempotent_and_validated(store: SqlRouteStore) -> None:
    curators = read_curators((EXAMPLES / "curators.csv").read_bytes(), "curators.csv")
    store.save_curators(curators)
    store.save_curators(curators)
    assert sorted(c.email for c in store.list_curators()) == sorted(c.email for c in curators)
    assert {c.kind.value for c in curators} == {"methodist", "lecturer", "union_head", "mentor"}


def test_curator_rows_are_checked_row_by_row() -> None:
    data = (
        "Электронная почта;ФИО;Вид куратора;Предмет\n"
        "a@ipk.ru;Смирнова О.В.;региональный методист;\n"
        "b@ipk;Орлова Т.С.;преподаватель;математика\n"
        "c@ipk.ru;;наставник;\n"
        "d@ipk.ru;Белова Н.В.;завуч;\n"
        "A@ipk.ru;Смирнова О.В.;methodist;\n"
    ).encode()
    with pytest.raises(ValidationError) as err:
        read_curators(data, "c.csv")
    assert [(p.row, p.field) for p in err.value.problems] == [
        (3, "Электронная почта"),
        (4, "ФИО"),
        (5, "Вид куратора"),
        (6, "Электронная почта"),  # the same curator twice
    ]
