"""What every command needs, built lazily from settings in one place.

The store and settings are imported when first used, not when the CLI starts: ``lms-bridge --help``
must not load SQLAlchemy or pydantic-settings (benchmarks/startup.py).
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

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

    def today(self) -> date:
        return date.today()
