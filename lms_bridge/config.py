"""Settings, read from the environment (``LMS_BRIDGE_*``) or a ``.env`` file, once at start-up.

Secrets are ``SecretStr``: they print as ``**********`` and never reach logs.
Nothing reads the environment at import time: entry points call ``Settings()``.
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LMS_BRIDGE_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///lms_bridge.sqlite3",
        description="SQLAlchemy URL; PostgreSQL: postgresql+psycopg://user:pass@host/db",
    )
    region: str = Field(default="74", description="region code that starts every route number")
    route_months: int = Field(default=12, ge=6, le=24, description="planned route length (004: up to 1 year)")
    max_route_hours: int | None = Field(default=None, description="cap on formal hours recommended per route")

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

    # Moodle (issue: Moodle adapter)
    moodle_url: str = ""
    moodle_token: SecretStr = SecretStr("")
