"""What every command needs, built lazily from settings in one place.

The store and settings are imported when first used, not when the CLI starts: ``lms-bridge --help``
must not load SQLAlchemy or pydantic-settings (benchmarks/startup.py).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from lms_bridge.config import Settings
    from lms_bridge.storage.sync_store import SqlSyncStore


class AppContext:
    @cached_property
    def settings(self) -> Settings:
        from lms_bridge.config import load_settings

        return load_settings()

    @cached_property
    def store(self) -> SqlSyncStore:
        from lms_bridge.bootstrap import build_store

        return build_store(self.settings)

    def now(self) -> datetime:
        """Now in the LMS's time zone (``LMS_BRIDGE_LMS_TIMEZONE``), naive: dates users see are local."""
        return datetime.now(ZoneInfo(self.settings.lms_timezone)).replace(tzinfo=None)

    def today(self) -> date:
        return self.now().date()
