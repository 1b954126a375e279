"""A route that fills every part of the card: activities in three of the five categories (done,
not done, pending, a formal LMS course with a grade), corrections, a final event, final levels."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from lms_bridge.domain.results import FinalEvent, Product, ProductFile, Reflection
from lms_bridge.domain.route import Activity, Correction, Route, Signature
from lms_bridge.domain.vocabulary import (
    ActivityCategory,
    ActivityLevel,
    Block,
    DiagnosticKind,
    Level,
    ProductKind,
    RouteStatus,
    SignatureParty,
)
from lms_bridge.exporters.card_text import Issuer
from tests.conftest import make_diagnostic, make_teacher

ISSUER = Issuer(
    centre="Центр непрерывного повышения профессионального мастерства педагогических работников",
    parent="ГАУ ДПО «Смоленский областной институт развития образования»",
    city="г. Смоленск",
)
ENTRY = {
    Block.SUBJECT: Level.LOW,
    Block.METHODICAL: Level.BASIC,
    Block.PSYCHOLOGICAL: Level.ADVANCED,
    Block.COMMUNICATIVE: Level.HIGH,
    Block.ICT: Level.BASIC,
}
FINAL = {
    Block.SUBJECT: Level.ADVANCED,
    Block.METHODICAL: Level.ADVANCED,
    Block.PSYCHOLOGICAL: Level.ADVANCED,
    Block.COMMUNICATIVE: Level.ADVANCED,
    Block.ICT: Level.BASIC,
}


def full_route(number: str = "67-2026-000042") -> Route:
    teacher = replace(
        make_teacher(7),
        education="высшее, СмолГУ, 2010",
        experience_years=14,
        phone="+7 900 123-45-67",
        municipality="г. Смоленск",
        attestation_date=date(2023, 3, 30),
        recent_courses="«Функциональная грамотность», 36 ч, 2024; «ФГОС ООО», 72 ч, 2025",
        degree="кандидат педагогических наук",
        academic_title="Почётный работник воспитания и просвещения РФ",
        awards="Грамота Департамента Смоленской области по образованию (2022)",
        self_education_theme="Функциональная грамотность",  # the route's theme (below) is its own
    )
    diagnostic = replace(
        make_diagnostic(7, codes=("П1.1", "М2.3", "И4.2"), on=date(2026, 9, 15), levels=ENTRY),
        recommendations="курсы ПК по предмету; посещение уроков учителей-методистов",
    )
    activities = (
        Activity(
            key="1",
            category=ActivityCategory.KNOWLEDGE,
            title="Предметные компетенции учителя математики",
            level=ActivityLevel.REGIONAL,
            organiser="ГАУ ДПО СОИРО",
            start=date(2026, 10, 1),
            end=date(2026, 11, 30),
            deficit_codes=("П1.1",),
            lms_course="PK-MATH",
            hours=36,
            done=True,
            done_on=date(2026, 11, 28),
            grade=87.5,
            result_source="lms",
            result="удостоверение о ПК",
            result_form="удостоверение",
        ),
        Activity(
            key="2",
            category=ActivityCategory.EXCHANGE,
            title="Семинар «Современный урок»",
            level=ActivityLevel.MUNICIPAL,
            organiser="ММС г. Смоленска",
            start=date(2027, 2, 10),
            end=date(2027, 2, 10),
            deficit_codes=("М2.3",),
            not_done_reason="семинар перенесён организатором",
        ),
        Activity(
            key="3",
            category=ActivityCategory.DEMONSTRATION,
            title="Открытый урок для МО учителей математики",
            level=ActivityLevel.SCHOOL,
            start=date(2027, 4, 1),
            end=date(2027, 4, 30),
            deficit_codes=("М2.3", "И4.2"),
            result="технологическая карта урока",
            result_form="методическая разработка",
        ),
    )
    return Route(
        number=number,
        teacher=teacher,
        diagnostic=diagnostic,
        status=RouteStatus.IN_PROGRESS,
        curator_email="methodist@soiro.ru",
        curator_name="Смирнова Ольга Викторовна",
        developed_on=date(2026, 9, 25),
        start=date(2026, 10, 1),
        end=date(2027, 9, 30),
        activities=activities,
        corrections=(
            Correction(
                at=datetime(2027, 2, 12, 10, 30),
                reason="семинар перенесён организатором",
                author="Смирнова О.В. (куратор)",
                replaced="Семинар «Формирующее оценивание»",
                new="Семинар «Современный урок»",
                signatures=(
                    Signature(SignatureParty.CURATOR, "Смирнова Ольга Викторовна", date(2027, 2, 12)),
                    Signature(SignatureParty.TEACHER, "Иванова Мария Петровна", date(2027, 2, 15)),
                ),
            ),
        ),
        final_events=(
            FinalEvent(
                key="1",
                form="мастер-класс",
                title="Задачи с параметром в 9 классе",
                level=ActivityLevel.MUNICIPAL,
                start=date(2027, 5, 20),
                end=date(2027, 5, 20),
                confirmed=True,
                held_on=date(2027, 5, 20),
                held_confirmed=True,
                link="https://mo.example.ru/master-class",
                proposed_by="Иванова7 М.П. (педагог)",
            ),
            FinalEvent(
                key="2",
                form="доклад",
                title="Опыт работы по ИОМ",
                level=ActivityLevel.SCHOOL,
                start=date(2027, 8, 28),
                end=date(2027, 8, 28),
            ),
        ),
        final_levels=FINAL,
        final_diagnostic_on=date(2027, 9, 1),
        final_kind=DiagnosticKind.STANDARDIZED,
        final_codes=("И4.2",),
        final_source="import",
        started_on=date(2026, 10, 2),
        previous_number="67-2025-000007",
        product=Product(
            kind=ProductKind.LESSON,
            title="Технологическая карта урока «Задачи с параметром»",
            description="урок в 9 классе с разбором трёх типов задач",
            link="https://mo.example.ru/product",
            file=ProductFile("karta.pdf", "application/pdf", 20480, "ab" * 32),
            entered_on=date(2027, 8, 30),
        ),
        reflection=Reflection(
            overcome="П1.1 и М2.3: решаю и объясняю задачи с параметром",
            helped="курс ПК и мастер-класс",
            remains="И4.2: цифровые инструменты",
            needs_met="да, в основном",
            written_on=date(2027, 8, 31),
        ),
        conclusion="ИОМ пройден успешно: предметные и методические компетенции повышены "
        "до повышенного уровня.",
        next_diagnostic_on=date(2028, 9, 1),
        submitted_on=date(2026, 9, 26),
        approved_by="Петрова А.А.",
        approved_on=date(2026, 9, 29),
        self_education_theme="Формирование функциональной грамотности на уроках математики",
        conclusion_signatures=(
            Signature(SignatureParty.TEACHER, "Иванова Мария Петровна", date(2027, 9, 3)),
            Signature(SignatureParty.CURATOR, "Смирнова Ольга Викторовна", date(2027, 9, 2)),
        ),
        closed_on=date(2027, 9, 3),
    )
