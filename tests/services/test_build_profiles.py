"""Drafting under a region's profile: its curator rule, its region and school year, Buryatia's stages."""

from __future__ import annotations

from datetime import date

from lms_bridge.bootstrap import draft_rules
from lms_bridge.config import load_settings
from lms_bridge.domain.people import Actor, Curator
from lms_bridge.domain.vocabulary import CuratorKind, Role
from lms_bridge.importers.diagnostics import read_diagnostics
from lms_bridge.profiles import import_rules
from lms_bridge.services.build import build_routes, draft_route
from lms_bridge.services.imports import import_curators, import_diagnostics
from lms_bridge.storage.store import SqlRouteStore
from tests.conftest import ROOT, make_diagnostic, make_teacher

TODAY = date(2026, 12, 1)


def test_the_profile_shapes_the_draft() -> None:
    rules = draft_rules(load_settings(region_profile="buryatia", _env_file=None))
    assert (rules.curator_rule, rules.region_name, rules.months) == ("ladder", "Республика Бурятия", 12)
    r = draft_route("03-2026-000001", make_teacher(), make_diagnostic(), [], None, date(2026, 9, 18), rules)
    assert r.details.region == "Республика Бурятия"
    assert r.details.academic_year == "2026/2027"
    assert [(s.start, s.end) for s in r.details.stages] == [
        (date(2026, 9, 15), date(2026, 9, 15)),  # the diagnostic
        (date(2026, 9, 18), date(2026, 9, 18)),  # the development
        (date(2026, 9, 21), date(2027, 8, 21)),  # implementation up to the last month
        (date(2027, 8, 21), date(2027, 9, 21)),  # reflection
    ]


def test_other_layouts_get_no_drafted_stages() -> None:
    rules = draft_rules(load_settings(region_profile="smolensk", _env_file=None))
    r = draft_route("67-2026-000001", make_teacher(), make_diagnostic(), [], None, date(2027, 3, 1), rules)
    assert r.details.stages == ()
    assert r.details.academic_year == "2026/2027"  # March is still the school year begun in September


def test_smolensk_routes_get_curators_by_model_and_grade(store: SqlRouteStore) -> None:
    settings = load_settings(region_profile="smolensk", _env_file=None)
    path = ROOT / "examples" / "profiles" / "smolensk" / "diagnostics.csv"
    parsed = read_diagnostics(path.read_bytes(), path.name, today=TODAY, rules=import_rules(settings.profile))
    import_diagnostics(store, parsed)
    school = "МБОУ «СШ № 7» г. Смоленска"
    import_curators(
        store,
        [
            Curator("m@s.ru", "Методистова М.М.", CuratorKind.METHODIST),
            Curator("r@s.ru", "Русистова Р.Р.", CuratorKind.LECTURER, subject="русский язык"),
            Curator("u@s.ru", "Шмоева Ш.Ш.", CuratorKind.UNION_HEAD, school=school),
            Curator("n@s.ru", "Наставникова Н.Н.", CuratorKind.MENTOR, school=school),
        ],
    )
    actor = Actor(Role.DEVELOPER, "Разработчик", "dev@s.ru")
    summary = build_routes(store, region="67", today=TODAY, actor=actor, rules=draft_rules(settings))
    assert (summary.built, summary.without_curator) == (3, 0)
    curators = {r.teacher.last_name: r.curator_name for r in store.list_routes()}
    assert curators == {
        "Сергеева": "Методистова М.М.",  # high grade, diagnostic model
        "Ковалёв": "Шмоева Ш.Ш.",  # post-course: no mathematics lecturer, the union head
        "Зуева": "Наставникова Н.Н.",  # mentoring model
    }
