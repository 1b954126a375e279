"""The card's «Информационная справка» in every export: DOCX, XML (and back), JSON."""

from __future__ import annotations

import json
from io import BytesIO

import docx
from lxml import etree

from lms_bridge.domain.route import Route
from lms_bridge.exporters.docx_card import route_card_docx
from lms_bridge.exporters.json_card import route_to_dict
from lms_bridge.exporters.xml_card import NS, route_to_xml
from lms_bridge.exporters.xml_card_reader import route_from_xml
from tests.conftest import make_diagnostic, make_teacher
from tests.exporters.sample import ISSUER, full_route

NEW_ROWS = (
    "Дата аттестации",
    "Курсы повышения квалификации (за последние 3 года)",
    "Учёная степень",
    "Звание",
    "Награды, поощрения",
)


def information(route: Route) -> dict[str, str]:
    doc = docx.Document(BytesIO(route_card_docx(route, ISSUER)))
    (table,) = [t for t in doc.tables if t.rows[0].cells[0].text == "Фамилия Имя Отчество"]
    return {r.cells[0].text: r.cells[1].text for r in table.rows}


def test_docx_rows_follow_the_regulation_order() -> None:
    labels = list(information(full_route()))
    category = labels.index("Квалификационная категория")
    assert labels[category + 1 : category + 1 + len(NEW_ROWS)] == list(NEW_ROWS)
    assert labels[-3:] == ["Контактный телефон (моб.)", "Электронная почта", "Тема самообразования"]


def test_docx_prints_a_dash_for_what_is_not_known() -> None:
    draft = Route(number="74-2026-000001", teacher=make_teacher(1), diagnostic=make_diagnostic(1))
    info = information(draft)
    assert [info[label] for label in NEW_ROWS] == ["—"] * len(NEW_ROWS)


def test_xml_carries_the_fields_and_reads_them_back() -> None:
    route = full_route()
    root = etree.fromstring(route_to_xml(route))
    (teacher,) = root.findall(f"{{{NS}}}teacher")
    values = {el.tag.removeprefix(f"{{{NS}}}"): el.text for el in teacher}
    assert values["attestationDate"] == "2023-03-30"
    assert values["degree"] == "кандидат педагогических наук"
    assert values["academicTitle"] == "Почётный работник воспитания и просвещения РФ"
    assert values["recentCourses"].startswith("«Функциональная грамотность», 36 ч, 2024;")
    assert values["awards"] == route.teacher.awards
    assert values["selfEducationTheme"] == "Функциональная грамотность"
    assert route_from_xml(route_to_xml(route)).teacher == route.teacher


def test_json_teacher_carries_the_fields() -> None:
    route = full_route()
    teacher = json.loads(json.dumps(route_to_dict(route), ensure_ascii=False))["teacher"]
    assert teacher["attestation_date"] == "2023-03-30"
    assert teacher["recent_courses"] == route.teacher.recent_courses
    assert (teacher["degree"], teacher["academic_title"], teacher["awards"]) == (
        route.teacher.degree,
        route.teacher.academic_title,
        route.teacher.awards,
    )
    assert teacher["self_education_theme"] == "Функциональная грамотность"
    assert (teacher["education"], teacher["experience_years"], teacher["phone"]) == (
        "высшее, СмолГУ, 2010",
        14,
        "+7 900 123-45-67",
    )
