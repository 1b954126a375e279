"""The LMS sites the registry knows (issue 12, §1), from the sites file named by ``LMS_BRIDGE_SITES_FILE``.

Decision: the sites live in a TOML file kept beside the other settings (in version control of the
centre's configuration, without tokens), not in a table: they change when a site is connected, which
is a deployment act (a token issued, a firewall opened), and every web instance and worker must see
the same list at start. The token is never in the file: ``token_env`` names an environment variable,
``token_file`` a file (a systemd credential or a container secret). Example::

    [[site]]
    name = "region"                    # short, Latin: used in commands (--site region) and task locks
    url = "https://sdo.ipk74.ru"
    token_env = "LMS_BRIDGE_TOKEN_REGION"
    cap = 6                            # concurrent web-service calls the site takes (all workers)
    default = true                     # serves every teacher no other site claims

    [[site]]
    name = "magnitogorsk"
    url = "https://sdo.magnitogorsk.ru/moodle"
    token_file = "/run/credentials/lms-bridge/magnitogorsk"
    max_input_vars = 5000
    timezone = "Asia/Yekaterinburg"
    cap = 2
    municipalities = ["Магнитогорский ГО"]
    schools = ["МАОУ «Гимназия № 53»"]
    teachers = ["ivanova@example.ru"]  # explicit mapping, wins over school and municipality

Without the file there is one site, ``default``, from ``LMS_BRIDGE_MOODLE_URL`` and
``LMS_BRIDGE_MOODLE_TOKEN`` (cap = ``LMS_BRIDGE_MOODLE_PARALLEL``), serving everybody: a single-site
region changes nothing.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticValidationError

from lms_bridge.domain.sites import DEFAULT_SITE, LmsSite, SiteDirectory
from lms_bridge.errors import SettingsInvalid

if TYPE_CHECKING:
    from lms_bridge.config import Settings

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,29}$")  # "@" + name fits a route number column (32)


class _SiteRow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    url: str
    token_env: str = ""
    token_file: str = ""
    max_input_vars: int = Field(default=1000, ge=20)
    timezone: str = "Asia/Yekaterinburg"
    cap: int = Field(default=4, ge=1, le=64)
    schools: list[str] = Field(default_factory=list)
    municipalities: list[str] = Field(default_factory=list)
    teachers: list[str] = Field(default_factory=list)
    default: bool = False

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME.match(value):
            raise ValueError("имя сайта: строчные латинские буквы, цифры, «-» и «_», до 30 знаков")
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("адрес сайта должен начинаться с http:// или https://")
        return value.rstrip("/")

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"неизвестный часовой пояс «{value}» (пример: Asia/Yekaterinburg)") from None
        return value

    def site(self) -> LmsSite:
        if not (self.token_env or self.token_file):
            raise ValueError("укажите token_env (переменная окружения) или token_file (файл с токеном)")
        return LmsSite(
            name=self.name,
            url=self.url,
            token_env=self.token_env,
            token_file=self.token_file,
            max_input_vars=self.max_input_vars,
            timezone=self.timezone,
            cap=self.cap,
            schools=frozenset(s.strip() for s in self.schools if s.strip()),
            municipalities=frozenset(m.strip() for m in self.municipalities if m.strip()),
            teachers=frozenset(t.strip().lower() for t in self.teachers if t.strip()),
            default=self.default,
        )


def default_site(settings: Settings) -> LmsSite:
    """The one site of a region without a sites file: the ``LMS_BRIDGE_MOODLE_*`` settings."""
    return LmsSite(
        name=DEFAULT_SITE,
        url=settings.moodle_url.strip().rstrip("/"),
        token_env="LMS_BRIDGE_MOODLE_TOKEN",
        max_input_vars=settings.moodle_max_input_vars,
        timezone=settings.lms_timezone,
        cap=settings.moodle_parallel,
        default=True,
    )


def load_sites(settings: Settings) -> list[LmsSite]:
    """The sites of the sites file, or the one default site; ConfigError names the site and field."""
    if not settings.sites_file.strip():
        return [default_site(settings)]
    path = Path(settings.sites_file)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise _bad(f"файл сайтов СДО {path} не читается (LMS_BRIDGE_SITES_FILE): {e.strerror}") from None
    except tomllib.TOMLDecodeError as e:
        raise _bad(f"файл сайтов СДО {path}: ошибка TOML: {e}") from None
    rows = data.get("site")
    if not isinstance(rows, list) or not rows:
        raise _bad(f"файл сайтов СДО {path}: нет ни одной таблицы [[site]]")
    sites = [_site(path, n, row) for n, row in enumerate(rows, start=1)]
    _check_unique(path, sites)
    return sites


def _bad(line: str) -> SettingsInvalid:
    """A sites file that cannot be used is a settings error (exit 2, nothing done)."""
    return SettingsInvalid([line])


def _site(path: Path, n: int, row: object) -> LmsSite:
    label = f"файл сайтов СДО {path}, сайт № {n}"
    if isinstance(row, dict) and isinstance(row.get("name"), str):
        label += f" «{row['name']}»"
    try:
        return _SiteRow.model_validate(row).site()
    except PydanticValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "—"
        raise _bad(f"{label}, поле «{where}»: {_message(first)}") from None
    except ValueError as e:
        raise _bad(f"{label}: {e}") from None


def _message(error: object) -> str:
    assert isinstance(error, dict)
    kind, msg = error.get("type", ""), str(error.get("msg", ""))
    if kind == "missing":
        return "нет обязательного поля"
    if kind == "extra_forbidden":
        return "неизвестное поле"
    return msg.removeprefix("Value error, ")


def _check_unique(path: Path, sites: list[LmsSite]) -> None:
    seen: dict[str, str] = {}
    for s in sites:
        if s.name in seen:
            raise _bad(f"файл сайтов СДО {path}: имя сайта «{s.name}» встречается дважды")
        seen[s.name] = s.name
    if sum(s.default for s in sites) > 1:
        raise _bad(f"файл сайтов СДО {path}: сайт по умолчанию (default = true) может быть только один")
    for kind in ("schools", "municipalities", "teachers"):
        owner: dict[str, str] = {}
        for s in sites:
            for value in getattr(s, kind):
                if value in owner:
                    raise _bad(
                        f"файл сайтов СДО {path}: «{value}» ({kind}) названо у сайтов «{owner[value]}» "
                        f"и «{s.name}»: у педагога должен быть один сайт"
                    )
                owner[value] = s.name


def site_directory(settings: Settings) -> SiteDirectory:
    return SiteDirectory(load_sites(settings))


def site_token(site: LmsSite) -> str:
    """The site's web-service token from its variable or file ("" when absent: the caller says which)."""
    if site.token_file:
        try:
            return Path(site.token_file).read_text(encoding="utf-8").strip()
        except OSError:
            return ""
    return os.environ.get(site.token_env, "").strip()


def select_sites(sites: list[LmsSite], names: tuple[str, ...]) -> list[LmsSite]:
    """The sites named by ``--site`` (all when none); an unknown name names the known ones."""
    if not names:
        return sites
    known = {s.name: s for s in sites}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise _bad(
            f"неизвестный сайт СДО: {', '.join(unknown)}; известны: {', '.join(known)} (lms-bridge lms sites)"
        )
    return [known[n] for n in names]
