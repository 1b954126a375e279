"""What every command needs, built lazily from settings in one place."""

from __future__ import annotations

from datetime import date
from functools import cached_property

from lms_bridge.bootstrap import build_store
from lms_bridge.config import Settings, load_settings
from lms_bridge.storage.sync_store import SqlSyncStore


class AppContext:
    @cached_property
    def settings(self) -> Settings:
        return load_settings()

    @cached_property
    def store(self) -> SqlSyncStore:
        return build_store(self.settings)

    def today(self) -> date:
        return date.today()
