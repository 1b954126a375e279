"""One redaction for every output (003 App. 2 §6.3–6.4): every field of the page, the API, the DOCX, the XML
and the JSON card, for every role. Diagnostic results (levels, final levels, deficit codes and level,
recommendations, dynamics) reach the teacher, the curator and ЦНППМ staff; a head of school gets none of them,
and each output says they are withheld and why instead of printing a value that is not true."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from io import BytesIO
from typing import Any

import docx
import pytest
from flask import Flask
from lxml import etree

from lms_bridge.domain.access import WITHHELD, Recipient, redact_for
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import DeficitLevel, Level, Role
from lms_bridge.exporters.docx_card import route_card_docx
from lms_bridge.exporters.json_card import route_to_dict
from lms_bridge.exporters.xml_card import route_to_xml, validate
from lms_bridge.exporters.xml_card_reader import route_from_xml
from lms_bridge.ports import Principal
from lms_bridge.storage.launch_store import SqlLaunchStore
from lms_bridge.storage.store import SqlRouteStore
from tests.exporters.sample import ISSUER, full_route
from tests.web.conftest import CURATOR_EMAIL, SCHOOL_1

ROLES = (Role.TEACHER, Role.CURATOR, Role.HEAD, Role.CENTRE, Role.ADMIN)
# Keys that hold diagnostic results (or values computed from them) in the JSON outputs.
DIAGNOSTIC_KEYS = frozenset(
    {
        "levels",
        "level_labels",
        "deficit_codes",
        "deficit_level",
        "deficit_level_label",
        "recommendations",
        "final_levels",
        "final_level_labels",
        "final_diagnostic_on",
        "dynamics",
    }
)
LEVEL_WORDS = {lv.label for lv in Level} | {d.label for d in DeficitLevel}  # низкий … высокий, средний


@pytest.fixture
def route(store: SqlRouteStore) -> Route:
    r = replace(full_route("74-2026-00042"), curator_email=CURATOR_EMAIL)
    r = replace(r, teacher=replace(r.teacher, school=SCHOOL_1))
    store.save_diagnostics([(r.teacher, r.diagnostic)])
    store.add_routes([r], Actor(Role.DEVELOPER, "разработчик"))
    return store.get_route(r.number)


def secrets_of(route: Route) -> set[str]:
    """Strings that only the diagnostic results put in an output."""
    d = route.diagnostic
    return {*d.deficit_codes, d.recommendations, *(a for x in route.activities for a in x.deficit_codes)}


def principal(role: Role, route: Route) -> Principal:
    emails = {Role.TEACHER: route.teacher.email, Role.CURATOR: CURATOR_EMAIL}
    return Principal(role, emails.get(role, f"{role.value}@cnppm.ru"), "Тест", SCHOOL_1)


@pytest.fixture
def web(store: SqlRouteStore, route: Route) -> Iterator[dict[Role, str]]:
    """A launch id per role."""
    launches = SqlLaunchStore(store.engine)
    return {role: launches.open_session(principal(role, route), 1)[0] for role in ROLES}


def leaves(data: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(data, dict):
        for k, v in data.items():
            yield from leaves(v, (*path, str(k)))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from leaves(v, (*path, str(i)))
    else:
        yield path, data


def docx_text(data: bytes) -> str:
    doc = docx.Document(BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        parts.extend(c.text for row in t.rows for c in row.cells)
    return "\n".join(parts)


def xml_values(data: bytes) -> list[str]:
    root = etree.fromstring(data)
    out = []
    for el in root.iter():
        out.extend([el.text or "", *el.attrib.values()])
    return out


def check_json(card: dict[str, Any], route: Route, role: Role) -> None:
    """Every leaf: under a diagnostic key only for roles that see results; no secret anywhere else."""
    secrets = secrets_of(route)
    found = set()
    for path, value in leaves(card):
        in_diag = any(key in DIAGNOSTIC_KEYS for key in path)
        if role is Role.HEAD:
            assert not (in_diag and value is not None), (path, value)
            assert value not in secrets, (path, value)
            assert value not in LEVEL_WORDS | {lv.value for lv in Level}, (path, value)
        elif value in secrets:
            found.add(value)
    if role is Role.HEAD:
        assert card["withheld"] == WITHHELD
        assert card["final_levels"] is None
        assert card["dynamics"] is None
        assert card["final_level_labels"] is None
    else:
        assert found == secrets
        assert card["withheld"] is None
        assert card["final_level_labels"]
        assert card["dynamics"]
        assert card["diagnostic"]["levels"]


def check_text(text: str, route: Route, role: Role) -> None:
    """A document or a page: the secrets and level words only where allowed; the reason where not."""
    words = {w for w in LEVEL_WORDS if w in text.lower()}
    present = {s for s in secrets_of(route) if s in text}
    if role is Role.HEAD:
        assert present == set()
        assert words == set()
        assert WITHHELD in text
        for false_value in ("не оценивался", "не выявлены", "Уровень профессиональных дефицитов"):
            assert false_value not in text
    else:
        assert present == secrets_of(route)
        assert {Level.LOW.label, Level.ADVANCED.label} <= words
        assert WITHHELD not in text


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_page(app: Flask, web: dict[Role, str], route: Route, role: Role) -> None:
    resp = app.test_client().get(f"/card/{route.number}?lid={web[role]}")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    check_text(html, route, role)
    assert ('class="chart"' in html) is (role is not Role.HEAD)  # the levels chart


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_api_card(app: Flask, web: dict[Role, str], route: Route, role: Role) -> None:
    resp = app.test_client().get(f"/api/v1/routes/{route.number}", headers={"X-Launch-Id": web[role]})
    assert resp.status_code == 200
    check_json(resp.get_json(), route, role)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_docx_from_the_page(app: Flask, web: dict[Role, str], route: Route, role: Role) -> None:
    resp = app.test_client().get(f"/card/{route.number}/card.docx?lid={web[role]}")
    assert resp.status_code == 200
    check_text(docx_text(resp.data), route, role)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_file_exports(route: Route, role: Role) -> None:
    """The exporters as the CLI runs them for a recipient (``routes export --for ROLE``)."""
    shown = redact_for(route, Recipient(role))
    check_json(json.loads(json.dumps(route_to_dict(shown))), route, role)
    check_text(docx_text(route_card_docx(shown, ISSUER)), route, role)
    xml = route_to_xml(shown)
    validate(xml)
    values = xml_values(xml)
    assert (WITHHELD in values) is (role is Role.HEAD)
    if role is Role.HEAD:
        assert not set(values) & (secrets_of(route) | LEVEL_WORDS | {lv.value for lv in Level})
        root = etree.fromstring(xml)
        assert not [el for el in root.iter() if "dynamics" in el.attrib or "deficitLevel" in el.attrib]
    else:
        assert secrets_of(route) <= set(values)


def test_head_card_from_the_page_names_the_reason_and_no_false_level(
    app: Flask, web: dict[Role, str], route: Route
) -> None:
    """The DOCX the head signs: the teacher's level is high with deficits; the copy must not say «низкий»
    or «не выявлены», but that the results are withheld (прил. 2, п. 6.3)."""
    resp = app.test_client().get(f"/card/{route.number}/card.docx?lid={web[Role.HEAD]}")
    text = docx_text(resp.data)
    assert "2.3. Результаты диагностики: " + WITHHELD in text
    assert "6.1. Итоговая диагностика и динамика: " + WITHHELD in text
    assert text.count("не передаются") >= len(route.activities)  # the roadmap's deficit column


def test_a_redacted_copy_is_never_stored(store: SqlRouteStore, route: Route) -> None:
    shown = redact_for(route, Recipient(Role.HEAD))
    with pytest.raises(ValueError, match="не сохраняется"):
        store.save_route(shown, Actor(Role.HEAD, "Петрова"), "approve")
    assert store.get_route(route.number).diagnostic.deficit_codes == route.diagnostic.deficit_codes


def test_a_redacted_xml_card_reads_back_as_redacted(route: Route) -> None:
    back = route_from_xml(route_to_xml(redact_for(route, Recipient(Role.HEAD))))
    assert back.withheld == WITHHELD
    assert back.diagnostic.levels == {}
    assert back.final_levels == {}
