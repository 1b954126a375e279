"""The web card's part «Информация о педагоге» shows the teacher's «Информационная справка»."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from lms_bridge.domain.route import Route
from lms_bridge.storage.store import SqlRouteStore
from tests.web.conftest import Launcher


def test_card_shows_the_information_fields(
    launcher: Launcher, seeded: dict[str, Route], store: SqlRouteStore
) -> None:
    route = seeded["t1"]
    teacher = replace(
        route.teacher,
        attestation_date=date(2023, 4, 20),
        recent_courses="«Функциональная грамотность», 36 ч, 2024",
        degree="кандидат педагогических наук",
        academic_title="Почётный работник воспитания и просвещения РФ",
        awards="Грамота Управления образования (2022)",
        experience_years=13,
    )
    store.save_diagnostics([(teacher, route.diagnostic)])  # the import's upsert
    lid = launcher.session(teacher.email)
    html = launcher.client.get(f"/card/{route.number}?lid={lid}").get_data(as_text=True)
    for text in (
        "<dt>Дата аттестации</dt><dd>20.04.2023</dd>",
        "<dd>«Функциональная грамотность», 36 ч, 2024</dd>",
        "<dd>кандидат педагогических наук</dd>",
        "<dd>Почётный работник воспитания и просвещения РФ</dd>",
        "<dd>Грамота Управления образования (2022)</dd>",
        "<dt>Педагогический стаж</dt><dd>13 лет</dd>",  # with its unit, as the DOCX prints it
    ):
        assert text in html, text
