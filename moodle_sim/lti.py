"""A minimal LTI 1.3 platform inside the Moodle simulator: Moodle's own launch flow, in miniature.

Flow, as recorded on Moodle 5.1 (tests/fixtures/moodle/NOTES.md «LTI 1.3 (Moodle as platform)»)::

    /course/view.php?id=C&user=U   course page, the tool embedded in an <iframe>
       └─iframe─▶ /mod/lti/launch.php?id=CMID&user=U
                  auto-submits the OIDC third-party initiation (iss, target_link_uri, login_hint,
                  lti_message_hint {"cmid","launchid"}, client_id, lti_deployment_id) to the tool's login URL
    tool ──302──▶ /mod/lti/auth.php?scope=openid&response_type=id_token&response_mode=form_post&prompt=none
                  &client_id&redirect_uri&login_hint&lti_message_hint&state&nonce
                  checks them, then auto-submits id_token + state to the redirect URI (form_post)

The id_token carries the claims a real Moodle sends (bodies/lti_id_token__claims.json), signed RS256
with a key generated when the platform is created; /mod/lti/certs.php serves its public half (JWKS).

The simulator has no login sessions: the user comes from the ``user`` parameter (the demo's user
switcher). Real Moodle checks login_hint against the session user; here auth.php checks it against
the pending launch that launch.php recorded under ``launchid`` (single use, 10 minutes).
"""

from __future__ import annotations

import itertools
import json
import secrets
import string
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Blueprint, Response, render_template, request

from lms_bridge.errors import LaunchError
from moodle_sim.lti_claims import (
    DEMO_ROLE_LABELS,
    INSTITUTION_ADMIN,
    INSTRUCTOR,
    LEARNER,
    LTI,
    MOODLE_RELEASE,
    SYSTEM_ADMIN,
    PlatformCourse,
    PlatformUser,
    Tool,
    ToolActivity,
    id_token_claims,
    lti_roles,
)
from moodle_sim.lti_deep_linking import SELECTION_LAUNCH, add_deep_linking, deep_linking_claims
from moodle_sim.lti_pages import add_pages
from moodle_sim.lti_registration import add_registration
from moodle_sim.lti_services import AccessToken, Grade, add_services

__all__ = [
    "DEMO_ROLE_LABELS",
    "INSTITUTION_ADMIN",
    "INSTRUCTOR",
    "LEARNER",
    "LTI",
    "SYSTEM_ADMIN",
    "FormPost",
    "LtiPlatform",
    "PlatformCourse",
    "PlatformUser",
    "Tool",
    "ToolActivity",
    "lti_blueprint",
    "lti_roles",
]
LAUNCH_TTL = 600  # seconds a launch.php initiation stays redeemable at auth.php


@dataclass(frozen=True)
class PendingLaunch:
    launch_id: int
    user_id: int
    cmid: int  # 0: a content selection (deep linking) in ``course_id``
    created: float
    course_id: int = 0
    client_id: str = ""


@dataclass(frozen=True)
class FormPost:
    """An auto-submitted HTML form: where it goes and what it carries."""

    action: str
    fields: dict[str, str]


def _get_json(url: str) -> Any:
    resp = requests.get(url, timeout=10)
    resp.raise_for_status()
    return resp.json()


def _client_id() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(15))  # Moodle: 15 chars, e.g. PUlntWfGyAyjQre


@dataclass
class LtiPlatform:
    """The platform's state: its signing key, registered tools, courses, activities and users.

    ``issuer`` is the site URL (Moodle's wwwroot); when empty the URL the request came to is used.
    """

    issuer: str = ""
    site_name: str = "Moodle (симулятор)"
    clock: Callable[[], float] = time.time
    key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))
    kid: str = field(default_factory=lambda: secrets.token_hex(10))
    guid: str = field(default_factory=lambda: secrets.token_hex(16))
    tools: dict[str, Tool] = field(default_factory=dict)
    courses: dict[int, PlatformCourse] = field(default_factory=dict)
    activities: dict[int, ToolActivity] = field(default_factory=dict)
    users: dict[int, PlatformUser] = field(default_factory=dict)
    fetch_json: Callable[[str], Any] = field(default=_get_json)  # the tools' JWKS (Moodle: curl)
    next_id: itertools.count[int] = field(default_factory=lambda: itertools.count(100))
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)  # token.php
    grades: dict[tuple[int, int], Grade] = field(default_factory=dict)  # (grade item, user) → AGS score
    counters: Counter[str] = field(default_factory=Counter)  # requests answered, by kind
    _launches: dict[int, PendingLaunch] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- registration -------------------------------------------------------------------------
    def register_tool(
        self,
        name: str,
        *,
        login_url: str,
        redirect_uris: tuple[str, ...] | list[str],
        target_link_uri: str = "",
        jwks_url: str = "",
        client_id: str = "",
        deep_link_url: str = "",
        scopes: tuple[str, ...] = (),
    ) -> Tool:
        """Register a tool; like Moodle, the platform makes up the client_id and the deployment id."""
        uris = tuple(redirect_uris)
        if not uris:
            raise ValueError("a tool needs at least one redirect URI")
        tool = Tool(
            client_id=client_id or _client_id(),
            deployment_id=str(len(self.tools) + 1),
            name=name,
            login_url=login_url,
            redirect_uris=uris,
            target_link_uri=target_link_uri or uris[0],
            jwks_url=jwks_url,
            deep_link_url=deep_link_url,
            scopes=scopes,
        )
        self.tools[tool.client_id] = tool
        return tool

    def add_course(self, course: PlatformCourse) -> PlatformCourse:
        self.courses[course.id] = course
        return course

    def add_user(self, user: PlatformUser) -> PlatformUser:
        self.users[user.id] = user
        return user

    def add_activity(self, activity: ToolActivity) -> ToolActivity:
        if activity.course_id not in self.courses:
            raise ValueError(f"course {activity.course_id} is not on the platform")
        if activity.client_id not in self.tools:
            raise ValueError(f"tool {activity.client_id} is not registered")
        self.activities[activity.cmid] = activity
        return activity

    # --- look-ups -----------------------------------------------------------------------------
    def find_user(self, ref: str) -> PlatformUser | None:
        """A user by id or username."""
        ref = ref.strip()
        if ref.isdigit() and int(ref) in self.users:
            return self.users[int(ref)]
        return next((u for u in self.users.values() if u.username == ref), None)

    def tool_of_type(self, type_id: str) -> Tool | None:
        """A tool by its type id (Moodle's ``lti_types.id``, which is also its deployment id)."""
        return next((t for t in self.tools.values() if t.deployment_id == type_id), None)

    def remember(self, launch: PendingLaunch) -> None:
        with self._lock:
            self._forget_expired()
            self._launches[launch.launch_id] = launch

    def course_activities(self, course_id: int) -> list[ToolActivity]:
        return sorted((a for a in self.activities.values() if a.course_id == course_id), key=lambda a: a.cmid)

    def base(self) -> str:
        return (self.issuer or request.url_root).rstrip("/")

    # --- keys ---------------------------------------------------------------------------------
    def jwks(self) -> dict[str, list[dict[str, str]]]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {
            "keys": [
                {
                    "kty": "RSA",
                    "alg": "RS256",
                    "kid": self.kid,
                    "e": public["e"],
                    "n": public["n"],
                    "use": "sig",
                }
            ]
        }

    def sign(self, claims: Mapping[str, Any]) -> str:
        return jwt.encode(dict(claims), self.key, algorithm="RS256", headers={"kid": self.kid})

    def openid_configuration(self, base: str) -> dict[str, Any]:
        return {
            "issuer": base,
            "token_endpoint": f"{base}/mod/lti/token.php",
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "jwks_uri": f"{base}/mod/lti/certs.php",
            "authorization_endpoint": f"{base}/mod/lti/auth.php",
            "registration_endpoint": f"{base}/mod/lti/openid-registration.php",
            "scopes_supported": [
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
                "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
                "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
                "openid",
            ],
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public", "pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["sub", "iss", "name", "given_name", "family_name", "email"],
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                "product_family_code": "moodle",
                "version": MOODLE_RELEASE,
                "messages_supported": [
                    {"type": "LtiResourceLinkRequest"},
                    {"type": "LtiDeepLinkingRequest", "placements": ["ContentArea"]},
                ],
            },
        }

    # --- the launch ---------------------------------------------------------------------------
    def initiate(self, cmid: int, user_ref: str, base: str) -> FormPost:
        """launch.php: the OIDC third-party initiation the browser posts to the tool's login URL."""
        activity = self.activities.get(cmid)
        if activity is None:
            raise LaunchError(f"модуль курса {cmid} не найден")
        user = self.find_user(user_ref)
        if user is None:
            raise LaunchError(f"пользователь «{user_ref}» не найден")
        tool = self.tools[activity.client_id]
        launch = PendingLaunch(secrets.randbelow(10**9), user.id, cmid, self.clock())
        self.remember(launch)
        return FormPost(
            tool.login_url,
            {
                "iss": base,
                "target_link_uri": activity.url or tool.target_link_uri,
                "login_hint": str(user.id),
                "lti_message_hint": json.dumps({"cmid": cmid, "launchid": launch.launch_id}),
                "client_id": tool.client_id,
                "lti_deployment_id": tool.deployment_id,
            },
        )

    def authorize(self, params: Mapping[str, str], base: str) -> FormPost:
        """auth.php: check the tool's authentication request and answer with a signed id_token.

        Raises ``LaunchError`` when the request cannot be answered at all (unknown client_id or a
        redirect URI the tool did not register: posting anything there would leak the token).
        Other faults go back to the tool as OIDC ``error`` / ``error_description`` (form_post).
        """
        tool = self.tools.get(params.get("client_id", ""))
        if tool is None:
            raise LaunchError("неизвестный client_id")
        redirect_uri = params.get("redirect_uri", "")
        if redirect_uri not in tool.redirect_uris:
            raise LaunchError("redirect_uri не зарегистрирован для этого инструмента")
        state = params.get("state", "")
        try:
            claims = self._claims_for(tool, params, base)
        except _AuthProblem as p:
            fields = {"error": p.error, "error_description": p.description}
            if state:
                fields["state"] = state
            return FormPost(redirect_uri, fields)
        fields = {"id_token": self.sign(claims)}
        if state:
            fields["state"] = state
        return FormPost(redirect_uri, fields)

    def _claims_for(self, tool: Tool, params: Mapping[str, str], base: str) -> dict[str, Any]:
        for name, want in (
            ("scope", "openid"),
            ("response_type", "id_token"),
            ("response_mode", "form_post"),
        ):
            if params.get(name) != want:
                raise _AuthProblem("invalid_request", f"{name} должен быть «{want}»")
        if params.get("prompt", "none") != "none":
            raise _AuthProblem("invalid_request", "prompt должен быть «none»")
        nonce = params.get("nonce", "")
        if not nonce:
            raise _AuthProblem("invalid_request", "нет nonce")
        launch, selection = self._pending(params)
        cmid = launch.cmid
        if selection:
            if launch.client_id != tool.client_id:
                raise _AuthProblem("unauthorized_client", "выбор содержимого начат для другого инструмента")
            return deep_linking_claims(self, tool, launch, nonce, base)
        activity = self.activities[cmid]
        if activity.client_id != tool.client_id:
            raise _AuthProblem("unauthorized_client", "модуль курса относится к другому инструменту")
        return id_token_claims(
            base=base,
            platform_name=self.site_name,
            guid=self.guid,
            tool=tool,
            activity=activity,
            course=self.courses[activity.course_id],
            user=self.users[launch.user_id],
            nonce=nonce,
            now=int(self.clock()),
            launch_id=launch.launch_id,
        )

    def _pending(self, params: Mapping[str, str]) -> tuple[PendingLaunch, bool]:
        """The launch ``lti_message_hint`` names (used once), and whether it is a content selection."""
        try:
            hint = json.loads(params.get("lti_message_hint", ""))
            raw_id = str(hint["launchid"])
            selection = raw_id.startswith(SELECTION_LAUNCH)
            launch_id = int(raw_id.removeprefix(SELECTION_LAUNCH))
            cmid = 0 if selection else int(hint["cmid"])
        except (ValueError, KeyError, TypeError):
            raise _AuthProblem("invalid_request", "lti_message_hint не распознан") from None
        with self._lock:
            self._forget_expired()
            launch = self._launches.pop(launch_id, None)
        if launch is None or launch.cmid != cmid:
            raise _AuthProblem("invalid_request", "запуск не найден или устарел")
        if params.get("login_hint", "") != str(launch.user_id):
            raise _AuthProblem("login_required", "login_hint не совпадает с пользователем запуска")
        return launch, selection

    def _forget_expired(self) -> None:
        cutoff = self.clock() - LAUNCH_TTL
        for key in [k for k, v in self._launches.items() if v.created < cutoff]:
            del self._launches[key]


class _AuthProblem(Exception):
    def __init__(self, error: str, description: str):
        super().__init__(description)
        self.error = error
        self.description = description


def _json(body: object) -> Response:
    # Moodle answers these with a charset, unlike its web-service JSON.
    return Response(json.dumps(body, ensure_ascii=False), content_type="application/json; charset=utf-8")


def lti_blueprint(platform: LtiPlatform) -> Blueprint:
    """The platform's pages, to mount on the simulator app (no URL prefix: Moodle's own paths)."""
    bp = Blueprint("sim_lti", __name__, template_folder="templates")

    @bp.get("/mod/lti/certs.php")
    def certs() -> Response:
        return _json(platform.jwks())

    @bp.get("/mod/lti/openid-configuration.php")
    def openid_configuration() -> Response:
        return _json(platform.openid_configuration(platform.base()))

    @bp.get("/mod/lti/launch.php")
    def launch() -> tuple[str, int] | str:
        try:
            form = platform.initiate(
                request.args.get("id", type=int) or 0, request.args.get("user", ""), platform.base()
            )
        except LaunchError as e:
            return render_template("sim_lti/error.html", message=str(e)), 400
        return render_template("sim_lti/autosubmit.html", form=form, title="Запуск внешнего инструмента")

    @bp.route("/mod/lti/auth.php", methods=["GET", "POST"])
    def auth() -> tuple[str, int] | str:
        params = {**request.args.to_dict(), **request.form.to_dict()}
        try:
            form = platform.authorize(params, platform.base())
        except LaunchError as e:
            return render_template("sim_lti/error.html", message=str(e)), 400
        return render_template("sim_lti/autosubmit.html", form=form, title="Вход во внешний инструмент")

    @bp.get("/mod/lti/return.php")
    def return_to_course() -> Response:
        course_id = request.args.get("course", type=int) or 0
        return Response(status=303, headers={"Location": f"/course/view.php?id={course_id}"})

    add_pages(bp, platform)  # /course/view.php and /my/courses.php
    add_registration(bp, platform)  # dynamic registration
    add_deep_linking(bp, platform)  # content selection (Deep Linking 2.0)
    add_services(bp, platform)  # token.php, AGS line items, scores, results
    return bp
