from __future__ import annotations

from dataclasses import replace
from importlib.resources import files

import pytest
from lxml import etree

from lms_bridge.domain import vocabulary as v
from lms_bridge.domain.route import Route
from lms_bridge.errors import ValidationError
from lms_bridge.exporters.card_text import xml_safe
from lms_bridge.exporters.xml_card import NS, route_to_xml, schema, validate
from lms_bridge.exporters.xml_card_reader import route_from_xml
from tests.conftest import make_diagnostic, make_teacher
from tests.exporters.sample import full_route

N = {"c": NS}


def draft() -> Route:
    return Route(number="74-2026-000001", teacher=make_teacher(1), diagnostic=make_diagnostic(1))


@pytest.mark.parametrize("route", [full_route(), draft()], ids=["full", "draft"])
def test_exports_validate_against_the_published_schema(route: Route) -> None:
    data = route_to_xml(route)
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert schema().validate(etree.fromstring(data)), schema().error_log
    validate(data)  # and the public helper agrees


@pytest.mark.parametrize(
    "route",
    [
        full_route(),
        draft(),
        replace(full_route(), curator_email="", final_events=(), product=None, reflection=None),
    ],
    ids=["full", "draft", "curator-without-email"],
)
def test_round_trip_gives_the_same_route(route: Route) -> None:
    assert route_from_xml(route_to_xml(route)) == route


def test_activities_keep_the_registry_order_although_xml_groups_them_by_category() -> None:
    r = full_route()
    a1, a2, a3 = r.activities
    later_course = replace(a1, key="10", title="Второй курс")
    mixed = replace(r, activities=(a1, a2, a3, later_course))
    assert route_from_xml(route_to_xml(mixed)).activities == mixed.activities


def test_key_values_can_be_read_with_xpath() -> None:
    root = etree.fromstring(route_to_xml(full_route()))
    assert root.get("number") == "67-2026-000042"
    assert root.xpath("string(c:status/@code)", namespaces=N) == "in_progress"
    assert root.xpath("string(c:status)", namespaces=N) == "реализуется"
    assert root.xpath("string(c:teacher/c:fullName)", namespaces=N) == "Иванова7 Мария Петровна"
    assert root.xpath("c:entryDiagnostic/c:deficit/@code", namespaces=N) == ["П1.1", "М2.3", "И4.2"]
    cats = root.xpath("c:roadmap/c:category/@code", namespaces=N)
    assert cats == [c.value for c in v.ActivityCategory]  # all five, even the empty ones
    course = root.xpath("c:roadmap/c:category/c:activity[@lmsCourse='PK-MATH']", namespaces=N)[0]
    assert course.xpath("string(c:mark/@grade)", namespaces=N) == "87.5"
    assert course.xpath("string(c:mark/@on)", namespaces=N) == "2026-11-28"
    assert root.xpath("string(c:finalDiagnostic/c:level[@block='subject']/@dynamics)", namespaces=N) == "2"
    assert root.xpath("string(c:corrections/c:correction/@at)", namespaces=N) == "2027-02-12T10:30:00"


def test_schema_enumerations_match_the_vocabulary() -> None:
    """A new status or level in the code must be published in the XSD too."""
    xsd = etree.fromstring(files("lms_bridge.exporters").joinpath("route_card.xsd").read_bytes())
    xs = {"xs": "http://www.w3.org/2001/XMLSchema"}
    for enum in (
        v.RouteStatus,
        v.StaffRole,
        v.Block,
        v.Level,
        v.DeficitLevel,
        v.DiagnosticKind,
        v.ActivityCategory,
        v.ActivityLevel,
    ):
        published = xsd.xpath(f"xs:simpleType[@name='{enum.__name__}']//xs:enumeration/@value", namespaces=xs)
        assert published == [m.value for m in enum], enum.__name__


def test_a_card_that_breaks_the_schema_is_rejected_with_the_reasons() -> None:
    data = route_to_xml(full_route()).replace(b'code="in_progress"', b'code="finished"')
    with pytest.raises(ValidationError) as e:
        route_from_xml(data)
    assert any("finished" in p.message for p in e.value.problems)
    with pytest.raises(ValidationError):
        validate(b"<routeCard")


def test_control_characters_pasted_from_spreadsheets_do_not_break_the_card() -> None:
    r = full_route()
    dirty = replace(
        r, conclusion="строка 1\x0bстрока 2\x01", teacher=replace(r.teacher, position="учитель\x0c")
    )
    back = route_from_xml(route_to_xml(dirty))
    assert back.conclusion == "строка 1 строка 2"
    assert back.teacher.position == "учитель "
    assert xml_safe("табуляция\tи\nперевод строки") == "табуляция\tи\nперевод строки"
