"""Blueprint ``lti``: /lti/login (OIDC initiation), /lti/launch (redirect URI), /lti/jwks."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from flask import Blueprint, g, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WResponse

from lms_bridge.domain.vocabulary import Role
from lms_bridge.errors import LaunchError, PermissionDenied
from lms_bridge.ports import Principal, RouteFilter
from lms_bridge.web.auth import COOKIE
from lms_bridge.web.context import web_context
from lms_bridge.web.lti.deep_linking import VIEW_PARAM, VIEWS, content_item, response_jwt
from lms_bridge.web.lti.keys import load_private_pem, public_jwks
from lms_bridge.web.lti.launch import Launch, find_platform, validate_launch
from lms_bridge.web.lti.roles import may_deep_link, principal_for

bp = Blueprint("lti", __name__, url_prefix="/lti")


def launch_url() -> str:
    return web_context().settings.public_url.rstrip("/") + "/lti/launch"


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@bp.route("/login", methods=["GET", "POST"])
def login() -> WResponse:
    """Third-party initiated login: answer with a redirect to the platform's auth endpoint."""
    ctx = web_context()
    params = request.values
    issuer = params.get("iss", "")
    login_hint = params.get("login_hint", "")
    if not issuer or not login_hint:
        raise LaunchError("вход LTI: нет iss или login_hint")
    platform = find_platform(ctx.platforms(), issuer, params.get("client_id") or None)
    deployment = params.get("lti_deployment_id")
    if deployment and deployment not in platform.deployment_ids:
        raise LaunchError(f"развёртывание (deployment_id) {deployment!r} не зарегистрировано")
    # The launch always comes back to our fixed redirect URI, so target_link_uri only has to name
    # this tool (admins enter the Tool URL as the launch URL or as the bare base URL).
    target = params.get("target_link_uri", "")
    base = ctx.settings.public_url.rstrip("/")
    if target and not (target.rstrip("/") == base or target.startswith(base + "/")):
        raise LaunchError("target_link_uri не указывает на этот инструмент")
    st = ctx.launches.new_state(
        platform.issuer,
        platform.client_id,
        ctx.settings.lti_state_minutes,
        keep=ctx.settings.lti_max_states,
    )
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": launch_url(),
        "login_hint": login_hint,
        "state": st.state,
        "nonce": st.nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    sep = "&" if "?" in platform.auth_url else "?"
    resp = redirect(platform.auth_url + sep + urlencode(query), code=302)
    resp.headers["Cache-Control"] = "no-store"
    return resp


# long: the launch steps in their order, each a line or two
@bp.route("/launch", methods=["POST"])
def launch() -> WResponse | str:
    ctx = web_context()
    verified = validate_launch(
        request.form.get("id_token", ""),
        request.form.get("state", ""),
        launches=ctx.launches,
        platforms=ctx.platforms(),
        jwks=ctx.jwks,
        clock=ctx.clock,
        leeway=ctx.settings.lti_leeway_seconds,
    )
    if verified.deep_link is not None:
        return _selection_page(verified)
    line_item = _record_line_item(verified)
    store = ctx.store()
    principal = principal_for(verified, store=store, launches=ctx.launches, staff=ctx.settings.lti_staff)
    if principal.email and verified.subject:
        ctx.launches.link_identity(
            verified.platform.issuer, verified.subject, principal.email, verified.person_sourcedid
        )
    lid, _csrf = ctx.launches.open_session(
        principal,
        ctx.settings.web_session_hours,
        issuer=verified.platform.issuer,
        subject=verified.subject,
    )
    if line_item is not None and principal.role is Role.TEACHER and verified.subject:
        ctx.launches.record_progress_member(line_item, verified.subject, principal.email)
    resp = redirect(_landing(verified, principal, lid), code=303)
    resp.headers["Cache-Control"] = "no-store"
    secure = request.is_secure or ctx.settings.public_url.startswith("https://")
    # Inside the LMS iframe the cookie is third-party: SameSite=None needs Secure, which browsers
    # refuse on plain http. The launch id in every URL and form keeps the tool working either way.
    resp.set_cookie(
        COOKIE,
        lid,
        max_age=ctx.settings.web_session_hours * 3600,
        httponly=True,
        secure=secure,
        samesite="None" if secure else "Lax",
    )
    return resp


def _landing(verified: Launch, principal: Principal, lid: str) -> str:
    """Where a launch lands: what the placed activity names (``iom_view``, deep linking), else the
    teacher's latest working route (the portfolio when all are archived), else the dashboard."""
    view = verified.custom.get(VIEW_PARAM, "card")
    if view == "dashboard":
        return url_for("pages.dashboard", lid=lid)
    if view == "report":
        return url_for("pages.dashboard", lid=lid, _anchor="h-report")
    if view == "events":
        return url_for("pages.events", lid=lid)
    if principal.role is Role.TEACHER:
        own = (
            web_context()
            .store()
            .list_routes(RouteFilter(teacher_email=principal.email, within=principal.within))
        )
        if own:
            return url_for("pages.card", number=own[-1].number, lid=lid)
    return url_for("pages.dashboard", lid=lid)


def _record_line_item(verified: Launch) -> int | None:
    """A «Мой маршрут» placement with a line item: remember it (whoever launched: the editor's own
    launch after saving the activity is enough) for services/progress_sync.py; its id."""
    ags = verified.ags
    if ags is None or not ags.lineitem or verified.custom.get(VIEW_PARAM, "card") != "card":
        return None
    return web_context().launches.record_line_item(
        verified.platform.issuer,
        verified.platform.client_id,
        ags.lineitem,
        verified.context_id,
        ags.scopes,
        verified.memberships_url,
    )


def _selection_page(verified: Launch) -> str:
    """Deep linking: the editor picks what to place; each choice posts its signed answer to Moodle."""
    if not may_deep_link(verified.roles):
        raise PermissionDenied(
            "выбирать содержимое могут только редакторы курса "
            "(роль «Преподаватель» или «Разработчик содержимого»)"
        )
    assert verified.deep_link is not None
    ctx = web_context()
    pem = load_private_pem(ctx.settings)
    now = int(ctx.clock().timestamp())
    choices = [(p, response_jwt(verified, [content_item(p, launch_url())], pem, now)) for p in VIEWS]
    g.form_origin = origin_of(verified.deep_link.return_url)
    return render_template(
        "lti_deep_link.html", choices=choices, return_url=verified.deep_link.return_url, verified=verified
    )


@bp.get("/jwks")
def jwks() -> WResponse:
    resp = jsonify(public_jwks(load_private_pem(web_context().settings)))
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp
