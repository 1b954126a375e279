"""Each region's profile imports its own example diagnostics, in its own scale, and refuses the others'."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lms_bridge.domain.vocabulary import Block, DeficitLevel, Level, RouteModel
from lms_bridge.errors import ValidationError
from lms_bridge.importers.diagnostics import read_diagnostics
from lms_bridge.profiles import import_rules, load_profile
from lms_bridge.services.imports import import_diagnostics
from lms_bridge.storage.store import SqlRouteStore
from tests.importers.helpers import HEADER, row

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 12, 1)
EXAMPLES = {
    "chelyabinsk": ROOT / "examples" / "diagnostics.csv",
    "smolensk": ROOT / "examples" / "profiles" / "smolensk" / "diagnostics.csv",
    "bashkortostan": ROOT / "examples" / "profiles" / "bashkortostan" / "diagnostics.csv",
    "buryatia": ROOT / "examples" / "profiles" / "buryatia" / "diagnostics.csv",
}


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    """The helpers' CSV with the profile's two columns added."""
    header = (*HEADER, "deficit_level", "route_model")
    lines = [",".join(header)] + [",".join(r.get(h, "") for h in header) for r in rows]
    return "\r\n".join(lines).encode()


def _read(path: Path, profile: str) -> object:
    rules = import_rules(load_profile(profile))
    return read_diagnostics(path.read_bytes(), path.name, today=TODAY, rules=rules)


@pytest.mark.parametrize("profile", sorted(EXAMPLES))
def test_each_profile_imports_its_own_example_in_its_scale(profile: str) -> None:
    parsed = _read(EXAMPLES[profile], profile)
    assert parsed.problems == []  # type: ignore[attr-defined]
    scale = load_profile(profile).scale.levels
    rows = parsed.rows  # type: ignore[attr-defined]
    assert rows
    assert all(lv in scale for _, d in rows for lv in d.levels.values())


def test_bashkortostan_reads_the_three_level_scale_and_the_stated_grade() -> None:
    (_, first), (_, second) = _read(EXAMPLES["bashkortostan"], "bashkortostan").rows  # type: ignore[attr-defined]
    assert first.levels[Block.METHODICAL] is Level.MEDIUM
    assert (first.deficit_level, second.deficit_level) == (DeficitLevel.HIGH, DeficitLevel.LOW)


def test_smolensk_reads_the_route_models_of_003() -> None:
    rows = _read(EXAMPLES["smolensk"], "smolensk").rows  # type: ignore[attr-defined]
    assert [d.route_model for _, d in rows] == list(RouteModel)
    assert [d.deficit_level for _, d in rows] == [DeficitLevel.HIGH, DeficitLevel.MEDIUM, DeficitLevel.LOW]


def test_a_four_level_file_under_the_three_level_profile_names_row_and_field() -> None:
    parsed = _read(EXAMPLES["smolensk"], "bashkortostan")
    first = parsed.problems[0]  # type: ignore[attr-defined]
    assert (first.row, first.field) == (2, "методические")
    assert first.message == "«базовый» — не уровень шкалы профиля «bashkortostan»: низкий, средний, высокий"


def test_a_profile_taking_the_grade_from_the_file_needs_its_column() -> None:
    with pytest.raises(ValidationError) as caught:
        _read(EXAMPLES["chelyabinsk"], "smolensk")
    (problem,) = caught.value.problems
    assert problem.row == 1
    assert "нет столбца «Уровень профессиональных дефицитов»" in problem.message


def test_a_blank_stated_grade_is_a_row_error_where_the_file_must_state_it() -> None:
    data = csv_bytes([row(1, deficit_level="высокий"), row(2, deficit_level="")])
    parsed = read_diagnostics(data, "d.csv", today=TODAY, rules=import_rules(load_profile("smolensk")))
    (problem,) = parsed.problems
    assert (problem.row, problem.field) == (3, "deficit_level")
    assert "не заполнено" in problem.message


def test_the_stated_grade_wins_over_the_profiles_rule() -> None:
    data = csv_bytes([row(1, deficit_level="низкий"), row(2)])  # both rows: a block at «низкий»
    parsed = read_diagnostics(data, "d.csv", today=TODAY)
    assert [d.deficit_level for _, d in parsed.rows] == [DeficitLevel.LOW, DeficitLevel.HIGH]


def test_a_model_the_profile_does_not_have_is_refused() -> None:
    data = csv_bytes([row(1, route_model="посткурсовое сопровождение")])
    (problem,) = read_diagnostics(data, "d.csv", today=TODAY).problems
    assert problem.field == "route_model"
    assert "модель не предусмотрена профилем «chelyabinsk»: по результатам диагностики" in problem.message


def test_grade_and_model_are_stored_with_the_diagnostic(store: SqlRouteStore) -> None:
    import_diagnostics(store, _read(EXAMPLES["smolensk"], "smolensk"))  # type: ignore[arg-type]
    stored = {d.teacher_email: d for d in store.list_diagnostics()}
    kovalev = stored["kovalev.dm@sch7-smol.ru"]
    assert kovalev.stated_deficit_level is DeficitLevel.MEDIUM
    assert kovalev.route_model is RouteModel.POST_COURSE
    (_, pending), *_ = [p for p in store.list_unrouted() if p[0].email == "zueva.ok@sch7-smol.ru"]
    assert pending.route_model is RouteModel.MENTORING


def test_xml_carries_grade_and_model() -> None:
    doc = (
        '<diagnostics version="1"><diagnostic><email>a@s.ru</email><last_name>А</last_name>'
        "<first_name>Б</first_name><role>teacher</role><diagnostic_kind>self</diagnostic_kind>"
        "<diagnostic_date>2026-10-01</diagnostic_date><levels><subject>средний</subject></levels>"
        "<deficit_level>средний</deficit_level></diagnostic></diagnostics>"
    ).encode()
    rules = import_rules(load_profile("bashkortostan"))
    ((_, d),) = read_diagnostics(doc, "d.xml", today=TODAY, rules=rules).rows
    assert (d.levels, d.deficit_level) == ({Block.SUBJECT: Level.MEDIUM}, DeficitLevel.MEDIUM)
