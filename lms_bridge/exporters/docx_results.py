"""The DOCX card's reflective-analytical part: final public events (5), results of the route (6:
final diagnostics with dynamics and the deficits overcome, the educational product, the teacher's
self-analysis, conclusions)."""

from __future__ import annotations

from typing import Any

from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import Block, blocks_for
from lms_bridge.exporters import docx_kit as kit
from lms_bridge.exporters.card_text import DASH, dynamics_sign, fmt_date, period


def final_events(doc: Any, route: Route) -> None:
    doc.add_heading("5. Итоговое (заключительное) публичное мероприятие", level=1)
    if not route.final_events:
        kit.paragraph(doc, "не запланировано")
        return
    header = ("Форма", "Название", "Уровень", "Сроки проведения", "Отметка о выполнении")
    t = kit.table(doc, (3.0, 5.2, 3.2, 2.6, 4.0), header=header)  # «муниципальный» on one line
    for e in route.final_events:
        mark = f"✓ {e.state_label}" if e.held else e.state_label
        if e.link or e.note:
            mark += "\n" + "; ".join(x for x in (e.link, e.note) if x)
        kit.add_row(t, (e.form, e.title, e.level.label, period(e.start, e.end), mark))


def card_blocks(route: Route) -> list[Block]:
    """The teacher's blocks in the regulation's order, then any other block that was assessed."""
    own = list(blocks_for(route.teacher.staff_role))
    extra = [b for b in (*route.diagnostic.levels, *route.final_levels) if b not in own]
    return own + list(dict.fromkeys(extra))


def results(doc: Any, route: Route) -> None:
    doc.add_heading("6. Итоги прохождения ИОМ", level=1)
    if route.withheld:  # a copy for the school: say what is left out and why, never a value
        kit.labelled(doc, "6.1. Итоговая диагностика и динамика", route.withheld)
    else:
        _final_diagnostic(doc, route)
    _product(doc, route)
    _reflection(doc, route)
    kit.paragraph(doc, "6.4. Выводы:", bold=True, before=6)
    kit.paragraph(doc, route.conclusion or DASH)
    kit.labelled(doc, "Начало реализации ИОМ", fmt_date(route.started_on))
    kit.labelled(doc, "Завершение реализации ИОМ", fmt_date(route.completed_on))
    kit.labelled(doc, "Дата следующей диагностики", fmt_date(route.next_diagnostic_on))
    developed = fmt_date(route.developed_on)
    kit.labelled(doc, "Дата разработки индивидуального образовательного маршрута", developed)


def _final_diagnostic(doc: Any, route: Route) -> None:
    kit.labelled(doc, "6.1. Дата итоговой диагностики", fmt_date(route.final_diagnostic_on))
    if route.final_kind:
        source = "повторная диагностика" if route.final_source == "import" else "внесено куратором вручную"
        kit.labelled(doc, "Вид итоговой диагностики", f"{route.final_kind.label} ({source})")
    header = ("Блок компетенций", "Входная диагностика", "Итоговая диагностика", "Динамика")
    t = kit.table(doc, (6.5, 4.3, 4.3, 2.9), header=header)
    dynamics = route.dynamics()
    entry, final = route.diagnostic.levels, route.final_levels
    for block in card_blocks(route):
        if block not in entry and block not in final:
            continue
        before, after = entry.get(block), final.get(block)
        kit.add_row(
            t,
            (
                block.label,
                before.label if before else DASH,
                after.label if after else DASH,
                dynamics_sign(dynamics.get(block)),
            ),
        )
    gone = route.deficits_gone()
    if gone is not None:
        kit.labelled(doc, "Преодолённые дефициты", ", ".join(gone) or "нет")
        kit.labelled(doc, "Сохраняющиеся дефициты", ", ".join(route.final_codes or ()) or "нет")


def _product(doc: Any, route: Route) -> None:
    kit.paragraph(doc, "6.2. Образовательный продукт педагога:", bold=True, before=6)
    p = route.product
    if p is None:
        kit.paragraph(doc, "не представлен")
        return
    kit.labelled(doc, "Вид", p.kind.label)
    kit.labelled(doc, "Название", p.title)
    if p.description:
        kit.labelled(doc, "Описание", p.description)
    if p.link:
        kit.labelled(doc, "Ссылка", p.link)
    if p.file:
        kit.labelled(doc, "Файл (хранится в реестре ЦНППМ)", f"{p.file.name}, {p.file.size // 1024 or 1} КБ")


def _reflection(doc: Any, route: Route) -> None:
    kit.paragraph(doc, "6.3. Самоанализ педагога (рефлексия):", bold=True, before=6)
    r = route.reflection
    if route.withheld:
        kit.paragraph(doc, route.withheld)
        return
    if r is None:
        kit.paragraph(doc, "не представлен")
        return
    for question, answer in r.answers():
        kit.paragraph(doc, question, bold=True, after=0)
        kit.paragraph(doc, answer or DASH)
