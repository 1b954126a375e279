"""Who is calling: a launch session (launch id in the URL / form / header, or the cookie) or the
service token. The launch id in URLs is what makes the tool work without third-party cookies."""

from __future__ import annotations

import hmac

from flask import g, request

from lms_bridge.domain.vocabulary import Role
from lms_bridge.ports import Principal
from lms_bridge.web.context import web_context
from lms_bridge.web.errors import CsrfError, SessionRequired

COOKIE = "lmsb_lid"
SERVICE = Principal(Role.CENTRE, name="интеграция ЦНППМ", via_token=True)


def _launch_id() -> str:
    return (
        request.args.get("lid")
        or request.form.get("lid")
        or request.headers.get("X-Launch-Id")
        or request.cookies.get(COOKIE)
        or ""
    )


def current_principal() -> Principal:
    if "principal" in g:
        found: Principal = g.principal
        return found
    ctx = web_context()
    auth = request.headers.get("Authorization", "")
    token = ctx.settings.api_token.get_secret_value()
    if auth.startswith("Bearer ") and token:
        if not hmac.compare_digest(auth[7:].strip().encode(), token.encode()):
            raise SessionRequired("неверный сервисный токен")
        g.principal, g.lid = SERVICE, ""
        return SERVICE
    lid = _launch_id()
    principal = ctx.find_session(lid) if lid else None
    if principal is None:
        raise SessionRequired("сеанс не найден или истёк: откройте маршрут из СДО заново")
    g.principal, g.lid = principal, lid
    return principal


def check_csrf(p: Principal) -> None:
    """Every state-changing request from a browser session carries the session's CSRF token."""
    if p.via_token:
        return
    sent = request.form.get("csrf") or request.headers.get("X-CSRF-Token") or ""
    if not sent or not hmac.compare_digest(sent.encode(), p.csrf.encode()):
        raise CsrfError("форма устарела или подделана (CSRF): обновите страницу")
