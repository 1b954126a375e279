"""LTI Dynamic Registration on the simulated platform, as Moodle 5.1 answers it
(``mod/lti/startltiadvregistration.php``, ``openid-registration.php``, ``registration_helper``).

``startltiadvregistration.php?url=`` redirects to the tool's registration URL with ``openid_configuration``
and ``registration_token`` (RS256 with the platform key: ``sub`` = the client_id to be assigned, ``scope``
``reg``, valid an hour). The POST checks what Moodle checks and answers its plain-text errors; the new tool
is registered (Moodle keeps it pending until an admin activates it; the simulator activates it at once).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

import jwt
from flask import Blueprint, Response, request

if TYPE_CHECKING:
    from moodle_sim.lti import LtiPlatform

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
DEEP_LINKING = "LtiDeepLinkingRequest"
SUPPORTED_SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
)
_REQUIRED = ("response_types", "initiate_login_uri", "redirect_uris", "client_name", "jwks_uri")


class RegistrationRefused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def registration_token(platform: LtiPlatform) -> str:
    from moodle_sim.lti import _client_id

    now = int(platform.clock())
    return platform.sign({"sub": _client_id(), "scope": "reg", "iat": now, "exp": now + 3600})


def _client_id_from(platform: LtiPlatform, authorization: str) -> str:
    if not authorization.startswith("Bearer "):
        raise RegistrationRefused(401, "missing_registration_token")
    try:
        claims = jwt.decode(authorization[7:].strip(), platform.key.public_key(), algorithms=["RS256"])
    except jwt.PyJWTError as e:  # Moodle: an uncaught exception, its HTML error page with 404
        raise RegistrationRefused(404, f"<html><body>Exception - {e}</body></html>") from e
    if claims.get("scope") != "reg" or claims["sub"] in platform.tools:
        raise RegistrationRefused(401, "token_already_used")
    return str(claims["sub"])


def _check(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise RegistrationRefused(400, "missing required attribute response_types")
    for name in (*_REQUIRED, "token_endpoint_auth_method", TOOL_CONFIGURATION):
        if not payload.get(name):
            raise RegistrationRefused(400, f"missing required attribute {name}")
    tool = payload[TOOL_CONFIGURATION]
    if not tool.get("domain"):
        raise RegistrationRefused(400, "missing_domain")
    if tool.get("target_link_uri") and urlsplit(tool["target_link_uri"]).netloc != tool["domain"]:
        raise RegistrationRefused(400, "domain_targetlinkuri_mismatch")
    if "id_token" not in payload["response_types"]:
        raise RegistrationRefused(400, "invalid_response_types")
    if not isinstance(payload["redirect_uris"], list):
        raise RegistrationRefused(400, "invalid_redirect_uris")
    if payload["token_endpoint_auth_method"] != "private_key_jwt":
        raise RegistrationRefused(400, "invalid_token_endpoint_auth_method")
    return tool  # type: ignore[no-any-return]


def register(platform: LtiPlatform, authorization: str, payload: Any) -> dict[str, Any]:
    """Moodle's answer to a registration POST (the registration as stored), or RegistrationRefused."""
    client_id = _client_id_from(platform, authorization)
    tool_config = _check(payload)
    target = tool_config.get("target_link_uri") or f"https://{tool_config['domain']}"
    deep_link = next(
        (
            m.get("target_link_uri") or target
            for m in tool_config.get("messages", [])
            if m.get("type") == DEEP_LINKING
        ),
        "",
    )
    asked = str(payload.get("scope", "")).split()
    granted = tuple(s for s in asked if s in SUPPORTED_SCOPES)  # Moodle ignores unknown scopes silently
    tool = platform.register_tool(
        payload["client_name"],
        login_url=payload["initiate_login_uri"],
        redirect_uris=payload["redirect_uris"],
        target_link_uri=target,
        jwks_url=payload["jwks_uri"],
        client_id=client_id,
        deep_link_url=deep_link,
        scopes=granted,
    )
    keep = ("response_types", "jwks_uri", "initiate_login_uri", "redirect_uris", "client_name")
    return {
        "client_id": tool.client_id,
        **{k: payload[k] for k in keep},
        "grant_types": ["client_credentials", "implicit"],
        "application_type": "web",
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(granted),
        TOOL_CONFIGURATION: {
            "version": "1.3.0",
            "deployment_id": tool.deployment_id,
            "target_link_uri": target,
            "domain": tool_config["domain"],
            "messages": [m for m in tool_config.get("messages", []) if m.get("type") == DEEP_LINKING],
            "claims": tool_config.get("claims", []),
        },
    }


def _payload() -> Any:
    """Moodle reads the body as JSON whatever its Content-Type says."""
    try:
        return json.loads(request.get_data() or b"null")
    except ValueError:
        return None


def add_registration(bp: Blueprint, platform: LtiPlatform) -> None:
    @bp.get("/mod/lti/startltiadvregistration.php")
    def start_registration() -> Response:
        url = request.args.get("url", "")
        query = {
            "openid_configuration": f"{platform.base()}/mod/lti/openid-configuration.php",
            "registration_token": registration_token(platform),
        }
        sep = "&" if "?" in url else "?"
        return Response(status=302, headers={"Location": url + sep + urlencode(query)})

    @bp.post("/mod/lti/openid-registration.php")
    def openid_registration() -> Response:
        try:
            bearer = request.headers.get("Authorization", "")
            answer = register(platform, bearer, _payload())
        except RegistrationRefused as e:  # Moodle: plain text under a text/html header
            return Response(str(e), status=e.status, content_type="text/html; charset=utf-8")
        body = json.dumps(answer, ensure_ascii=False)
        return Response(body, content_type="application/json; charset=utf-8")
