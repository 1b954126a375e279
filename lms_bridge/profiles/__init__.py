"""Regional profiles: which rules of the regulations a centre follows, in a versioned TOML file.

A profile is chosen by ``LMS_BRIDGE_REGION_PROFILE``: the name of a shipped profile (``chelyabinsk``,
``buryatia``, ``smolensk``, ``bashkortostan``; the files next to this module) or a path to a centre's own
copy. ``load_profile`` reads and validates it; a bad file is one Russian line naming the file and the
field (``ProfileInvalid``), which the settings turn into their usual error (CLI exit 2).

What a profile sets (docs/profiles.md): the level scale of diagnostics, where the deficit grade comes
from, the route models and the curator rule, route length bounds, the approval chain, validity and
keeping periods (defaults: an explicit environment setting wins), the card layout, and what to do with
deficit codes missing from the codifier.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError

from lms_bridge.domain.deficits import DeficitRule
from lms_bridge.domain.vocabulary import FOUR_LEVELS, THREE_LEVELS, Level, RouteModel

if TYPE_CHECKING:
    from lms_bridge.importers.diagnostics import ImportRules

HERE = Path(__file__).parent
SHIPPED = ("chelyabinsk", "buryatia", "smolensk", "bashkortostan")
DEFAULT_PROFILE = "chelyabinsk"  # what lms-bridge did before profiles (002's four levels, 74 region)
FORMAT_VERSION = 1  # the profile file format this code reads
_AT = re.compile(r"at line (\d+), column (\d+)")


class ProfileInvalid(ValueError):
    """A profile that cannot be used; the message is one Russian line naming the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _levels(words: list[str]) -> tuple[Level, ...]:
    return tuple(Level.parse(w) for w in words)


class Scale(_Strict):
    """Levels of competence, lowest first: 002's four or 004's three."""

    levels: tuple[Level, ...]

    @field_validator("levels", mode="before")
    @classmethod
    def _parse(cls, value: object) -> object:
        return _levels(value) if isinstance(value, list) else value

    @field_validator("levels")
    @classmethod
    def _known(cls, value: tuple[Level, ...]) -> tuple[Level, ...]:
        if value not in (FOUR_LEVELS, THREE_LEVELS):
            raise ValueError(
                "ожидается шкала «низкий, базовый, повышенный, высокий» (002) "
                "или «низкий, средний, высокий» (004), от низшего уровня к высшему"
            )
        return value

    @property
    def words(self) -> str:
        return ", ".join(lv.label for lv in self.levels)


class DeficitGrade(_Strict):
    """Where the grade of deficits (высокий / средний / низкий) comes from: the diagnostics file's column
    «Уровень профессиональных дефицитов», or the rule stated here."""

    source: Literal["column", "rule"]
    high_levels: tuple[Level, ...] = ()
    high_codes: int | None = Field(default=None, ge=1)
    medium_levels: tuple[Level, ...] = ()
    medium_codes: int | None = Field(default=None, ge=1)

    @field_validator("high_levels", "medium_levels", mode="before")
    @classmethod
    def _parse(cls, value: object) -> object:
        return _levels(value) if isinstance(value, list) else value

    @model_validator(mode="after")
    def _rule_stated(self) -> DeficitGrade:
        if self.source == "rule" and not (self.high_levels or self.high_codes):
            raise ValueError('при source = "rule" нужно правило: high_levels или high_codes')
        return self

    def rule(self) -> DeficitRule | None:
        if self.source != "rule":
            return None
        return DeficitRule(
            frozenset(self.high_levels), self.high_codes, frozenset(self.medium_levels), self.medium_codes
        )


class Routes(_Strict):
    """Route models (003 §2.3), the curator rule and route length (months)."""

    models: tuple[RouteModel, ...] = (RouteModel.DIAGNOSTIC,)
    curator_rule: Literal["seed", "ladder", "methodist"] = "ladder"
    min_months: int = Field(ge=1, le=36)
    max_months: int = Field(ge=1, le=36)
    default_months: int = Field(ge=1, le=36)

    @field_validator("models", mode="before")
    @classmethod
    def _parse(cls, value: object) -> object:
        return tuple(RouteModel.parse(v) for v in value) if isinstance(value, list) else value

    @model_validator(mode="after")
    def _bounds(self) -> Routes:
        if not self.models:
            raise ValueError("нужна хотя бы одна модель ИОМ")
        if not self.min_months <= self.default_months <= self.max_months:
            raise ValueError("ожидается min_months ≤ default_months ≤ max_months")
        return self


class Approval(_Strict):
    centre_head_agreement: bool


class Keeping(_Strict):
    diagnostic_valid_years: int = Field(ge=0, le=5)
    keep_years: int = Field(ge=1, le=10)
    purge_after_years: int = Field(ge=0, le=75)


class Card(_Strict):
    """The card's layout variant and the region printed on it."""

    layout: Literal["smolensk", "bashkortostan", "buryatia"]
    region_name: str = Field(min_length=1, max_length=200)


class Codifier(_Strict):
    unknown_codes: Literal["warn", "reject"] = "warn"


class RegionProfile(_Strict):
    """One region's rules; ``version`` is the profile's own edition, ``format`` the file format."""

    format: int
    name: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_-]+$")
    version: str = Field(min_length=1, max_length=40)
    title: str = Field(min_length=1, max_length=200)
    seeds: tuple[str, ...] = ()
    scale: Scale
    deficit_grade: DeficitGrade
    routes: Routes
    approval: Approval
    keeping: Keeping
    card: Card
    codifier: Codifier = Codifier()

    @field_validator("format")
    @classmethod
    def _format(cls, value: int) -> int:
        if value != FORMAT_VERSION:
            raise ValueError(f"этот lms-bridge читает профили формата {FORMAT_VERSION}")
        return value

    @model_validator(mode="after")
    def _levels_on_scale(self) -> RegionProfile:
        g = self.deficit_grade
        off = [lv.label for lv in (*g.high_levels, *g.medium_levels) if lv not in self.scale.levels]
        if off:
            raise ValueError(f"уровни «{', '.join(off)}» не входят в шкалу профиля ({self.scale.words})")
        return self


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(x + 1) if isinstance(x, int) else x for x in loc)


_PROBLEMS = {
    "extra_forbidden": "лишнее поле (нет в формате профиля)",
    "missing": "нет обязательного поля",
    "int_parsing": "ожидается целое число",
    "int_type": "ожидается целое число",
    "bool_parsing": "ожидается true или false",
    "bool_type": "ожидается true или false",
    "string_type": "ожидается строка в кавычках",
    "string_too_short": "значение не может быть пустым",
    "string_too_long": "слишком длинное значение",
    "string_pattern_mismatch": "только строчные латинские буквы, цифры, «-» и «_»",
    "list_type": "ожидается список [..]",
    "tuple_type": "ожидается список [..]",
    "model_type": "ожидается таблица [..]",
    "dict_type": "ожидается таблица [..]",
}


def _message(err: Any) -> str:
    kind, ctx = err["type"], err.get("ctx", {})
    if kind == "value_error":
        return str(ctx["error"])
    if kind == "literal_error":
        return f"допустимо: {ctx['expected']}"
    if kind in ("greater_than_equal", "less_than_equal"):
        word = "не меньше" if kind == "greater_than_equal" else "не больше"
        return f"ожидается число {word} {ctx.get('ge', ctx.get('le'))}"
    return _PROBLEMS.get(kind, "недопустимое значение")


def _explain(source: str, error: PydanticValidationError) -> str:
    err = error.errors()[0]
    more = len(error.errors()) - 1
    message = _message(err)
    field = f"поле «{_where(err['loc'])}»: " if err["loc"] else ""
    tail = f" (и ещё ошибок: {more})" if more else ""
    return f"профиль «{source}»: {field}{message}{tail}"


def _path_of(ref: str) -> Path:
    if ref in SHIPPED:
        return HERE / f"{ref}.toml"
    return Path(ref)


@lru_cache(maxsize=16)
def load_profile(ref: str = DEFAULT_PROFILE) -> RegionProfile:
    """The profile named ``ref`` (a shipped one) or in the file at path ``ref``."""
    path = _path_of(ref.strip())
    if path.suffix.lower() != ".toml":
        raise ProfileInvalid(f"«{ref}» — нет такого профиля")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileInvalid(f"файл профиля «{path}» не найден") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ProfileInvalid(f"файл профиля «{path}» не читается ({type(e).__name__})") from None
    except tomllib.TOMLDecodeError as e:
        at = _AT.search(str(e))
        where = f" (строка {at[1]}, знак {at[2]})" if at else ""
        raise ProfileInvalid(f"профиль «{path}»: файл не читается как TOML{where}") from None
    try:
        return RegionProfile.model_validate(data)
    except PydanticValidationError as e:
        raise ProfileInvalid(_explain(str(path), e)) from None


def import_rules(profile: RegionProfile, known_codes: frozenset[str] | None = None) -> ImportRules:
    """What the diagnostics import checks under ``profile``: its scale, grade of deficits, route models,
    and the codes of its codifier (``known_codes``; None when none is loaded)."""
    from lms_bridge.importers.diagnostics import ImportRules  # the importers load lxml: only when importing

    return ImportRules(
        scale=profile.scale.levels,
        grade_rule=profile.deficit_grade.rule(),
        models=profile.routes.models,
        profile=profile.name,
        known_codes=known_codes,
        unknown_codes=profile.codifier.unknown_codes,
    )
