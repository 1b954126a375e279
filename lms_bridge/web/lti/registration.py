"""LTI Dynamic Registration 1.0: the platform's OpenID configuration, the tool's client registration,
and the platform record made from the platform's answer.

Shapes follow Moodle 5.1 (``mod/lti/openid-configuration.php``, ``openid-registration.php``): the
answer carries ``client_id`` and the tool configuration's ``deployment_id``; errors are plain text
with a status (``missing_domain``, ``token_already_used``…), which the administrator is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from lms_bridge.errors import RegistrationError
from lms_bridge.ports import Platform

TOOL_NAME = "ИОМ педагога (lms-bridge)"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
)
SCOPE_LABELS = {
    SCOPES[0]: "журнал оценок: создание колонки «Прохождение ИОМ»",
    SCOPES[1]: "журнал оценок: чтение результатов",
    SCOPES[2]: "журнал оценок: передача прохождения маршрута",
    SCOPES[3]: "список участников курса",
}
PLACEMENTS = (
    "запуск из элемента курса «Внешний инструмент» (карта маршрута, реестр)",
    "выбор содержимого при добавлении элемента (Deep Linking)",
)
TIMEOUT = (5.0, 15.0)  # connect, read: the administrator waits on the page
_ANSWER_LIMIT = 300  # characters of a platform's error answer shown to the administrator


@dataclass(frozen=True)
class PlatformConfiguration:
    """What the tool needs from the platform's OpenID configuration."""

    issuer: str
    registration_endpoint: str
    auth_url: str
    token_url: str
    jwks_url: str
    product: str


def origin(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RegistrationError(f"openid_configuration: {url!r} — не адрес http(s)")
    return f"{parts.scheme}://{parts.netloc}"


def _get_json(http: requests.Session, url: str) -> dict[str, Any]:
    try:
        resp = http.get(url, timeout=TIMEOUT, headers={"Accept": "application/json"})
    except requests.RequestException as e:
        raise RegistrationError(f"платформа не ответила ({url}): {type(e).__name__}") from e
    if resp.status_code != 200:
        raise RegistrationError(f"платформа ответила {resp.status_code} на запрос конфигурации ({url})")
    try:
        body = resp.json()
    except ValueError as e:
        raise RegistrationError(f"конфигурация платформы ({url}) не JSON") from e
    if not isinstance(body, dict):
        raise RegistrationError(f"конфигурация платформы ({url}) не объект JSON")
    return body


def fetch_configuration(http: requests.Session, url: str) -> PlatformConfiguration:
    """The OpenID configuration at ``url``; its issuer must be the URL's origin (or, for a Moodle in a
    folder, the origin and a path the URL is under) and it must be an LTI platform's (the platform
    configuration claim, the endpoints the tool uses)."""
    expected = origin(url)
    body = _get_json(http, url)
    issuer = str(body.get("issuer", "")).rstrip("/")
    # Moodle's issuer is its wwwroot: the origin, or the origin and a path when Moodle is in a folder
    under = issuer == expected or issuer.startswith(expected + "/")
    if not issuer or not under or not url.startswith(issuer + "/"):
        raise RegistrationError(
            f"issuer платформы ({issuer or 'не указан'}) не совпадает с адресом конфигурации ({expected})"
        )
    platform = body.get(PLATFORM_CONFIGURATION)
    if not isinstance(platform, dict):
        raise RegistrationError("конфигурация не платформы LTI: нет lti-platform-configuration")
    fields = {}
    for key in ("registration_endpoint", "authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = body.get(key)
        if not isinstance(value, str) or not value:
            raise RegistrationError(f"в конфигурации платформы нет {key}")
        fields[key] = value
    return PlatformConfiguration(
        issuer=issuer,
        registration_endpoint=fields["registration_endpoint"],
        auth_url=fields["authorization_endpoint"],
        token_url=fields["token_endpoint"],
        jwks_url=fields["jwks_uri"],
        product=f"{platform.get('product_family_code', '')} {platform.get('version', '')}".strip(),
    )


def client_registration(public_url: str) -> dict[str, Any]:
    """The tool's client registration (IMS LTI Dynamic Registration §3.1)."""
    base = public_url.rstrip("/")
    launch = base + "/lti/launch"
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": base + "/lti/login",
        "redirect_uris": [launch],
        "client_name": TOOL_NAME,
        "jwks_uri": base + "/lti/jwks",
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(SCOPES),
        TOOL_CONFIGURATION: {
            # Moodle requires domain = host[:port] of target_link_uri, port included
            "domain": urlsplit(base).netloc,
            "description": "Индивидуальные образовательные маршруты педагогов",
            "target_link_uri": launch,
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
            "messages": [
                {"type": "LtiResourceLinkRequest", "target_link_uri": launch},
                {"type": "LtiDeepLinkingRequest", "target_link_uri": launch, "label": TOOL_NAME},
            ],
        },
    }


def _refusal(resp: requests.Response) -> RegistrationError:
    text = resp.text.strip()
    if "<html" in text[:500].lower():  # Moodle answers a bad or expired token with an HTML error page
        text = "страница ошибки (регистрационный токен не принят: устарел или неверен)"
    return RegistrationError(f"платформа отказала в регистрации ({resp.status_code}): {text[:_ANSWER_LIMIT]}")


def register(
    http: requests.Session, config: PlatformConfiguration, token: str, body: dict[str, Any]
) -> Platform:
    """POST the registration with the registration token as bearer; the platform from its answer."""
    try:
        resp = http.post(
            config.registration_endpoint,
            json=body,
            timeout=TIMEOUT,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        )
    except requests.RequestException as e:
        raise RegistrationError(f"платформа не ответила на регистрацию: {type(e).__name__}") from e
    if resp.status_code not in (200, 201):
        raise _refusal(resp)
    try:
        answer = resp.json()
    except ValueError as e:
        raise RegistrationError("ответ платформы на регистрацию не JSON") from e
    return platform_from(config, answer)


def platform_from(config: PlatformConfiguration, answer: Any) -> Platform:
    client_id = answer.get("client_id") if isinstance(answer, dict) else None
    if not isinstance(client_id, str | int) or not str(client_id):
        raise RegistrationError("в ответе платформы нет client_id")
    tool = answer.get(TOOL_CONFIGURATION)
    deployment = tool.get("deployment_id") if isinstance(tool, dict) else None
    if not isinstance(deployment, str | int) or not str(deployment):
        raise RegistrationError("в ответе платформы нет deployment_id")
    return Platform(
        issuer=config.issuer,
        client_id=str(client_id),
        deployment_ids=(str(deployment),),
        auth_url=config.auth_url,
        jwks_url=config.jwks_url,
        token_url=config.token_url,
        services=tuple(str(answer.get("scope") or "").split()),
    )
