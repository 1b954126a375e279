"""The web app: ``create_app(settings, *, route_store, launch_store, lms=None, clock=None)``.

Blueprints: ``lti`` (LTI 1.3 tool), ``pages`` (route card, dashboards), ``api`` (JSON under /api/v1).
Nothing here reads the environment or builds adapters: ``bootstrap.build_web_app`` passes ready parts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import requests
from flask import Flask, Response, g, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

from lms_bridge.config import Settings
from lms_bridge.domain.limits import limit
from lms_bridge.exporters.card_text import years
from lms_bridge.ports import LaunchStore, Lms, RouteStore
from lms_bridge.web import errors, ratelimit
from lms_bridge.web.cache import TtlCache
from lms_bridge.web.card_view import fmt_date
from lms_bridge.web.context import WebContext, web_context
from lms_bridge.web.errors import MAX_REQUEST_BYTES
from lms_bridge.web.lti.jwks import JwksCache


def create_app(
    settings: Settings,
    *,
    route_store: Callable[[], RouteStore],
    launch_store: LaunchStore,
    lms: Lms | None = None,
    clock: Callable[[], datetime] | None = None,
    http: requests.Session | None = None,
) -> Flask:
    """Build the app from ready parts. ``route_store`` gives the route store for a request (called once
    per request); ``lms`` (None: no LMS) turns the card's course references into course links; ``http``
    is the session used to reach the platforms (JWKS, dynamic registration; tests use ``responses``)."""
    from lms_bridge.web import api, applications_view, centre, pages
    from lms_bridge.web.lti import register_views
    from lms_bridge.web.lti import views as lti

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    # Werkzeug's own cap on a form field (500 kB) would answer an over-long note with a bare 413:
    # let it through to the domain, which names the field and its limit
    app.config["MAX_FORM_MEMORY_SIZE"] = MAX_REQUEST_BYTES
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    if settings.web_proxy_hops:
        hops = settings.web_proxy_hops
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )
    now = clock or datetime.now
    session = http or requests.Session()
    app.extensions["lms_bridge"] = WebContext(
        settings=settings,
        new_route_store=route_store,
        launches=launch_store,
        jwks=JwksCache(session, clock=lambda: now().timestamp()),
        clock=now,
        lms=lms,
        http=session,
        cards=TtlCache(float(settings.web_card_cache_seconds), 2048),
    )
    for bp in (lti.bp, register_views.bp, pages.bp, applications_view.bp, centre.bp, api.bp):
        app.register_blueprint(bp)
    ratelimit.install(app, settings)
    errors.register(app)
    _templating(app)
    app.after_request(_security_headers)

    @app.get("/healthz")
    def healthz() -> Response:
        return Response("ok", mimetype="text/plain")

    return app


def _link(endpoint: str, **values: Any) -> str:
    """url_for that carries the launch id, so navigation works without cookies."""
    lid = g.get("lid")
    if lid:
        values.setdefault("lid", lid)
    return url_for(endpoint, **values)


def _templating(app: Flask) -> None:
    app.jinja_env.globals.update(link=_link, limit=limit)
    app.jinja_env.filters["d"] = lambda v: fmt_date(v) if isinstance(v, date) or v is None else str(v)
    app.jinja_env.filters["years"] = years  # «16 лет», as the DOCX prints it
    # the first letter up, the rest kept: Jinja's «capitalize» would print «Куратор иом», «Руководитель оо»
    app.jinja_env.filters["cap"] = lambda s: str(s)[:1].upper() + str(s)[1:]
    app.jinja_env.filters["isod"] = lambda v: fmt_date(date.fromisoformat(v)) if v else "—"
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def _security_headers(resp: Response) -> Response:
    # The registration page is framed by a platform not registered yet: the view names its origin.
    extra = [g.frame_origin] if g.get("frame_origin") else []
    ancestors = " ".join(["'self'", *web_context().frame_ancestors(), *extra])
    script = "script-src 'self'; " if g.get("allow_scripts") else ""
    # the deep linking page posts its answer to the platform's return URL
    forms = " ".join(["'self'", *([g.form_origin] if g.get("form_origin") else [])])
    resp.headers["Content-Security-Policy"] = (
        f"default-src 'none'; {script}style-src 'self'; img-src 'self' data:; form-action {forms}; "
        f"base-uri 'none'; frame-ancestors {ancestors}"
    )
    resp.headers["X-Content-Type-Options"] = "nosniff"
    # The launch id rides in URLs: never leak it to the sites the card links to.
    resp.headers["Referrer-Policy"] = "no-referrer"
    if resp.mimetype in ("text/html", "application/json") and "Cache-Control" not in resp.headers:
        resp.headers["Cache-Control"] = "no-store"
    return resp
