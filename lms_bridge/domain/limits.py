"""Length limits of every free-text field: one table the domain, the importers and the API schema share.

A limit fits the field's use: a name or a title is a line, a note or a reason a paragraph or two, a
conclusion a page. Short fields match the registry's column widths (``storage/tables.py``), so a
longer value is a clear Russian error, never a database error. ``checked_text`` is what a domain
rule calls before it keeps a text; the API models take ``max_length`` from ``limit``.

New fields (reflection, educational product, event notes, ...) add one row to ``TEXT_LIMITS``.
"""

from __future__ import annotations

from dataclasses import dataclass

from lms_bridge.errors import Problem, ValidationError

LINE = 300  # a name of an organisation, a form, a position
TITLE = 500  # an activity or event title
SHORT_TEXT = 1_000  # a reason, an acknowledgement
NOTE = 4_000  # a note, a proposal, recommendations: a few paragraphs
LONG_TEXT = 10_000  # the curator's conclusions, a reflection: a page or two


@dataclass(frozen=True)
class TextLimit:
    label: str  # the field as the user sees it, in Russian
    max_length: int


TEXT_LIMITS: dict[str, TextLimit] = {
    # people (the registry's column widths)
    "last_name": TextLimit("Фамилия", 100),
    "first_name": TextLimit("Имя", 100),
    "middle_name": TextLimit("Отчество", 100),
    "full_name": TextLimit("ФИО", LINE),
    "school": TextLimit("Образовательная организация", LINE),
    "municipality": TextLimit("Муниципальное образование", 200),
    "position": TextLimit("Должность", 200),
    "subject": TextLimit("Предмет", 200),
    "category": TextLimit("Квалификационная категория", 100),
    "education": TextLimit("Образование", LINE),
    "phone": TextLimit("Телефон", 50),
    "degree": TextLimit("Учёная степень", 200),
    "academic_title": TextLimit("Звание", 200),
    "recent_courses": TextLimit("Курсы повышения квалификации", NOTE),
    "awards": TextLimit("Награды", NOTE),
    "self_education_theme": TextLimit("Тема самообразования", TITLE),
    # diagnostics
    "recommendations": TextLimit("Рекомендации", NOTE),
    # the roadmap
    "title": TextLimit("Название мероприятия", TITLE),
    "organiser": TextLimit("Организатор", LINE),
    "result": TextLimit("Результат", NOTE),
    "result_form": TextLimit("Форма представления результата", LINE),
    "not_done_reason": TextLimit("Причина невыполнения", SHORT_TEXT),
    "curator_note": TextLimit("Запись куратора", NOTE),
    "reason": TextLimit("Причина корректировки", SHORT_TEXT),
    "proposal": TextLimit("Предложение о корректировке", NOTE),
    "conclusion": TextLimit("Выводы куратора", LONG_TEXT),
    "final_event_form": TextLimit("Форма итогового мероприятия", LINE),
    "final_event_title": TextLimit("Тема итогового мероприятия", TITLE),
    "final_event_link": TextLimit("Ссылка на материалы мероприятия", 1000),
    "final_event_note": TextLimit("Примечание о проведении", SHORT_TEXT),
    # the educational product and the reflection (004 §1.2, stage 4)
    "product_title": TextLimit("Название образовательного продукта", TITLE),
    "product_description": TextLimit("Описание образовательного продукта", NOTE),
    "product_link": TextLimit("Ссылка на образовательный продукт", 1000),
    "reflection_answer": TextLimit("Ответ самоанализа", LONG_TEXT),
    # what regional card layouts add (domain/card_details.py)
    "region": TextLimit("Регион", 200),
    "additional_info": TextLimit("Дополнительные сведения", NOTE),
    "academic_year": TextLimit("Год реализации ИОМ (учебный)", 50),
    "educational_tasks": TextLimit("Образовательные задачи", NOTE),
    "stage_title": TextLimit("Этап маршрута", LINE),
    # the deficit codifier
    "deficit_name": TextLimit("Наименование дефицита", 500),
    # the course map (the registry's column widths)
    "lms_course": TextLimit("Курс в СДО", 255),
    "course_format": TextLimit("Формат", 100),
    "final_item": TextLimit("Элемент итоговой аттестации", 255),
    "annotation": TextLimit("Аннотация", SHORT_TEXT),
    "choice_reason": TextLimit("Причина отклонения заявки", SHORT_TEXT),
}


def limit(field: str) -> int:
    """The most characters ``field`` may hold (KeyError for a field with no row: add one)."""
    return TEXT_LIMITS[field].max_length


def _count(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")  # 10 000, as Russian writes it


def too_long(max_length: int, length: int) -> str:
    """The Russian message for a value of ``length`` characters over ``max_length``."""
    return f"слишком длинный текст: не более {_count(max_length)} знаков, а введено {_count(length)}"


def checked_text(field: str, value: str) -> str:
    """``value`` stripped, or ValidationError naming the field and its limit when it is longer."""
    text = value.strip()
    rule = TEXT_LIMITS[field]
    if len(text) > rule.max_length:
        raise ValidationError([Problem(too_long(rule.max_length, len(text)), field=rule.label)])
    return text
