"""Rate limits on the unauthenticated entry points (issue 10, item 7), with Flask-Limiter.

``/lti/login`` is the one URL anyone may call without a credential, and each call stores an OIDC
state: it is limited per client address (``LMS_BRIDGE_LTI_LOGIN_RATE``, e.g. ``60 per minute``;
behind a proxy the address comes from ``X-Forwarded-For`` through ProxyFix, see
``LMS_BRIDGE_WEB_PROXY_HOPS``). Counters live in memory by default — per worker process, so with
``--workers 2`` a client may get up to twice the rate — or in Redis when
``LMS_BRIDGE_RATE_LIMIT_STORAGE=redis://host:6379/0`` (shared by every worker and host). If that
storage fails, the limiter falls back to memory rather than refusing logins.

Why Flask-Limiter: the counters, moving windows, storage backends (memory, Redis, Memcached,
MongoDB), ``Retry-After`` and the per-app wiring are its whole job and well tested; a hand-written
counter would have to redo each for several workers.
"""

from __future__ import annotations

from typing import cast

from flask import Flask
from flask.typing import RouteCallable
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from lms_bridge.config import Settings

LOGIN_ENDPOINT = "lti.login"
LOGIN_REFUSED = "Слишком много попыток входа с этого адреса: подождите минуту и откройте ИОМ из СДО снова."


def install(app: Flask, settings: Settings) -> Limiter:
    """A limiter of this app's own (tests build many apps) on the login view."""
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=settings.rate_limit_storage,
        strategy="moving-window",
        headers_enabled=True,
        swallow_errors=True,
        in_memory_fallback_enabled=True,
        key_prefix="lms-bridge",
    )
    view = app.view_functions[LOGIN_ENDPOINT]
    limited = limiter.limit(settings.lti_login_rate, error_message=LOGIN_REFUSED)(view)
    app.view_functions[LOGIN_ENDPOINT] = cast(RouteCallable, limited)
    return limiter
