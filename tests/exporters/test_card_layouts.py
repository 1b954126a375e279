"""Each region's profile prints its own card: Smolensk «Карта ИОМ», Bashkortostan's (004 Прил. 1–3),
Buryatia's table (001). Built from each profile's own example diagnostics."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from pathlib import Path

import docx
import pytest

from course_map.loading import load_course_map
from lms_bridge.bootstrap import draft_rules
from lms_bridge.config import load_settings
from lms_bridge.domain.access import Recipient, redact_for
from lms_bridge.domain.card_details import DetailsChange, Stage
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import Role
from lms_bridge.errors import PermissionDenied, ValidationError
from lms_bridge.exporters.card_text import Issuer
from lms_bridge.exporters.docx_card import route_card_docx
from lms_bridge.importers.curators import read_curators
from lms_bridge.importers.diagnostics import read_diagnostics
from lms_bridge.profiles import import_rules
from lms_bridge.services.build import build_routes
from lms_bridge.services.card_details import set_details
from lms_bridge.services.imports import import_diagnostics
from lms_bridge.storage.store import SqlRouteStore
from tests.conftest import ROOT

EX = ROOT / "examples"
TODAY = date(2026, 12, 1)
DEV = Actor(Role.DEVELOPER, "Разработчик")
EXAMPLE = {
    "chelyabinsk": EX / "diagnostics.csv",
    "smolensk": EX / "profiles" / "smolensk" / "diagnostics.csv",
    "bashkortostan": EX / "profiles" / "bashkortostan" / "diagnostics.csv",
    "buryatia": EX / "profiles" / "buryatia" / "diagnostics.csv",
}


def text_of(data: bytes) -> str:
    doc = docx.Document(BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        parts.extend(c.text for row in t.rows for c in row.cells)
    return "\n".join(parts)


def _routes(store: SqlRouteStore, profile: str) -> tuple[Issuer, list[Route]]:
    settings = load_settings(region_profile=profile, _env_file=None)
    with store.transaction():
        store.replace_course_map(load_course_map((EX / "course_map.csv").read_bytes(), "c.csv"), DEV)
        store.save_curators(read_curators((EX / "curators.csv").read_bytes(), "curators.csv"))
    path: Path = EXAMPLE[profile]
    rules = import_rules(settings.profile)
    import_diagnostics(store, read_diagnostics(path.read_bytes(), path.name, today=TODAY, rules=rules))
    build_routes(store, region="00", today=TODAY, actor=DEV, rules=draft_rules(settings))
    return Issuer.from_settings(settings), store.list_routes()


def test_smolensk_prints_the_карта_иом_with_the_route_model(store: SqlRouteStore) -> None:
    issuer, routes = _routes(store, "smolensk")
    zueva = next(r for r in routes if r.teacher.last_name == "Зуева")
    text = text_of(route_card_docx(zueva, issuer))
    assert "2.3. Результаты диагностики" in text
    assert "Модель ИОМ: в рамках программы наставничества" in text
    assert "Уровень профессиональных дефицитов: низкий" in text  # as the file stated it
    assert "Дополнительные сведения" not in text


def test_bashkortostan_prints_004s_card(store: SqlRouteStore) -> None:
    issuer, routes = _routes(store, "bashkortostan")
    gareeva = next(r for r in routes if r.teacher.last_name == "Гареева")
    change = DetailsChange(additional_info="Эксперт ЕГЭ по английскому языку")
    gareeva = set_details(store, gareeva.number, DEV, change, tutor_email="orlova.ts@ipk74.ru")
    doc = docx.Document(BytesIO(route_card_docx(gareeva, issuer)))
    text = text_of(route_card_docx(gareeva, issuer))
    assert "Карта индивидуального образовательного маршрута педагога" in text
    assert "МБОУ «Школа № 3» г. Уфы, Республика Башкортостан" in text
    assert "Эксперт ЕГЭ по английскому языку" in text
    assert "Год реализации ИОМ (учебный)\n2026/2027" in text
    levels = next(t for t in doc.tables if t.rows[0].cells[0].text == "Компетенции")
    assert [c.text for c in levels.rows[0].cells] == ["Компетенции", "низкий", "средний", "высокий"]
    assert [c.text for c in levels.rows[2].cells] == ["методические", "", "✓", ""]
    assert "Региональный методист" in text
    assert "Тьютор" in text
    assert "Орлова Татьяна Сергеевна" in text  # the second curator, signing too
    assert "Прил" not in text  # no annex captions: the parts follow each other


def test_buryatia_prints_001s_table_with_tasks_and_stages(store: SqlRouteStore) -> None:
    issuer, routes = _routes(store, "buryatia")
    route = next(r for r in routes if r.teacher.last_name == "Доржиева")
    change = DetailsChange(tasks={"М2.3": "Освоить формирующее оценивание"})
    route = set_details(store, route.number, DEV, change)
    doc = docx.Document(BytesIO(route_card_docx(route, issuer)))
    table = next(t for t in doc.tables if "Образовательные задачи" in t.rows[0].cells[1].text)
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    m23 = [r for r in rows if r[0] == "М2.3"]
    assert m23
    assert all(r[1] == "Освоить формирующее оценивание" for r in m23)
    assert all(r[2] and r[3] for r in m23)  # an action and its time on every line
    stages = next(t for t in doc.tables if t.rows[0].cells[0].text == "Этап")
    assert len(stages.rows) == 5  # 001's four stages, drafted with dates
    assert stages.rows[1].cells[1].text == "30.09.26"  # the diagnostic, «дд.мм.гг»


def test_the_schools_copy_of_a_buryatia_card_names_no_deficit(store: SqlRouteStore) -> None:
    issuer, routes = _routes(store, "buryatia")
    route = routes[0]
    head = Recipient(Role.HEAD, school=route.teacher.school)
    text = text_of(route_card_docx(redact_for(route, head), issuer))
    for code in route.diagnostic.deficit_codes:
        assert code not in text


def test_details_are_kept_and_checked(store: SqlRouteStore) -> None:
    _, routes = _routes(store, "buryatia")
    number = routes[0].number
    stages = (Stage("Реализация", date(2026, 12, 2), date(2027, 5, 31)),)
    set_details(store, number, DEV, DetailsChange(academic_year="2026/2027", stages=stages))
    assert store.get_route(number).details.stages == stages
    with pytest.raises(ValidationError, match="учебный год вида 2026/2027"):
        set_details(store, number, DEV, DetailsChange(academic_year="2026-2027"))
    with pytest.raises(ValidationError, match="не дефицит этого маршрута"):
        set_details(store, number, DEV, DetailsChange(tasks={"Х9.9": "что-то"}))
    with pytest.raises(PermissionDenied):
        set_details(store, number, Actor(Role.TEACHER, "Педагог"), DetailsChange(region="Бурятия"))
    history = store.get_route(number).details
    assert history.academic_year == "2026/2027"  # the refused changes left it as it was
