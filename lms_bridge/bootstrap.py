"""The one place that builds real adapters from settings (Architecture Patterns with Python: bootstrap).

The adapters (SQLAlchemy, requests, the Moodle client, Flask) load inside the builders, not at the top:
CLI commands import this module for the light policy builders below, and ``lms-bridge routes --help`` must not
pay for loading the database and HTTP stacks (issue 7, start-up cost)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from lms_bridge.domain.keeping import KeepingPolicy
from lms_bridge.domain.workflow import WorkflowPolicy
from lms_bridge.errors import ConfigError
from lms_bridge.services.build import DraftRules

if TYPE_CHECKING:  # loaded by the builders that need them, so that importing this module stays cheap
    import requests
    from flask import Flask

    from lms_bridge.config import Settings
    from lms_bridge.domain.sites import LmsSite
    from lms_bridge.ports import LaunchStore, Lms, NoticeStore, Platform
    from lms_bridge.services.progress_sync import GradeService
    from lms_bridge.storage.store import SqlRouteStore
    from lms_bridge.storage.sync_store import SqlSyncStore


def build_store(settings: Settings) -> SqlSyncStore:
    """The registry, with what the sync jobs record (``SqlSyncStore`` is a ``SqlRouteStore``)."""
    from lms_bridge.storage.store import make_engine
    from lms_bridge.storage.sync_store import SqlSyncStore

    return SqlSyncStore(make_engine(settings.database_url))


def build_launch_store(store: SqlRouteStore, clock: Callable[[], datetime] = datetime.now) -> LaunchStore:
    """The web app's own state (platforms, login states, sessions, identities, heads), beside the routes."""
    from lms_bridge.storage.launch_store import SqlLaunchStore

    return SqlLaunchStore(store.engine, clock)


def build_notice_store(store: SqlRouteStore) -> NoticeStore:
    """What the notification job sent, beside the routes (same engine)."""
    from lms_bridge.storage.notices import SqlNoticeStore

    return SqlNoticeStore(store.uow)


def moodle_configured(settings: Settings) -> bool:
    return bool(settings.moodle_url.strip() and settings.moodle_token.get_secret_value().strip())


def build_web_app(
    settings: Settings,
    *,
    store: SqlRouteStore | None = None,
    lms: Lms | None = None,
    clock: Callable[[], datetime] | None = None,
    http: requests.Session | None = None,
) -> Flask:
    """The web app with its parts. Without ``store`` (``serve``) each request gets its own route store over
    one engine (a store keeps its open transaction on the instance, so threads must not share one); with
    ``store`` (the demo, tests) every request uses that one. Without ``lms`` Moodle is built from settings
    when they name one, so the card's course links point at the courses themselves. ``serve`` calls this in
    each worker after the fork: the engine and the LMS's HTTP session are never shared between processes."""
    from lms_bridge.storage.store import SqlRouteStore, make_engine
    from lms_bridge.web import create_app

    now = clock or datetime.now
    if store is None:
        engine = make_engine(settings.database_url)
        shared = SqlRouteStore(engine, clock=now)
        route_store: Callable[[], SqlRouteStore] = lambda: SqlRouteStore(engine, clock=now)  # noqa: E731
    else:
        shared = store
        route_store = lambda: store  # noqa: E731
    if lms is None and moodle_configured(settings):
        lms = build_lms(settings)
    return create_app(
        settings,
        route_store=route_store,
        launch_store=build_launch_store(shared, now),
        lms=lms,
        clock=now,
        http=http,
    )


def build_site_lms(settings: Settings, site: LmsSite, *, parallel: int | None = None) -> Lms:
    """The Moodle adapter of one LMS site (``site_config``): its URL, token, ``max_input_vars``; at most
    ``parallel`` concurrent calls from this process (default: the site's cap). The default site of a
    region without a sites file is ``build_lms``."""
    from pydantic import SecretStr

    from lms_bridge.adapters.moodle.lms import MoodleLms
    from lms_bridge.adapters.moodle.transport import MoodleClient, RetryPolicy
    from lms_bridge.site_config import site_token

    if not settings.sites_file.strip():
        return build_lms(settings, parallel=parallel)
    token = site_token(site)
    if not token:
        where = f"файл {site.token_file}" if site.token_file else f"переменная окружения {site.token_env}"
        raise ConfigError(f"сайт СДО «{site.name}»: нет токена веб-сервисов ({where})")
    client = MoodleClient(
        site.url,
        SecretStr(token),
        timeout=(settings.moodle_timeout_connect, settings.moodle_timeout_read),
        retry=RetryPolicy(attempts=settings.moodle_retries, base_delay=settings.moodle_retry_delay),
        max_input_vars=site.max_input_vars,
        rate_per_s=settings.moodle_rate_per_s,
    )
    return MoodleLms(
        client,
        profile_field=settings.moodle_profile_field,
        parallel=parallel or site.cap,
        competency_scale_id=settings.moodle_competency_scale_id,
    )


def build_lms(settings: Settings, *, parallel: int | None = None) -> Lms:
    """The Moodle adapter from settings; ConfigError names the missing environment variable."""
    from lms_bridge.adapters.moodle.lms import MoodleLms
    from lms_bridge.adapters.moodle.transport import MoodleClient, RetryPolicy

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
        parallel=parallel or settings.moodle_parallel,
        competency_scale_id=settings.moodle_competency_scale_id,
    )


def draft_rules(settings: Settings) -> DraftRules:
    """What shapes a drafted route, from settings and the region's profile."""
    profile = settings.profile
    return DraftRules(
        months=settings.route_months,
        max_hours=settings.max_route_hours,
        next_diagnostic_years=settings.next_diagnostic_years,
        curator_rule=profile.routes.curator_rule,
        region_name=profile.card.region_name,
        stages=profile.card.layout == "buryatia",
    )


def workflow_policy(settings: Settings) -> WorkflowPolicy:
    """The region's workflow: with the ЦНППМ head's agreement (004 §2) or without (003)."""
    return WorkflowPolicy(centre_agreement=settings.centre_head_agreement)


def keeping_policy(settings: Settings) -> KeepingPolicy:
    """Validity of diagnostics and keeping periods (000 §1.8, 003 §4.5.4)."""
    return KeepingPolicy(
        validity_years=settings.diagnostic_valid_years,
        keep_years=settings.keep_years,
        purge_after_years=settings.purge_after_years,
    )


def all_platforms(settings: Settings, launches: LaunchStore) -> list[Platform]:
    """The LTI platforms from the settings and the database (settings win for the same key)."""
    from lms_bridge.web.context import platform_of

    found = {(p.issuer, p.client_id): p for p in launches.list_platforms()}
    for c in settings.lti_platforms:
        p = platform_of(c)
        found[(p.issuer, p.client_id)] = p
    return list(found.values())


def build_grade_services(
    settings: Settings, http: requests.Session | None = None
) -> Callable[[Platform], GradeService | None]:
    """Per platform, its LTI grade service client (one per platform for the run; tokens cached in it);
    None when the tool has no key or the platform no token URL."""
    import requests

    from lms_bridge.adapters.lti_ags import AgsClient, ToolKey
    from lms_bridge.web.lti.keys import load_private_pem, public_jwks

    pem = load_private_pem(settings)
    clients: dict[tuple[str, str], AgsClient] = {}

    def service(p: Platform) -> GradeService | None:
        if pem is None or not p.token_url:
            return None
        key = (p.issuer, p.client_id)
        if key not in clients:
            tool_key = ToolKey(pem, public_jwks(pem)["keys"][0]["kid"])
            clients[key] = AgsClient(p.client_id, p.token_url, tool_key, http or requests.Session())
        return clients[key]

    return service
