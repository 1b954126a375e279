"""The one place that builds real adapters from settings (Architecture Patterns with Python: bootstrap)."""

from __future__ import annotations

from lms_bridge.adapters.moodle.lms import MoodleLms
from lms_bridge.adapters.moodle.transport import MoodleClient, RetryPolicy
from lms_bridge.config import Settings
from lms_bridge.errors import ConfigError
from lms_bridge.ports import Lms
from lms_bridge.services.build import DraftRules
from lms_bridge.storage.store import make_engine
from lms_bridge.storage.sync_store import SqlSyncStore


def build_store(settings: Settings) -> SqlSyncStore:
    """The registry, with what the sync jobs record (``SqlSyncStore`` is a ``SqlRouteStore``)."""
    return SqlSyncStore(make_engine(settings.database_url))


def build_lms(settings: Settings) -> Lms:
    """The Moodle adapter from settings; ConfigError names the missing environment variable."""
    if not settings.moodle_url.strip():
        raise ConfigError("не задан адрес Moodle: переменная окружения LMS_BRIDGE_MOODLE_URL")
    if not settings.moodle_token.get_secret_value().strip():
        raise ConfigError("не задан токен веб-сервисов Moodle: переменная окружения LMS_BRIDGE_MOODLE_TOKEN")
    try:
        client = MoodleClient(
            settings.moodle_url,
            settings.moodle_token,
            timeout=(settings.moodle_timeout_connect, settings.moodle_timeout_read),
            retry=RetryPolicy(attempts=settings.moodle_retries, base_delay=settings.moodle_retry_delay),
            max_input_vars=settings.moodle_max_input_vars,
            rate_per_s=settings.moodle_rate_per_s,
        )
    except ValueError as e:
        raise ConfigError(f"LMS_BRIDGE_MOODLE_URL: {e}") from None
    return MoodleLms(
        client,
        profile_field=settings.moodle_profile_field,
        parallel=settings.moodle_parallel,
        competency_scale_id=settings.moodle_competency_scale_id,
    )


def draft_rules(settings: Settings) -> DraftRules:
    """What shapes a drafted route, from settings."""
    return DraftRules(
        months=settings.route_months,
        max_hours=settings.max_route_hours,
        next_diagnostic_years=settings.next_diagnostic_years,
    )
