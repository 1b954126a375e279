"""Settings, read from the environment (``LMS_BRIDGE_*``) or a ``.env`` file, once at start-up.

Secrets are ``SecretStr``: they print as ``**********`` and never reach logs.
Nothing reads the environment at import time: entry points call ``load_settings()``, which turns
bad values into ``SettingsInvalid``: one Russian line per bad variable, saying what is expected
(the CLI prints them and exits with code 2, never a pydantic traceback).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic import ValidationError as PydanticValidationError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from lms_bridge.config_errors import explain
from lms_bridge.domain.uploads import DEFAULT_FILE_TYPES, DEFAULT_MAX_BYTES
from lms_bridge.errors import SettingsInvalid
from lms_bridge.profiles import DEFAULT_PROFILE, SHIPPED, ProfileInvalid, RegionProfile, load_profile

ENV_PREFIX = "LMS_BRIDGE_"


class LtiPlatformConfig(BaseModel):
    """One LTI 1.3 platform (a Moodle site) registered with the tool (area: web)."""

    issuer: str
    client_id: str
    deployment_ids: list[str]
    auth_url: str
    jwks_url: str
    token_url: str = ""
    # Whom its launches may speak for (domain/platforms.py): the whole region, or these places.
    region: bool = False
    schools: list[str] = Field(default_factory=list)
    municipalities: list[str] = Field(default_factory=list)


class LtiStaffConfig(BaseModel):
    """A ЦНППМ staff member, recognised by e-mail only in launches from the named platform (issuer)."""

    role: str
    platform: str


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///lms_bridge.sqlite3",
        description="SQLAlchemy URL; PostgreSQL: postgresql+psycopg://user:pass@host/db",
    )
    region: str = Field(default="74", description="region code that starts every route number")
    region_profile: str = Field(
        default=DEFAULT_PROFILE,
        description="the region's rules (docs/profiles.md): a shipped profile or a path to a .toml file",
        json_schema_extra={"expected": f"имя профиля ({', '.join(SHIPPED)}) или путь к файлу .toml"},
    )
    route_months: int = Field(
        default=12, ge=1, le=36, description="planned route length; default and bounds from the profile"
    )
    max_route_hours: int | None = Field(default=None, description="cap on formal hours recommended per route")
    route_max_months: int = Field(
        default=24, ge=6, le=36, description="longest route, prolongation included (003 §4.4.3: 2 years)"
    )
    next_diagnostic_years: int = Field(
        default=3, ge=1, le=5, description="next diagnostic after this many years (003 App. 2 §5.6.1)"
    )
    product_max_bytes: int = Field(
        default=DEFAULT_MAX_BYTES, ge=1024, description="largest educational product file the registry keeps"
    )
    product_file_types: list[str] = Field(
        default_factory=lambda: list(DEFAULT_FILE_TYPES),
        description="JSON list of the product file extensions accepted",
    )
    centre_head_agreement: bool = Field(
        default=False, description="the head of the ЦНППМ agrees a route before the head of school (004 §2)"
    )
    diagnostic_valid_years: int = Field(
        default=1,
        ge=0,
        le=5,
        description="a diagnostic drafts routes to the end of the N-th next year (000 §1.8)",
    )
    keep_years: int = Field(
        default=1, ge=1, le=10, description="years a finished route stays in the registry (003 §4.5.4)"
    )
    purge_after_years: int = Field(
        default=5, ge=0, le=75, description="years in the archive before personal data are removed"
    )

    # Route card and reports (area: exporters): the issuing centre printed on the card's title page
    centre_name: str = Field(
        default="Центр непрерывного повышения профессионального мастерства педагогических работников",
        description="ЦНППМ that develops the routes (card title)",
    )
    centre_parent: str = Field(default="", description="parent institution printed above the centre, if any")
    centre_city: str = Field(
        default="", description="city printed on the card's title page, e.g. «г. Смоленск»"
    )
    report_min_group: int = Field(default=5, ge=5, description="smallest group a report may show (privacy)")

    # Moodle (issue: Moodle adapter; area: adapters/moodle, `lms check`)
    moodle_url: str = Field(
        default="", description="Moodle base URL, a sub-path is kept: https://host/moodle"
    )
    moodle_token: SecretStr = SecretStr("")
    moodle_timeout_connect: float = Field(default=5.0, gt=0, description="seconds to open a connection")
    moodle_timeout_read: float = Field(default=120.0, gt=0, description="seconds to wait for an answer")
    moodle_retries: int = Field(
        default=3, ge=1, le=10, description="attempts for transient faults (1 = none)"
    )
    moodle_retry_delay: float = Field(default=0.5, ge=0, description="first backoff delay, seconds (doubles)")
    moodle_max_input_vars: int = Field(
        default=1000, ge=20, description="PHP max_input_vars of the Moodle host"
    )
    moodle_user_field: Literal["email", "username", "idnumber"] = "email"
    moodle_role_id: int = Field(default=5, description="role given on enrolment (5 = student)")
    moodle_profile_field: str = Field(default="iom_url", description="custom profile field for the card link")
    moodle_parallel: int = Field(default=4, ge=1, le=16, description="concurrent web-service calls")
    moodle_rate_per_s: float = Field(default=0.0, ge=0, description="max calls per second (0 = no limit)")
    sites_file: str = Field(
        default="",
        description="TOML file of the LMS sites (site_config.py); empty = one site, LMS_BRIDGE_MOODLE_URL",
    )
    moodle_competency_scale_id: int = Field(
        default=2, description="scale of the deficit competency framework"
    )

    # --- web app and LTI 1.3 tool (area: web; docs/web.md) ---
    public_url: str = Field(
        default="http://localhost:5000",
        description="the tool's public base URL (what Moodle reaches); every LTI URL derives from it",
    )
    lti_private_key: SecretStr = Field(default=SecretStr(""), description="the tool's RSA private key (PEM)")
    lti_private_key_path: str = Field(
        default="lti_private_key.pem", description="where `lti keygen` writes / the app reads the PEM"
    )
    lti_platforms: Annotated[list[LtiPlatformConfig], NoDecode] = Field(
        default_factory=list,
        description="JSON list: issuer, client_id, deployment_ids, auth_url, jwks_url, token_url, "
        "and whom it speaks for: region (true) or schools / municipalities (lists)",
    )
    lti_staff: Annotated[dict[str, LtiStaffConfig], NoDecode] = Field(
        default_factory=dict,
        description='JSON {"email": {"role": "developer|centre|centre_head|admin", "platform": "<issuer>"}}: '
        "ЦНППМ staff who see every route, when launched from their platform",
    )
    lti_leeway_seconds: int = Field(default=30, ge=0, le=300, description="clock skew allowed on exp/iat")
    lti_state_minutes: int = Field(default=10, ge=1, le=60, description="how long an OIDC state lives")
    lti_max_states: int = Field(
        default=1000,
        ge=10,
        le=1_000_000,
        description="OIDC states kept per platform; the oldest are dropped beyond it (login flooding)",
    )
    lti_login_rate: str = Field(
        default="60 per minute",
        description="/lti/login requests allowed per client address (Flask-Limiter notation)",
    )
    rate_limit_storage: str = Field(
        default="memory://",
        description="where rate-limit counters live: memory:// (per worker) or redis://host:6379/0 (shared)",
    )
    web_session_hours: int = Field(default=8, ge=1, le=72, description="how long a launch session lives")
    web_card_cache_seconds: int = Field(
        default=60,
        ge=0,
        le=3600,
        description="repeat views of an unchanged card from a per-worker cache; 0 = off",
    )
    web_proxy_hops: int = Field(default=0, ge=0, le=5, description="trusted reverse proxies (X-Forwarded-*)")
    api_token: SecretStr = Field(default=SecretStr(""), description="service token for ЦНППМ integrations")

    # LMS sync jobs (area: jobs; the Moodle block above gives user field, role, parallel, rate)
    sync_batch: int = Field(
        default=100,
        ge=1,
        le=1000,
        description="values per user lookup, rows per enrol call, users per card-link call",
    )
    lms_timezone: str = Field(
        default="Asia/Yekaterinburg", description="the LMS's time zone for enrolment dates"
    )
    sync_plans: bool = Field(default=True, description="attach makes a Moodle learning plan per route")
    sync_lock_file: str = Field(default="var/sync.lock", description="one sync run at a time (file lock)")
    notify_days_before: int = Field(
        default=14, ge=0, le=180, description="tell teachers about a catalogue event this many days ahead"
    )
    notify_lock_file: str = Field(default="var/notify.lock", description="one notify run at a time")
    jobs_queue: bool = Field(
        default=False,
        description="sync commands defer their work to the task queue (procrastinate on the PostgreSQL "
        "registry; `lms-bridge worker` runs it); false = in-process, as with SQLite",
    )
    jobs_schedule: str = Field(
        default="*/15 * * * *",
        description="cron of `sync all` in the queue's scheduler (workers run it); empty = no schedule",
    )

    @field_validator("lti_platforms", "lti_staff", mode="before")
    @classmethod
    def _json(cls, value: Any, info: ValidationInfo) -> Any:
        """JSON settings parsed here, not by pydantic-settings, so a bad one is a validation error
        reported with the others (pydantic-settings stops at the first with a bare SettingsError)."""
        if not isinstance(value, str):
            return value
        if not value.strip():
            return cls.model_fields[str(info.field_name)].get_default(call_default_factory=True)
        try:
            return json.loads(value)
        except json.JSONDecodeError as e:
            raise ValueError(f"значение не читается как JSON (ошибка у знака {e.pos + 1})") from None

    @field_validator("region_profile")
    @classmethod
    def _profile(cls, value: str) -> str:
        try:
            load_profile(value)
        except ProfileInvalid as e:
            raise ValueError(str(e)) from None
        return value

    @property
    def profile(self) -> RegionProfile:
        """The region's profile (``LMS_BRIDGE_REGION_PROFILE``), validated when the settings were read."""
        return load_profile(self.region_profile)

    @model_validator(mode="after")
    def _profile_defaults(self) -> Settings:
        """Settings the profile gives a default for take it unless set explicitly (environment, .env)."""
        explicit = set(self.model_fields_set)
        for name, value in _profile_defaults(self.profile).items():
            if name not in explicit:
                setattr(self, name, value)
        low, high = self.profile.routes.min_months, self.route_max_months
        if not low <= self.route_months <= high:
            raise ValueError(
                f"{ENV_PREFIX}ROUTE_MONTHS: ожидается от {low} до {high} месяцев "
                f"(профиль «{self.profile.name}» и {ENV_PREFIX}ROUTE_MAX_MONTHS); задано {self.route_months}"
            )
        return self

    @field_validator("lti_login_rate")
    @classmethod
    def _rate(cls, value: str) -> str:
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError:
            raise ValueError("ожидается частота вида «60 per minute» или «10/second»") from None
        return value


def _profile_defaults(profile: RegionProfile) -> dict[str, Any]:
    """What a profile sets by default: route length, the approval chain, validity and keeping periods."""
    return {
        "route_months": profile.routes.default_months,
        "route_max_months": profile.routes.max_months,
        "centre_head_agreement": profile.approval.centre_head_agreement,
        "diagnostic_valid_years": profile.keeping.diagnostic_valid_years,
        "keep_years": profile.keeping.keep_years,
        "purge_after_years": profile.keeping.purge_after_years,
    }


def load_settings(**values: Any) -> Settings:
    """Settings from the environment (and ``.env``); SettingsInvalid lists every bad variable."""
    try:
        return Settings(**values)
    except PydanticValidationError as e:
        raise SettingsInvalid(explain(Settings, ENV_PREFIX, e)) from None
