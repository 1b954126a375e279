"""Blueprint ``lti_register``: LTI Dynamic Registration at /lti/register.

Moodle opens the tool's registration URL (``lms-bridge lti registration-url``: it carries a one-time
``code``) in a cross-site iframe with ``openid_configuration`` and ``registration_token``. GET checks the
code and the platform and shows what will be registered; the button POSTs back (the page's one-time form
token is the CSRF token: no cookie survives a cross-site iframe on http); POST registers with the
platform, stores the platform and tells Moodle to close the frame. All state is server-side.
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, g, render_template, request
from werkzeug.datastructures import MultiDict

from lms_bridge.domain.platforms import NOBODY, PlatformScope
from lms_bridge.errors import RegistrationError
from lms_bridge.ports import Platform
from lms_bridge.web.context import WebContext, web_context
from lms_bridge.web.lti.registration import (
    PLACEMENTS,
    SCOPE_LABELS,
    SCOPES,
    TOOL_NAME,
    client_registration,
    fetch_configuration,
    origin,
    register,
)

bp = Blueprint("lti_register", __name__, url_prefix="/lti")
_NEW_CODE = "получите новый адрес командой `lms-bridge lti registration-url`"


def _check_code(ctx: WebContext, code: str) -> None:
    found = ctx.launches.find_registration_code(code) if code else None
    if found is None:
        raise RegistrationError(f"код регистрации (code) неверен или не указан: {_NEW_CODE}")
    if found.used_at is not None:
        raise RegistrationError(f"код регистрации уже использован: {_NEW_CODE}")
    if ctx.clock() >= found.expires_at:
        raise RegistrationError(f"срок действия кода регистрации истёк: {_NEW_CODE}")


def _params(values: MultiDict[str, str]) -> tuple[str, str, str]:
    """(code, openid_configuration, registration_token); lets the platform frame the page."""
    code = values.get("code", "")
    config_url = values.get("openid_configuration", "")
    token = values.get("registration_token", "")
    try:
        g.frame_origin = origin(config_url)
    except RegistrationError:
        g.frame_origin = None  # the same error is raised when the configuration is fetched
    _check_code(web_context(), code)
    if not config_url or not token:
        raise RegistrationError(
            "нет параметров openid_configuration и registration_token: вставьте адрес в Moodle "
            "(Внешний инструмент › Управление инструментами › Add LTI Advantage), а не открывайте его сами"
        )
    return code, config_url, token


def _scope_for(ctx: WebContext, code: str, platform: Platform) -> PlatformScope:
    """The code's scope; with none, what the same platform (issuer, client_id) had (a re-registration)."""
    found = ctx.launches.find_registration_code(code)
    if found is not None and not found.scope.empty:
        return found.scope
    same = [
        p
        for p in ctx.launches.list_platforms()
        if (p.issuer, p.client_id) == (platform.issuer, platform.client_id)
    ]
    return same[0].scope if same else NOBODY


@bp.get("/register")
def confirm() -> str:
    ctx = web_context()
    code, config_url, token = _params(request.args)
    config = fetch_configuration(ctx.http, config_url)
    return render_template(
        "lti_register.html",
        tool_name=TOOL_NAME,
        config=config,
        placements=PLACEMENTS,
        scopes=[SCOPE_LABELS[s] for s in SCOPES],
        code=code,
        config_url=config_url,
        token=token,
        form_token=ctx.launches.issue_registration_form(code),
    )


@bp.post("/register")
def complete() -> str:
    ctx = web_context()
    code, config_url, token = _params(request.form)
    config = fetch_configuration(ctx.http, config_url)
    form_token = request.form.get("form_token", "")
    if not ctx.launches.use_registration_code(code, form_token):
        raise RegistrationError("форма регистрации устарела или подделана: начните регистрацию заново")
    try:
        platform = register(ctx.http, config, token, client_registration(ctx.settings.public_url))
    except RegistrationError:
        ctx.launches.release_registration_code(code)  # the platform refused: the code may be used again
        raise
    ctx.launches.add_platform(replace(platform, scope=_scope_for(ctx, code, platform)))
    ctx.forget_platforms()
    g.allow_scripts = True  # static/lti-close.js posts org.imsglobal.lti.close to Moodle
    return render_template("lti_registered.html", tool_name=TOOL_NAME, platform=platform, config=config)
