"""The printed route card («Карта ИОМ») as a DOCX document, in Russian.

Laid out after the Smolensk template (003 App.3: title page, «Информационная справка»,
«Результаты диагностики», «Дорожная карта» with its five categories) and completed with the
Bashkortostan card's parts (004 Прил. 1–3: corrections log, final public event, final
diagnostics per competency with dynamics, conclusions, signatures). Returns bytes: the caller
decides where they go (a file, an HTTP response).
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from typing import Any

from docx.enum.table import WD_ALIGN_VERTICAL
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from lms_bridge.domain.route import Activity, Correction, Route, signed_by
from lms_bridge.domain.signatures import correction_signatures
from lms_bridge.domain.vocabulary import ActivityCategory, RouteModel, SignatureParty
from lms_bridge.exporters import docx_kit as kit
from lms_bridge.exporters.card_text import (
    DASH,
    Issuer,
    activity_mark,
    activity_result,
    card_year,
    fmt_date,
    months,
    period,
    years,
)
from lms_bridge.exporters.docx_results import card_blocks, final_events, results

ROADMAP_HEADER = (
    "Категория мероприятий",
    "Перечень мероприятий",
    "Сроки реализации",
    "Дефициты, на устранение которых направлена работа (коды из п. 2.3)",
    "Отметка о выполнении (подтверждение)",
    "Результат и форма представления",
)
BLANK = "________________"  # a signature not yet given: the line stays empty to sign by hand
ROADMAP_WIDTHS = (3.4, 4.6, 2.1, 2.1, 2.9, 2.9)  # 18 cm: the page less its margins
CATEGORY_HINTS = {  # what each category holds, as the Smolensk template spells it out
    ActivityCategory.KNOWLEDGE: "профессиональная переподготовка, повышение квалификации, стажировка",
    ActivityCategory.EXCHANGE: "форум, конференция, семинар, вебинар, мастер-класс, конкурс, "
    "посещение уроков",
    ActivityCategory.DEMONSTRATION: "форум, конференция, семинар, мастер-класс, конкурс, открытый урок",
    ActivityCategory.MENTORING: "наставник / наставляемый",
    ActivityCategory.BURNOUT: "тренинг, вебинар, коуч-сессия",
}


def route_card_docx(route: Route, issuer: Issuer) -> bytes:
    """The whole card of ``route`` as a .docx file's bytes, in the region's layout (``issuer.layout``:
    ``smolensk`` here; ``bashkortostan`` and ``buryatia`` in docx_layouts.py)."""
    from lms_bridge.exporters import docx_layouts

    doc = kit.new_document(f"ИОМ № {route.number}", issuer.centre)
    kit.footer(doc, f"Индивидуальный образовательный маршрут № {route.number}")
    if issuer.layout == "bashkortostan":
        docx_layouts.bashkortostan(doc, route, issuer)
    elif issuer.layout == "buryatia":
        docx_layouts.buryatia(doc, route, issuer)
    else:
        smolensk(doc, route, issuer)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def smolensk(doc: Any, route: Route, issuer: Issuer) -> None:
    """003 App. 3 «Карта ИОМ», completed with 004's parts (corrections, final event, results)."""
    _title_page(doc, route, issuer)
    _information(doc, route)
    _diagnostics(doc, route, issuer)
    roadmap(doc, route)
    corrections(doc, route)
    final_events(doc, route)
    results(doc, route)
    signatures(doc, route)


def _title_page(doc: Any, route: Route, issuer: Issuer) -> None:
    indent = 9.5  # the «Утверждаю» block sits on the right half of the page
    kit.paragraph(doc, "УТВЕРЖДАЮ", bold=True, indent_cm=indent, after=0)
    kit.paragraph(doc, "Руководитель образовательной организации", indent_cm=indent, after=0)
    kit.paragraph(doc, route.teacher.school or DASH, indent_cm=indent, after=0)
    kit.paragraph(doc, f"__________ / {route.approved_by or '____________'}", indent_cm=indent, after=0)
    approved = fmt_date(route.approved_on) if route.approved_on else "«___» __________ 20__ г."
    kit.paragraph(doc, approved, indent_cm=indent, after=24)
    if issuer.parent:
        kit.paragraph(doc, issuer.parent, bold=True, center=True, after=6)
    kit.paragraph(doc, issuer.centre, bold=True, center=True, after=0)
    title = doc.add_paragraph(f"Индивидуальный образовательный маршрут № {route.number}", style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = Pt(96)
    title.paragraph_format.space_after = Pt(24)
    t = kit.table(doc, (6.5, 11.5))
    teacher = route.teacher
    for label, value in (
        ("ФИО педагогического работника", teacher.full_name),
        ("Образовательная организация", teacher.school),
        ("Должность", teacher.position),
        ("ФИО тьютора (куратора ИОМ)", route.curator_name),
    ):
        cells = kit.add_row(t, (label, value or DASH))
        kit.write(cells[0], label, bold=True)
    place = f"{issuer.city}\n" if issuer.city else ""
    kit.paragraph(doc, f"{place}{card_year(route)} год", center=True, before=180)
    kit.page_break(doc)


def _information(doc: Any, route: Route) -> None:
    doc.add_heading("1. Информационная справка о педагогическом работнике", level=1)
    t = route.teacher
    rows = (
        ("Фамилия Имя Отчество", t.full_name),
        ("Образовательная организация", t.school),
        ("Муниципальное образование", t.municipality),
        ("Должность", t.position),
        ("Преподаваемый предмет", t.subject),
        ("Образование", t.education),
        ("Педагогический стаж", years(t.experience_years)),
        ("Квалификационная категория", t.category),
        ("Дата аттестации", fmt_date(t.attestation_date) if t.attestation_date else ""),
        ("Курсы повышения квалификации (за последние 3 года)", t.recent_courses),
        ("Учёная степень", t.degree),
        ("Звание", t.academic_title),
        ("Награды, поощрения", t.awards),
        ("Контактный телефон (моб.)", t.phone),
        ("Электронная почта", t.email),
        ("Тема самообразования", route.self_education_theme),
    )
    table = kit.table(doc, (6.5, 11.5))
    for label, value in rows:
        cells = kit.add_row(table, (label, value or DASH))
        kit.write(cells[0], label, bold=True)


def _diagnostics(doc: Any, route: Route, issuer: Issuer) -> None:
    d = route.diagnostic
    doc.add_heading("2. Результаты диагностики профессиональных дефицитов", level=1)
    kit.labelled(doc, "2.1. Вид диагностики профессиональных дефицитов", d.kind.label)
    kit.labelled(doc, "2.2. Дата диагностики", fmt_date(d.date))
    if route.withheld:  # a copy for the school: say what is left out and why, never a value
        kit.labelled(doc, "2.3. Результаты диагностики", route.withheld)
        return
    kit.paragraph(doc, "2.3. Результаты диагностики:", bold=True)
    t = kit.table(doc, (9.0, 9.0), header=("Блок компетенций", "Уровень сформированности"))
    for block in card_blocks(route):
        level = d.levels.get(block)
        kit.add_row(t, (block.label, level.label if level else "не оценивался"))
    kit.labelled(
        doc, "Уровень профессиональных дефицитов", d.deficit_level.label
    ).paragraph_format.space_before = Pt(6)
    if route.diagnostic.route_model is not RouteModel.DIAGNOSTIC:
        kit.labelled(doc, "Модель ИОМ", route.diagnostic.route_model.label)
    deficits(doc, route, issuer)
    kit.labelled(doc, "2.4. Рекомендации", d.recommendations or DASH)


def deficits(doc: Any, route: Route, issuer: Issuer) -> None:
    """«Выявленные дефициты»: one line per code named by the region's codifier; bare codes in one line
    while no codifier is loaded."""
    codes = route.diagnostic.deficit_codes
    if not codes or not any(c in issuer.deficit_names for c in codes):
        kit.labelled(doc, "Выявленные дефициты (коды)", ", ".join(codes) or "не выявлены")
        return
    kit.paragraph(doc, "Выявленные дефициты:", bold=True, after=0)
    for code in codes:
        kit.paragraph(doc, f"• {issuer.deficit(code)}", indent_cm=0.5, after=0)


def roadmap(doc: Any, route: Route) -> None:
    doc.add_heading("3. Дорожная карта по устранению выявленных дефицитов", level=1)
    kit.labelled(doc, "Продолжительность прохождения ИОМ", months(route.duration_months))
    kit.labelled(doc, "Начало", fmt_date(route.start))
    kit.labelled(doc, "Окончание", fmt_date(route.end))
    done, total = route.progress()
    kit.labelled(doc, "Статус маршрута", f"{route.status.label}; выполнено мероприятий: {done} из {total}")
    dense = kit.DENSE_STYLE
    t = kit.table(doc, ROADMAP_WIDTHS, header=ROADMAP_HEADER, style=dense)
    for cell in t.rows[0].cells:  # six long headings on a portrait page: a size smaller, unbroken words
        for run in cell.paragraphs[0].runs:
            run.font.size = Pt(8)
    for category in ActivityCategory:
        items = [a for a in route.activities if a.category is category]
        first = len(t.rows)
        if not items:
            cells = kit.add_row(t, ("", "", "", "", "", ""), style=dense)
            kit.write(cells[1], "мероприятия не запланированы", italic=True, style=dense)
        for a in items:
            codes = "не передаются" if route.withheld else ", ".join(a.deficit_codes)
            values = ("", "", period(a.start, a.end), codes, activity_mark(a), "")
            cells = kit.add_row(t, values, style=dense)
            _activity_cell(cells[1], a)
            kit.write(cells[5], activity_result(a), style=dense)
        top = t.cell(first, 0)
        if len(t.rows) - 1 > first:
            top = top.merge(t.cell(len(t.rows) - 1, 0))
        kit.write(top, category.label.capitalize(), bold=True, style=dense)
        kit.add_line(top, f"({CATEGORY_HINTS[category]})", style=dense)


def _activity_cell(cell: Any, a: Activity) -> None:
    details = [f"Уровень: {a.level.label}"]
    if a.organiser:
        details.append(f"Организатор: {a.organiser}")
    if a.formal:
        hours = f", {a.hours}\u00a0ч" if a.hours else ""  # no line break before «ч»
        details.append(f"Курс в СДО: {a.lms_course}{hours}")
    kit.write(cell, f"{a.key}. {a.title}", bold=True, style=kit.DENSE_STYLE)
    for line in details:
        kit.add_line(cell, line, style=kit.DENSE_STYLE)


def corrections(doc: Any, route: Route) -> None:
    doc.add_heading("4. Сведения о корректировке ИОМ (лист корректировок)", level=1)
    header = ("№", "Дата", "Причина изменения", "Заменённое мероприятие", "Новое мероприятие", "Подписи")
    t = kit.table(doc, (0.8, 2.0, 4.0, 3.3, 3.3, 4.6), header=header)
    for i, c in enumerate(route.corrections, start=1):
        kit.add_row(
            t, (str(i), fmt_date(c.at.date()), c.reason, c.replaced or DASH, c.new or DASH, _signed(c))
        )
    if not route.corrections:
        cells = kit.add_row(t, ("", "", "корректировки не вносились", "", "", ""))
        kit.write(cells[2], "корректировки не вносились", italic=True)


def _signed(c: Correction) -> str:
    """Who made the correction, then each party's signature (name, date) or a blank line to sign."""
    lines = [f"внёс: {c.author}"] if c.author else []
    for party, line in correction_signatures(c):
        lines.append(f"{party.label}: {line or BLANK}")
    return "\n".join(lines)


SignatureRow = tuple[str, SignatureParty | None, str]  # role printed, whose signature it is, name


def signatures(doc: Any, route: Route, rows: Sequence[SignatureRow] | None = None) -> None:
    """The signature block: by default teacher, curator, head (003); 004 adds the tutor."""
    kit.paragraph(doc, "", before=12).paragraph_format.keep_with_next = True
    t = kit.table(doc, (6.5, 4.5, 0.5, 6.5))  # role | signature line | gap | name on a line
    kit.no_borders(t)
    signed = {p: signed_by(route.conclusion_signatures, p) for p in SignatureParty}
    rows = rows or (
        ("Педагогический работник", SignatureParty.TEACHER, route.teacher.short_name),
        ("Куратор (тьютор) ИОМ", SignatureParty.CURATOR, route.curator_name),
        ("Руководитель образовательной организации", SignatureParty.HEAD, route.approved_by),
    )
    for role, party, name in rows:
        sig = signed[party] if party else None
        if party is SignatureParty.TEACHER:  # 004 Прил. 3: the teacher acknowledges the conclusions
            role += "\nС выводами ознакомлен(а): " + (fmt_date(sig.on) if sig else "«___» ________ 20__ г.")
        elif sig:
            role += f"\nподписано {fmt_date(sig.on)}"
        line = kit.add_row(t, (role, "", "", sig.name if sig else (name or "")))
        caption = kit.add_row(t, ("", "(подпись)", "", "(расшифровка подписи)"))
        for i in (1, 3):
            kit.border_bottom(line[i])
            line[i].vertical_alignment = WD_ALIGN_VERTICAL.BOTTOM
            caption[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            caption[i].paragraphs[0].runs[0].font.size = Pt(8)
        line[0].paragraphs[0].paragraph_format.space_before = Pt(10)
    for row in t.rows:  # the block stays on one page
        for p in row.cells[0].paragraphs:
            p.paragraph_format.keep_with_next = True
