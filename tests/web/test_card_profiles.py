"""The card page under a region's profile: deficits named by the codifier, the grade of deficits, the
Bashkortostan card's fields; the school's view names no deficit."""

from __future__ import annotations

from dataclasses import replace

import pytest
from flask import Flask

from lms_bridge.bootstrap import build_web_app
from lms_bridge.config import Settings
from lms_bridge.domain.card_details import CardDetails
from lms_bridge.domain.codifier import DeficitEntry
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import Role
from lms_bridge.storage.store import SqlRouteStore
from tests.web.conftest import HEAD_EMAIL, Launcher

CODIFIER = [
    DeficitEntry("М2.3", "Организация формирующего оценивания"),
    DeficitEntry("П1.1", "Знание преподаваемого предмета"),
]


@pytest.fixture
def app(settings: Settings, store: SqlRouteStore, jwks_server: object) -> Flask:  # noqa: ARG001
    own = settings.model_copy(update={"region_profile": "bashkortostan"})
    return build_web_app(own, store=store)


def test_the_page_names_deficits_and_prints_the_regional_fields(
    launcher: Launcher, seeded: dict[str, Route], store: SqlRouteStore
) -> None:
    route = seeded["t1"]
    store.replace_codifier("bashkortostan", CODIFIER, Actor(Role.CENTRE, "ЦНППМ"))
    details = CardDetails(
        region="Республика Башкортостан", academic_year="2026/2027", tutor_name="Орлова Т.С."
    )
    store.save_route(replace(route, details=details), Actor(Role.DEVELOPER, "Р"), "details")
    html = launcher.client.get(f"/card/{route.number}?lid={launcher.session(route.teacher.email)}").get_data(
        as_text=True
    )
    assert "<li>М2.3 — Организация формирующего оценивания</li>" in html
    assert "Уровень профессиональных дефицитов:</strong> высокий" in html  # the page shows the grade (C11)
    assert "<dt>Год реализации ИОМ (учебный)</dt><dd>2026/2027</dd>" in html
    assert "<dt>Тьютор</dt><dd>Орлова Т.С.</dd>" in html
    head_html = launcher.client.get(f"/card/{route.number}?lid={launcher.session(HEAD_EMAIL)}").get_data(
        as_text=True
    )
    assert "Организация формирующего оценивания" not in head_html
    assert "<dt>Год реализации ИОМ (учебный)</dt><dd>2026/2027</dd>" in head_html
