"""The printed card read back as a methodist would read it: headings, table cells, Russian labels."""

from __future__ import annotations

from dataclasses import replace
from io import BytesIO
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm

from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import ActivityCategory, RouteStatus
from lms_bridge.exporters.docx_card import ROADMAP_HEADER, route_card_docx
from tests.conftest import make_diagnostic, make_teacher
from tests.exporters.sample import ISSUER, full_route

HEADINGS = [
    "1. Информационная справка о педагогическом работнике",
    "2. Результаты диагностики профессиональных дефицитов",
    "3. Дорожная карта по устранению выявленных дефицитов",
    "4. Сведения о корректировке ИОМ (лист корректировок)",
    "5. Итоговое (заключительное) публичное мероприятие",
    "6. Итоги прохождения ИОМ",
]


def read(route: Route) -> Any:
    return docx.Document(BytesIO(route_card_docx(route, ISSUER)))


def text_of(doc: Any) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


def table_starting(doc: Any, first_cell: str, columns: int | None = None) -> Any:
    found = [
        t for t in doc.tables if t.rows[0].cells[0].text == first_cell and columns in (None, len(t.columns))
    ]
    assert len(found) == 1, f"one table starting with «{first_cell}» expected"
    return found[0]


def pairs(t: Any) -> dict[str, str]:
    return {r.cells[0].text: r.cells[1].text for r in t.rows}


@pytest.fixture(scope="module")
def card() -> Any:
    return read(full_route())


def test_every_part_of_the_card_is_there_in_order(card: Any) -> None:
    headings = [p.text for p in card.paragraphs if p.style.name == "Heading 1"]
    assert headings == HEADINGS
    titles = [p.text for p in card.paragraphs if p.style.name == "Title"]
    assert titles == ["Индивидуальный образовательный маршрут № 67-2026-000042"]


def test_a4_portrait(card: Any) -> None:
    section = card.sections[0]
    # stored in twentieths of a point: equal to the millimetre within rounding
    assert abs(section.page_width - Mm(210)) < Mm(0.1)
    assert abs(section.page_height - Mm(297)) < Mm(0.1)


def test_title_page_names_issuer_teacher_curator_and_approval(card: Any) -> None:
    text = text_of(card)
    for expected in (
        ISSUER.parent,
        ISSUER.centre,
        "УТВЕРЖДАЮ",
        "__________ / Петрова А.А.",
        "29.09.2026",
        "г. Смоленск\n2026 год",
    ):
        assert expected in text
    title = pairs(card.tables[0])
    assert title == {
        "ФИО педагогического работника": "Иванова7 Мария Петровна",
        "Образовательная организация": "МБОУ «СОШ № 1»",
        "Должность": "учитель",
        "ФИО тьютора (куратора ИОМ)": "Смирнова Ольга Викторовна",
    }


def test_information_holds_every_teacher_field(card: Any) -> None:
    info = pairs(table_starting(card, "Фамилия Имя Отчество"))
    assert info == {
        "Фамилия Имя Отчество": "Иванова7 Мария Петровна",
        "Образовательная организация": "МБОУ «СОШ № 1»",
        "Муниципальное образование": "г. Смоленск",
        "Должность": "учитель",
        "Преподаваемый предмет": "математика",
        "Образование": "высшее, СмолГУ, 2010",
        "Педагогический стаж": "14 лет",
        "Квалификационная категория": "первая",
        "Дата аттестации": "30.03.2023",
        "Курсы повышения квалификации (за последние 3 года)": "«Функциональная грамотность», 36 ч, 2024; "
        "«ФГОС ООО», 72 ч, 2025",
        "Учёная степень": "кандидат педагогических наук",
        "Звание": "Почётный работник воспитания и просвещения РФ",
        "Награды, поощрения": "Грамота Департамента Смоленской области по образованию (2022)",
        "Контактный телефон (моб.)": "+7 900 123-45-67",
        "Электронная почта": "teacher7@school.ru",
        "Тема самообразования": "Формирование функциональной грамотности на уроках математики",
    }


def test_entry_diagnostics(card: Any) -> None:
    text = text_of(card)
    assert "2.1. Вид диагностики профессиональных дефицитов: стандартизированная оценка" in text
    assert "2.2. Дата диагностики: 15.09.2026" in text
    assert "Выявленные дефициты (коды): П1.1, М2.3, И4.2" in text
    assert "Уровень профессиональных дефицитов: высокий" in text
    assert "2.4. Рекомендации: курсы ПК по предмету; посещение уроков учителей-методистов" in text
    levels = pairs(table_starting(card, "Блок компетенций", 2))
    assert levels == {
        "Блок компетенций": "Уровень сформированности",
        "предметные": "низкий",
        "методические": "базовый",
        "психолого-педагогические": "повышенный",
        "коммуникативные": "высокий",
        "ИКТ-компетенции": "базовый",
    }


def roadmap(doc: Any) -> dict[str, list[list[str]]]:
    """Category (first line of the merged first cell) → its rows' other cells."""
    t = table_starting(doc, ROADMAP_HEADER[0])
    assert [c.text for c in t.rows[0].cells] == list(ROADMAP_HEADER)
    out: dict[str, list[list[str]]] = {}
    for row in t.rows[1:]:
        cells = [c.text for c in row.cells]
        out.setdefault(cells[0].split("\n")[0], []).append(cells[1:])
    return out


def test_roadmap_lists_activities_under_all_five_categories(card: Any) -> None:
    text = text_of(card)
    for line in (
        "Продолжительность прохождения ИОМ: 12 месяцев",
        "Начало: 01.10.2026",
        "Окончание: 30.09.2027",
    ):
        assert line in text
    assert "Статус маршрута: реализуется; выполнено мероприятий: 1 из 3" in text
    rows = roadmap(card)
    assert list(rows) == [c.label.capitalize() for c in ActivityCategory]
    [course] = rows["Получение дополнительных знаний"]
    assert course[0].split("\n") == [
        "1. Предметные компетенции учителя математики",
        "Уровень: региональный",
        "Организатор: ГАУ ДПО СОИРО",
        "Курс в СДО: PK-MATH, 36\u00a0ч",
    ]
    assert course[1:] == [
        "01.10.2026 – 30.11.2026",
        "П1.1",
        "✓ выполнено 28.11.2026\nоценка: 87,5\nпо данным СДО",
        "удостоверение о ПК\n(форма: удостоверение)",
    ]
    [seminar] = rows["Профессиональное развитие и обмен опытом"]
    assert seminar[1:4] == ["10.02.2027", "М2.3", "не выполнено: семинар перенесён организатором"]
    [lesson] = rows["Демонстрация личного опыта"]
    assert lesson[0].split("\n")[1] == "Уровень: ОО"
    assert lesson[2:] == ["М2.3, И4.2", "", "технологическая карта урока\n(форма: методическая разработка)"]
    for empty in ("Наставничество", "Профилактика профессионального выгорания"):
        assert rows[empty] == [["мероприятия не запланированы", "", "", "", ""]]


def test_corrections_final_event_and_results(card: Any) -> None:
    fixes = table_starting(card, "№")
    assert [c.text for c in fixes.rows[1].cells] == [
        "1",
        "12.02.2027",
        "семинар перенесён организатором",
        "Семинар «Формирующее оценивание»",
        "Семинар «Современный урок»",
        # 003 §5.11: each party's acknowledgement with name and date; a blank line while not given
        "внёс: Смирнова О.В. (куратор)\n"
        "куратор ИОМ: Смирнова Ольга Викторовна, 12.02.2027\n"
        "руководитель ОО: ________________\n"
        "педагогический работник: Иванова Мария Петровна, 15.02.2027",
    ]
    event = table_starting(card, "Форма")
    assert [[c.text for c in r.cells] for r in event.rows[1:]] == [
        [
            "мастер-класс",
            "Задачи с параметром в 9 классе",
            "муниципальный",
            "20.05.2027",
            "✓ проведено 20.05.2027\nhttps://mo.example.ru/master-class",
        ],
        [
            "доклад",
            "Опыт работы по ИОМ",
            "ОО",
            "28.08.2027",
            "предложено педагогом (ждёт подтверждения куратора)",
        ],
    ]
    results = table_starting(card, "Блок компетенций", 4)
    assert [[c.text for c in r.cells] for r in results.rows[1:]] == [
        ["предметные", "низкий", "повышенный", "↑2"],
        ["методические", "базовый", "повышенный", "↑"],
        ["психолого-педагогические", "повышенный", "повышенный", "="],
        ["коммуникативные", "высокий", "повышенный", "↓"],
        ["ИКТ-компетенции", "базовый", "базовый", "="],
    ]
    text = text_of(card)
    assert "6.1. Дата итоговой диагностики: 01.09.2027" in text
    assert "Вид итоговой диагностики: стандартизированная оценка (повторная диагностика)" in text
    assert "Преодолённые дефициты: П1.1, М2.3" in text
    assert "Сохраняющиеся дефициты: И4.2" in text
    assert "Технологическая карта урока «Задачи с параметром»" in text
    assert "karta.pdf, 20 КБ" in text
    assert "Что помогло (какие мероприятия были наиболее полезны)?" in text
    assert "курс ПК и мастер-класс" in text
    assert "Начало реализации ИОМ: 02.10.2026" in text
    assert "ИОМ пройден успешно" in text
    assert "Дата следующей диагностики: 01.09.2028" in text
    assert "Дата разработки индивидуального образовательного маршрута: 25.09.2026" in text


def test_signature_lines(card: Any) -> None:
    signatures = card.tables[-1]
    lines = [[c.text for c in r.cells] for r in signatures.rows]
    # 004 Прил. 3: «С выводами ознакомлен(а)» with the teacher's acknowledgement date
    assert lines[0] == [
        "Педагогический работник\nС выводами ознакомлен(а): 03.09.2027",
        "",
        "",
        "Иванова Мария Петровна",
    ]
    assert lines[1][1] == "(подпись)"
    assert lines[2] == ["Куратор (тьютор) ИОМ\nподписано 02.09.2027", "", "", "Смирнова Ольга Викторовна"]
    # the head has not signed the conclusions: no date, the approving head's name to sign by hand
    assert lines[4] == ["Руководитель образовательной организации", "", "", "Петрова А.А."]


def test_unsigned_conclusions_leave_the_date_blank() -> None:
    unsigned = replace(full_route(), conclusion_signatures=())
    lines = [[c.text for c in r.cells] for r in read(unsigned).tables[-1].rows]
    assert lines[0][0] == "Педагогический работник\nС выводами ознакомлен(а): «___» ________ 20__ г."
    assert lines[0][3] == "Иванова7 М.П."


def test_a_fresh_draft_prints_blank_parts_instead_of_failing() -> None:
    draft = Route(number="74-2026-000001", teacher=make_teacher(1), diagnostic=make_diagnostic(1))
    card = read(draft)
    assert [p.text for p in card.paragraphs if p.style.name == "Heading 1"] == HEADINGS
    rows = roadmap(card)
    assert all(r == [["мероприятия не запланированы", "", "", "", ""]] for r in rows.values())
    assert len(rows) == 5
    fixes = table_starting(card, "№")
    assert fixes.rows[1].cells[2].text == "корректировки не вносились"
    text = text_of(card)
    assert "Продолжительность прохождения ИОМ: —" in text
    assert "не запланировано" in text  # no final public event
    assert "«___» __________ 20__ г." in text  # not approved yet: a blank to fill in
    assert "2026 год" in text
    assert "г. Смоленск" in text
    # the unassessed teacher blocks are said to be so, not left out
    assert pairs(table_starting(card, "Блок компетенций", 2))["психолого-педагогические"] == "не оценивался"


def test_manager_blocks_are_printed_for_a_manager() -> None:
    from lms_bridge.domain.vocabulary import Block, Level, StaffRole

    head = replace(make_teacher(2), staff_role=StaffRole.MANAGER, position="директор")
    diagnostic = make_diagnostic(2, levels={Block.PROCESSES: Level.LOW, Block.STAFF: Level.HIGH})
    card = read(Route("74-2026-000002", head, diagnostic, status=RouteStatus.DRAFT))
    levels = pairs(table_starting(card, "Блок компетенций", 2))
    assert levels["управление процессами"] == "низкий"
    assert levels["управление кадрами"] == "высокий"
    assert "предметные" not in levels


def test_pages_after_the_title_carry_the_route_number_and_page_numbers(card: Any) -> None:
    section = card.sections[0]
    assert section.different_first_page_header_footer  # the title page has no footer
    footer = section.footer.paragraphs[0]
    assert footer.text.startswith("Индивидуальный образовательный маршрут № 67-2026-000042 · стр. ")
    instructions = [f.get(qn("w:instr")) for f in footer._p.iter(qn("w:fldSimple"))]
    assert instructions == ["PAGE", "NUMPAGES"]


def test_control_characters_are_dropped_not_fatal() -> None:
    r = full_route()
    card = read(replace(r, conclusion="вывод\x0bпродолжение\x02", self_education_theme="тема\x07"))
    text = text_of(card)
    assert "вывод продолжение" in text
    assert pairs(table_starting(card, "Фамилия Имя Отчество"))["Тема самообразования"] == "тема"


def test_the_product_and_the_reflection_are_printed_with_the_questions() -> None:
    route = full_route()
    text = text_of(read(route))
    assert route.product is not None
    assert route.reflection is not None
    assert "6.2. Образовательный продукт педагога:" in text
    assert f"Вид: {route.product.kind.label}" in text
    assert f"Название: {route.product.title}" in text
    assert f"Ссылка: {route.product.link}" in text
    assert "6.3. Самоанализ педагога (рефлексия):" in text
    for question, answer in route.reflection.answers():
        assert question in text
        assert answer in text
