"""What the views need, built once per app in ``create_app`` and reached through ``web_context()``."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import requests
from flask import current_app, g

from lms_bridge.config import LtiPlatformConfig, Settings
from lms_bridge.domain.platforms import PlatformScope
from lms_bridge.domain.workflow import WorkflowPolicy
from lms_bridge.errors import LmsError
from lms_bridge.ports import LaunchStore, Lms, Platform, Principal, RouteStore
from lms_bridge.web.cache import TtlCache
from lms_bridge.web.lti.jwks import JwksCache

log = logging.getLogger(__name__)
_PLATFORMS_TTL = 30.0  # seconds: platforms added with `lti add-platform` show up without a restart


@dataclass
class WebContext:
    settings: Settings
    new_route_store: Callable[[], RouteStore]
    launches: LaunchStore
    jwks: JwksCache
    clock: Callable[[], datetime]
    lms: Lms | None = None
    http: requests.Session = field(default_factory=requests.Session)  # the platforms' endpoints
    sessions: TtlCache[Principal] = field(default_factory=lambda: TtlCache(60.0, 10_000))
    cards: TtlCache[str] = field(default_factory=lambda: TtlCache(0.0))
    courses: TtlCache[int] = field(default_factory=lambda: TtlCache(3600.0, 5000))
    _platforms: tuple[float, list[Platform]] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def store(self) -> RouteStore:
        """The route store for this request (made once per request: see ``bootstrap.build_web_app``)."""
        if "route_store" not in g:
            g.route_store = self.new_route_store()
        store: RouteStore = g.route_store
        return store

    def find_session(self, launch_id: str) -> Principal | None:
        """The launch session, from this worker's cache when seen in the last minute."""
        key = hashlib.sha256(launch_id.encode()).hexdigest()
        p = self.sessions.get(key)
        if p is None:
            p = self.launches.find_session(launch_id)
            if p is None:
                return None
            self.sessions.put(key, p)
        if p.expires_at is not None and p.expires_at <= self.clock():
            return None
        return p

    def course_ids(self, refs: list[str]) -> dict[str, int]:
        """LMS course ids for course links (``course/view.php?id=``), looked up once an hour per
        course; without an LMS, or when it does not answer, the card links to the course search."""
        out: dict[str, int] = {}
        if self.lms is None:
            return out
        for ref in refs:
            cid = self.courses.get(ref)
            if cid is None:
                try:
                    found = self.lms.find_course(ref)
                except LmsError as e:
                    log.warning("course link for %s: %s", ref, type(e).__name__)
                    continue
                cid = found.id if found else 0
                self.courses.put(ref, cid)
            if cid:
                out[ref] = cid
        return out

    @property
    def workflow(self) -> WorkflowPolicy:
        """The region's workflow (``LMS_BRIDGE_CENTRE_HEAD_AGREEMENT``), as bootstrap.workflow_policy."""
        return WorkflowPolicy(centre_agreement=self.settings.centre_head_agreement)

    def today(self) -> date:
        """Today in the LMS's time zone (``LMS_BRIDGE_LMS_TIMEZONE``): the date users see and enter.
        A naive clock reading is the server's local time."""
        return self.clock().astimezone(ZoneInfo(self.settings.lms_timezone)).date()

    def platforms(self) -> list[Platform]:
        with self._lock:
            cached = self._platforms
        if cached and time.monotonic() - cached[0] < _PLATFORMS_TTL:
            return cached[1]
        found = {(p.issuer, p.client_id): p for p in self.launches.list_platforms()}
        for c in self.settings.lti_platforms:  # settings win over the DB for the same key
            p = platform_of(c)
            found[(p.issuer, p.client_id)] = p
        platforms = list(found.values())
        with self._lock:
            self._platforms = (time.monotonic(), platforms)
        return platforms

    def forget_platforms(self) -> None:
        """Drop this worker's platform cache (a platform was just registered)."""
        with self._lock:
            self._platforms = None

    def frame_ancestors(self) -> list[str]:
        origins = []
        for p in self.platforms():
            parts = urlsplit(p.issuer)
            if parts.scheme and parts.netloc:
                origin = f"{parts.scheme}://{parts.netloc}"
                if origin not in origins:
                    origins.append(origin)
        return origins


def platform_of(c: LtiPlatformConfig) -> Platform:
    scope = PlatformScope.of(region=c.region, schools=c.schools, municipalities=c.municipalities)
    return Platform(
        c.issuer, c.client_id, tuple(c.deployment_ids), c.auth_url, c.jwks_url, c.token_url, scope
    )


def web_context() -> WebContext:
    ctx: WebContext = current_app.extensions["lms_bridge"]
    return ctx
