"""The one place that builds real adapters from settings (Architecture Patterns with Python: bootstrap)."""

from __future__ import annotations

from lms_bridge.config import Settings
from lms_bridge.storage.store import SqlRouteStore, make_engine


def build_store(settings: Settings) -> SqlRouteStore:
    return SqlRouteStore(make_engine(settings.database_url))
