"""The card's «Информационная справка» fields of a teacher: stored, upserted, carried into routes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from alembic import command
from sqlalchemy import text

from lms_bridge.domain.people import Actor, Teacher
from lms_bridge.domain.vocabulary import Role
from lms_bridge.services.build import build_routes
from lms_bridge.storage.migrate import alembic_config, upgrade
from lms_bridge.storage.store import SqlRouteStore, make_engine
from tests.conftest import make_diagnostic, make_teacher

FULL = replace(
    make_teacher(1),
    education="высшее, ЧелГУ, 2008",
    experience_years=0,  # a first-year teacher: zero is a value, not «unknown»
    phone="+7 912 345-67-89",
    attestation_date=date(2024, 3, 28),
    recent_courses="«Функциональная грамотность», 36 ч, 2024; «ФГОС-2021», 72 ч, 2025",
    degree="кандидат педагогических наук",
    academic_title="Почётный работник воспитания и просвещения РФ",
    awards="Грамота Минпросвещения России (2023)",
    self_education_theme="Смысловое чтение на уроках математики",
)


def test_information_fields_round_trip(store: SqlRouteStore) -> None:
    store.save_diagnostics([(FULL, make_diagnostic(1))])
    assert store.find_teacher(FULL.email) == FULL
    ((teacher, _),) = store.list_unrouted()
    assert teacher == FULL


def test_routes_build_carries_the_teacher_and_the_self_education_theme(store: SqlRouteStore) -> None:
    store.save_diagnostics([(FULL, make_diagnostic(1)), (make_teacher(2), make_diagnostic(2))])
    build_routes(store, region="74", today=date(2026, 9, 20), actor=Actor(Role.DEVELOPER, "Р.Р."))
    first, second = store.list_routes()
    assert first.teacher == FULL
    assert first.self_education_theme == "Смысловое чтение на уроках математики"
    assert second.self_education_theme == ""


def test_a_blank_later_value_keeps_the_known_one_and_a_new_value_replaces_it(store: SqlRouteStore) -> None:
    store.save_diagnostics([(FULL, make_diagnostic(1))])
    later = replace(make_teacher(1), category="высшая", phone="+7 900 000-00-00")  # other fields blank
    store.save_diagnostics([(later, make_diagnostic(1, on=date(2026, 11, 1)))])
    assert store.find_teacher(FULL.email) == replace(FULL, category="высшая", phone="+7 900 000-00-00")


def test_rows_of_one_file_merge_in_order(store: SqlRouteStore) -> None:
    blank = make_teacher(1)
    store.save_diagnostics(
        [
            (FULL, make_diagnostic(1)),
            (replace(blank, degree="доктор наук"), make_diagnostic(1, on=date(2026, 10, 1))),
        ]
    )
    assert store.find_teacher(FULL.email) == replace(FULL, degree="доктор наук")


def test_migration_fills_teachers_stored_before_it(db_url: str) -> None:
    command.downgrade(alembic_config(db_url), "0003_sync")
    engine = make_engine(db_url)
    try:
        with engine.begin() as c:  # a teacher as 0003 stored it (the table has no new columns yet)
            c.execute(
                text(
                    "INSERT INTO teachers (email, last_name, first_name, middle_name, school, municipality,"
                    " position, subject, category, staff_role, education, phone)"
                    " VALUES ('old@school.ru', 'Старова', 'Анна', '', '', '', '', '', '', 'teacher', '', '')"
                )
            )
        upgrade(db_url)
        assert SqlRouteStore(engine).find_teacher("old@school.ru") == Teacher(
            "old@school.ru", "Старова", "Анна"
        )
    finally:
        engine.dispose()
