"""Regional profiles: the shipped four load with the seeds' rules; a bad file is one line naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from lms_bridge.config import load_settings
from lms_bridge.domain.vocabulary import FOUR_LEVELS, THREE_LEVELS, Level, RouteModel
from lms_bridge.errors import SettingsInvalid
from lms_bridge.profiles import HERE, SHIPPED, ProfileInvalid, load_profile


def test_each_region_has_the_rules_of_its_seed() -> None:
    ch, bu, sm, ba = (load_profile(n) for n in ("chelyabinsk", "buryatia", "smolensk", "bashkortostan"))
    assert ch.scale.levels == FOUR_LEVELS
    assert ba.scale.levels == THREE_LEVELS
    assert (sm.routes.min_months, sm.routes.max_months) == (6, 24)  # 003 §4.4.3
    assert (bu.routes.min_months, bu.routes.max_months) == (6, 12)  # 001 §1.5
    assert ba.routes.max_months == 12
    assert ba.approval.centre_head_agreement
    assert set(sm.routes.models) == set(RouteModel)
    assert sm.routes.curator_rule == "seed"
    assert sm.deficit_grade.source == "column"
    assert ba.deficit_grade.source == "column"
    assert [p.card.layout for p in (ch, bu, sm, ba)] == ["smolensk", "buryatia", "smolensk", "bashkortostan"]


def test_the_rule_a_profile_states_grades_the_deficits() -> None:
    rule = load_profile("chelyabinsk").deficit_grade.rule()
    assert rule is not None
    assert rule.level_of([Level.ADVANCED, Level.LOW], []).label == "высокий"
    assert rule.level_of([Level.ADVANCED], ["a", "b"]).label == "средний"
    assert rule.level_of([Level.HIGH], ["a"]).label == "низкий"
    assert load_profile("smolensk").deficit_grade.rule() is None  # the file's column says it


def _copy(tmp_path: Path, old: str, new: str, name: str = "bashkortostan") -> Path:
    text = (HERE / f"{name}.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "own.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("max_months = 12", 'max_months = "год"', "поле «routes.max_months»: "),
        ('layout = "bashkortostan"', 'layout = "moscow"', "поле «card.layout»: "),
        ('levels = ["низкий", "средний", "высокий"]', 'levels = ["низкий", "отличный"]', "«отличный»"),
        ("min_months = 1", "min_months = 13", "min_months ≤ default_months ≤ max_months"),
        ("[approval]", "[approval]\nsecretary = true", "поле «approval.secretary»: лишнее поле"),
        ("format = 1", "format = 2", "поле «format»: этот lms-bridge читает профили формата 1"),
        ('source = "column"', 'source = "rule"\nhigh_levels = ["базовый"]', "не входят в шкалу"),
        ("[card]", "[card", "файл не читается как TOML (строка"),
    ],
)
def test_a_bad_copy_names_the_field(tmp_path: Path, old: str, new: str, message: str) -> None:
    path = _copy(tmp_path, old, new)
    with pytest.raises(ProfileInvalid) as caught:
        load_profile(str(path))
    text = str(caught.value)
    assert message in text
    assert "\n" not in text
    assert str(path) in text


def test_a_centres_own_copy_is_used(tmp_path: Path) -> None:
    path = _copy(tmp_path, "keep_years = 1", "keep_years = 3", "smolensk")
    settings = load_settings(region_profile=str(path), _env_file=None)
    assert settings.profile.name == "smolensk"
    assert settings.keep_years == 3


def test_the_default_profile_keeps_todays_settings() -> None:
    s = load_settings(_env_file=None)
    assert s.profile.name == "chelyabinsk"
    assert (s.route_months, s.route_max_months, s.centre_head_agreement) == (12, 24, False)
    assert (s.diagnostic_valid_years, s.keep_years, s.purge_after_years) == (1, 1, 5)


def test_profile_defaults_yield_to_explicit_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LMS_BRIDGE_REGION_PROFILE", "bashkortostan")
    assert load_settings(_env_file=None).centre_head_agreement is True  # from the profile
    monkeypatch.setenv("LMS_BRIDGE_CENTRE_HEAD_AGREEMENT", "false")
    monkeypatch.setenv("LMS_BRIDGE_KEEP_YEARS", "2")
    s = load_settings(_env_file=None)
    assert (s.centre_head_agreement, s.keep_years, s.route_max_months) == (False, 2, 12)


def test_a_route_length_outside_the_profiles_bounds_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LMS_BRIDGE_REGION_PROFILE", "buryatia")
    monkeypatch.setenv("LMS_BRIDGE_ROUTE_MONTHS", "18")
    with pytest.raises(SettingsInvalid) as caught:
        load_settings(_env_file=None)
    assert caught.value.lines == [
        "LMS_BRIDGE_ROUTE_MONTHS: ожидается от 6 до 12 месяцев (профиль «buryatia» и "
        "LMS_BRIDGE_ROUTE_MAX_MONTHS); задано 18"
    ]


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_profile_is_valid(name: str) -> None:
    assert load_profile(name).name == name
