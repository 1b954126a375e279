"""The card layouts of two regions, beside the Smolensk one in docx_card.py (docs/profiles.md):

- ``bashkortostan`` — 004 Прил. 1–3: «Карта индивидуального образовательного маршрута педагога» with
  «Название учебного заведения, регион», «Дополнительные сведения», «Год реализации ИОМ (учебный)», the
  entry diagnostic as competencies × «Уровень: низкий / средний / высокий», the roadmap, corrections
  (Прил. 2), «Итоги прохождения» (Прил. 3), signed by the regional methodist, the tutor, the head and the
  teacher («С выводами ознакомлен(а)»);
- ``buryatia`` — 001's table: deficit → «Образовательные задачи» → actions → time by stages → form of
  result, then the stages with their dates, and the common end of the card.
"""

from __future__ import annotations

from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import SignatureParty, scale_of
from lms_bridge.exporters import docx_kit as kit
from lms_bridge.exporters.card_text import DASH, Issuer, fmt_date, short_period, years
from lms_bridge.exporters.docx_card import corrections, deficits, roadmap, signatures
from lms_bridge.exporters.docx_results import card_blocks, final_events, results


def _title(doc: Any, text: str, issuer: Issuer) -> None:
    if issuer.parent:
        kit.paragraph(doc, issuer.parent, bold=True, center=True, after=0)
    kit.paragraph(doc, issuer.centre, bold=True, center=True, after=12)
    title = doc.add_paragraph(text, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_after = Pt(12)


def _pairs(doc: Any, rows: tuple[tuple[str, str], ...]) -> None:
    t = kit.table(doc, (6.5, 11.5))
    for label, value in rows:
        cells = kit.add_row(t, (label, value or DASH))
        kit.write(cells[0], label, bold=True)


def bashkortostan(doc: Any, route: Route, issuer: Issuer) -> None:
    _title(doc, f"Карта индивидуального образовательного маршрута педагога № {route.number}", issuer)
    _information_004(doc, route)
    _entry_004(doc, route, issuer)
    roadmap(doc, route)
    corrections(doc, route)
    final_events(doc, route)
    results(doc, route)
    signatures(
        doc,
        route,
        (
            ("Региональный методист", SignatureParty.CURATOR, route.curator_name),
            ("Тьютор", None, route.details.tutor_name),
            ("Руководитель образовательной организации", SignatureParty.HEAD, route.approved_by),
            ("Педагогический работник", SignatureParty.TEACHER, route.teacher.short_name),
        ),
    )


def _information_004(doc: Any, route: Route) -> None:
    doc.add_heading("1. Информационная справка о педагоге", level=1)
    t, d = route.teacher, route.details
    place = ", ".join(x for x in (t.school, d.region) if x)
    _pairs(
        doc,
        (
            ("Название учебного заведения, регион", place),
            ("ФИО педагога, занимаемая должность", ", ".join(x for x in (t.full_name, t.position) if x)),
            ("Образование", t.education),
            ("Педагогический стаж", years(t.experience_years) if t.experience_years is not None else ""),
            ("Квалификационная категория", t.category),
            ("Дата аттестации", fmt_date(t.attestation_date) if t.attestation_date else ""),
            ("Курсы повышения квалификации (за последние 3 года)", t.recent_courses),
            ("Учёная степень", t.degree),
            ("Звание", t.academic_title),
            ("Награды, поощрения", t.awards),
            ("Дополнительные сведения", d.additional_info),
            ("Год реализации ИОМ (учебный)", d.academic_year),
            ("Региональный методист", route.curator_name),
            ("Тьютор", d.tutor_name),
        ),
    )


def _entry_004(doc: Any, route: Route, issuer: Issuer) -> None:
    """Competencies × the scale's levels, the level marked (004 Прил. 1 «Уровень: низкий средний высокий»)."""
    doc.add_heading("2. Результаты входной диагностики профессиональных дефицитов", level=1)
    d = route.diagnostic
    kit.labelled(doc, "Вид диагностики", d.kind.label)
    kit.labelled(doc, "Дата диагностики", fmt_date(d.date))
    if route.withheld:
        kit.labelled(doc, "Результаты диагностики", route.withheld)
        return
    levels = list(d.levels.values())
    scale = issuer.scale if all(lv in issuer.scale for lv in levels) else scale_of(levels)
    width = 9.0 / len(scale)
    t = kit.table(doc, (9.0, *(width,) * len(scale)), header=("Компетенции", *(lv.label for lv in scale)))
    for block in card_blocks(route):
        level = d.levels.get(block)
        kit.add_row(t, (block.label, *("✓" if level is lv else "" for lv in scale)))
    kit.labelled(doc, "Уровень профессиональных дефицитов", d.deficit_level.label)
    deficits(doc, route, issuer)
    kit.labelled(doc, "Рекомендации", d.recommendations or DASH)


BURYATIA_HEADER = (
    "Профессиональные дефициты / Задачи на предстоящий период",
    "Образовательные задачи",
    "Действия, мероприятия по реализации образовательных задач",
    "Примерное время, разбитое по этапам (дд.мм.гг)",
    "Форма предъявления результата",
)


def buryatia(doc: Any, route: Route, issuer: Issuer) -> None:
    _title(doc, f"Индивидуальный образовательный маршрут № {route.number}", issuer)
    t = route.teacher
    position = f"{t.position} ({t.subject})" if t.subject else t.position
    doc.add_heading("1. Сведения о педагоге", level=1)
    _pairs(
        doc,
        (
            ("ФИО полностью", t.full_name),
            ("Образовательная организация", t.school),
            ("Муниципальное образование / район", t.municipality),
            ("Занимаемая должность (предмет)", position),
            ("Квалификационная категория", t.category),
            ("Тема самообразования", route.self_education_theme),
            ("Куратор ИОМ", route.curator_name),
            ("Сроки реализации", short_period(route.start, route.end)),
        ),
    )
    _stages(doc, route)
    doc.add_heading("3. Дефициты, образовательные задачи и мероприятия", level=1)
    _route_table(doc, route, issuer)
    corrections(doc, route)
    final_events(doc, route)
    results(doc, route)
    signatures(doc, route)


def _route_table(doc: Any, route: Route, issuer: Issuer) -> None:
    table = kit.table(doc, (3.6, 3.6, 4.6, 3.0, 3.2), header=BURYATIA_HEADER, style=kit.DENSE_STYLE)
    if route.withheld:  # the school's copy: no deficits, the actions still shown
        _row(table, route.withheld, "", route.activities)
        return
    left = list(route.activities)
    for code in route.diagnostic.deficit_codes:
        aimed = [a for a in route.activities if code in a.deficit_codes]
        left = [a for a in left if a not in aimed]
        _row(table, issuer.deficit(code), route.tasks_for(code), aimed)
    if left:
        _row(table, "Другие мероприятия маршрута", "", left)


def _row(table: Any, deficit: str, tasks: str, acts: list[Activity] | tuple[Activity, ...]) -> None:
    """One line per action; the deficit and its tasks span them (as 001's table is filled in)."""
    dense = kit.DENSE_STYLE
    first = len(table.rows)
    for a in acts or (None,):
        action = f"{a.key}. {a.title}" if a else "мероприятия не запланированы"
        time = short_period(a.start, a.end) if a else ""
        form = (a.result_form or a.result or DASH) if a else ""
        kit.add_row(table, ("", "", action, time, form), style=dense)
    last = len(table.rows) - 1
    for col, text in ((0, deficit), (1, tasks or DASH)):
        cell = table.cell(first, col)
        if last > first:
            cell = cell.merge(table.cell(last, col))
        kit.write(cell, text, style=dense)


def _stages(doc: Any, route: Route) -> None:
    doc.add_heading("2. Этапы реализации маршрута", level=1)
    if not route.details.stages:
        kit.paragraph(doc, "этапы не указаны")
        return
    t = kit.table(doc, (12.5, 5.5), header=("Этап", "Примерное время (дд.мм.гг)"))
    for s in route.details.stages:
        kit.add_row(t, (s.title, short_period(s.start, s.end)))
