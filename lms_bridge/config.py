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

    # Moodle (issue: Moodle adapter)
    moodle_url: str = ""
    moodle_token: SecretStr = SecretStr("")

    # LMS sync jobs and enrolment applications (area: jobs)
    public_url: str = Field(default="http://localhost:8000", description="where the route card is served")
    lms_user_field: str = Field(
        default="email", description="how teachers are found in the LMS: email|username"
    )
    moodle_student_role: int = Field(default=5, description="role id given on enrolment (5 = student)")
    moodle_parallel: int = Field(default=4, ge=1, le=32, description="LMS calls in flight at once")
    moodle_rate_per_s: float = Field(
        default=20.0, ge=0, description="LMS calls per second per site; 0 = no limit"
    )
    sync_batch: int = Field(
        default=100, ge=1, le=1000, description="values per user lookup, rows per enrol call"
    )
    lms_timezone: str = Field(
        default="Asia/Yekaterinburg", description="the LMS's time zone for enrolment dates"
    )
