"""The one place that builds real adapters from settings (Architecture Patterns with Python: bootstrap)."""

from __future__ import annotations

from lms_bridge.config import Settings
from lms_bridge.errors import ConfigError
from lms_bridge.ports import Lms
from lms_bridge.storage.store import SqlRouteStore, make_engine
from lms_bridge.storage.sync_store import SqlSyncStore


def build_store(settings: Settings) -> SqlRouteStore:
    return SqlRouteStore(make_engine(settings.database_url))


def build_sync_store(settings: Settings) -> SqlSyncStore:
    """The registry with what the sync jobs record (a ``SqlRouteStore`` too)."""
    return SqlSyncStore(make_engine(settings.database_url))


def build_lms(settings: Settings) -> Lms:
    if not settings.moodle_url:
        raise ConfigError("не задан адрес СДО: LMS_BRIDGE_MOODLE_URL")
    raise ConfigError("адаптер Moodle ещё не подключён")
