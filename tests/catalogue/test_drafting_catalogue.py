"""Drafting from the catalogue: each ДПП offers its alternatives, internships come in as non-formal items."""

from __future__ import annotations

from datetime import date

from course_map.models import CourseEntry, EntryKind
from lms_bridge.domain.people import Curator
from lms_bridge.domain.vocabulary import ActivityCategory, Block, CuratorKind
from lms_bridge.services.build import draft_route
from tests.conftest import make_diagnostic, make_teacher

CATALOGUE = [
    CourseEntry("DPP-1", "Курс по предмету", deficit_codes=("П1.1",), blocks=(Block.SUBJECT,), hours=72),
    CourseEntry("DPP-2", "Курс по методике", deficit_codes=("М2.3",), blocks=(Block.METHODICAL,), hours=36),
    CourseEntry(
        "DPP-3", "Другой курс по методике", deficit_codes=("М2.3",), blocks=(Block.METHODICAL,), hours=48
    ),
    CourseEntry("DPP-4", "Курс по ИКТ", deficit_codes=("Ц5.1",), blocks=(Block.ICT,), hours=16),
    CourseEntry(
        "ST-1",
        "Стажировка «Формирующее оценивание»",
        kind=EntryKind.INTERNSHIP,
        deficit_codes=("М2.3",),
        blocks=(Block.METHODICAL,),
        hours=16,
        start=date(2027, 2, 15),
        end=date(2027, 2, 19),
        internship_site="SP-1",
    ),
]


def test_each_dpp_offers_the_catalogue_alternatives_and_internships_are_knowledge_items() -> None:
    today = date(2026, 9, 18)
    route = draft_route(
        "74-2026-000001",
        make_teacher(),
        make_diagnostic(codes=("П1.1", "М2.3")),
        CATALOGUE,
        Curator("m@ipk.ru", "Смирнова О.В.", CuratorKind.METHODIST),
        today,
    )
    items = {a.lms_course or a.title: a for a in route.activities}
    assert items["DPP-1"].options == ("DPP-1",)  # nothing else covers П1.1: no choice to make
    assert not items["DPP-1"].awaits_choice
    assert items["DPP-2"].options == ("DPP-2", "DPP-3")  # DPP-4 covers none of this teacher's deficits
    assert items["DPP-2"].awaits_choice
    internship = items["Стажировка «Формирующее оценивание»"]
    assert internship.category is ActivityCategory.KNOWLEDGE  # «получение дополнительных знаний, опыта»
    assert not internship.formal
    assert (internship.start, internship.end) == (date(2027, 2, 15), date(2027, 2, 19))
