"""Checks on an LTI 1.3 launch (IMS Security Framework §5.1.3, LTI Core §5.3).

Order: the state is known, unexpired and bound to the platform the token claims to come from;
the signature verifies against the platform JWKS (key by ``kid``); iss and aud (client_id; with
several audiences ``azp`` must be ours); exp and iat within a small leeway; the nonce is the one
issued with the state and is used once; the deployment is registered; message type and version.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import jwt

from lms_bridge.errors import LaunchError
from lms_bridge.ports import LaunchStore, Platform
from lms_bridge.web.lti.jwks import JwksCache

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
RESOURCE_LINK = "LtiResourceLinkRequest"
DEEP_LINKING = "LtiDeepLinkingRequest"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"


@dataclass(frozen=True)
class DeepLinkRequest:
    """What an LtiDeepLinkingRequest asks for: where to send the answer, and what to echo."""

    return_url: str
    data: str | None
    accept_multiple: bool


@dataclass(frozen=True)
class AgsEndpoint:
    """The grade service claim of a launch: the scopes the platform grants and its URLs."""

    scopes: tuple[str, ...]
    lineitems: str
    lineitem: str


@dataclass(frozen=True)
class Launch:
    """What a verified launch tells the tool about the user."""

    platform: Platform
    subject: str
    email: str
    name: str
    person_sourcedid: str
    roles: tuple[str, ...]
    deployment_id: str
    context_title: str
    message_type: str = RESOURCE_LINK
    custom: dict[str, str] = field(default_factory=dict)
    context_id: str = ""
    resource_link_id: str = ""
    deep_link: DeepLinkRequest | None = None
    ags: AgsEndpoint | None = None
    memberships_url: str = ""  # Names and Roles Provisioning Service of the context


def find_platform(platforms: Sequence[Platform], issuer: str, client_id: str | None) -> Platform:
    matches = [p for p in platforms if p.issuer == issuer and (client_id is None or p.client_id == client_id)]
    if not matches:
        raise LaunchError(f"платформа {issuer} не зарегистрирована")
    if len(matches) > 1:
        raise LaunchError(f"у платформы {issuer} несколько client_id: он должен быть указан")
    return matches[0]


def _audiences(aud: Any) -> list[str]:
    if isinstance(aud, str):
        return [aud]
    if isinstance(aud, list) and all(isinstance(a, str) for a in aud):
        return aud
    raise LaunchError("id_token: aud не строка и не список")


def _unverified(id_token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        header = jwt.get_unverified_header(id_token)
        claims = jwt.decode(id_token, options={"verify_signature": False})
    except jwt.PyJWTError as e:
        raise LaunchError("id_token не читается") from e
    return header, claims


def _platform_for(platforms: Sequence[Platform], claims: dict[str, Any], state_client: str) -> Platform:
    issuer = claims.get("iss")
    if not isinstance(issuer, str):
        raise LaunchError("id_token без iss")
    audiences = _audiences(claims.get("aud"))
    ours = [p for p in platforms if p.issuer == issuer and p.client_id in audiences]
    if not ours:
        raise LaunchError("id_token выдан не для этого инструмента (iss/aud не зарегистрированы)")
    for p in ours:
        if p.client_id == state_client:
            return p
    raise LaunchError("state выдан для другой платформы")


def _verify(id_token: str, key: Any, platform: Platform) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            id_token,
            key,
            algorithms=["RS256"],
            audience=platform.client_id,
            issuer=platform.issuer,
            # exp/iat are checked below against the app's clock (PyJWT only knows time.time()).
            options={
                "require": ["iss", "aud", "exp", "iat", "nonce"],
                "verify_exp": False,
                "verify_iat": False,
            },
        )
    except jwt.InvalidSignatureError as e:
        raise LaunchError("подпись id_token неверна") from e
    except jwt.InvalidAudienceError as e:
        raise LaunchError("id_token выдан другому клиенту (aud)") from e
    except jwt.InvalidIssuerError as e:
        raise LaunchError("id_token от другой платформы (iss)") from e
    except jwt.PyJWTError as e:
        raise LaunchError(f"id_token отклонён: {e}") from e
    return claims


def _check_times(claims: dict[str, Any], now: float, leeway: int) -> None:
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or not isinstance(iat, int | float):
        raise LaunchError("id_token: exp/iat не числа")
    if now > exp + leeway:
        raise LaunchError("срок действия id_token истёк")
    if iat > now + leeway:
        raise LaunchError("id_token выпущен в будущем (iat)")


def _check_lti(claims: dict[str, Any], platform: Platform) -> None:
    audiences = _audiences(claims["aud"])
    azp = claims.get("azp")
    if (len(audiences) > 1 and azp is None) or (azp is not None and azp != platform.client_id):
        raise LaunchError("id_token: azp не совпадает с client_id инструмента")
    deployment = claims.get(LTI + "deployment_id")
    if deployment not in platform.deployment_ids:
        raise LaunchError(f"развёртывание (deployment_id) {deployment!r} не зарегистрировано")
    message_type = claims.get(LTI + "message_type")
    if message_type not in (RESOURCE_LINK, DEEP_LINKING):
        raise LaunchError(
            "поддерживаются запуск ресурса (LtiResourceLinkRequest) "
            "и выбор содержимого (LtiDeepLinkingRequest)"
        )
    if claims.get(LTI + "version") != "1.3.0":
        raise LaunchError("поддерживается только LTI 1.3.0")
    if not isinstance(claims.get(LTI + "roles"), list):
        raise LaunchError("id_token без ролей (roles)")
    if message_type == RESOURCE_LINK:
        link = claims.get(LTI + "resource_link")
        if not isinstance(link, dict) or not link.get("id"):
            raise LaunchError("id_token без resource_link.id")


def _deep_link(claims: dict[str, Any]) -> DeepLinkRequest | None:
    if claims.get(LTI + "message_type") != DEEP_LINKING:
        return None
    settings = claims.get(DL + "deep_linking_settings")
    if not isinstance(settings, dict):
        raise LaunchError("запрос выбора содержимого без deep_linking_settings")
    url = settings.get("deep_link_return_url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise LaunchError("запрос выбора содержимого без адреса возврата (deep_link_return_url)")
    accept = settings.get("accept_types")
    if isinstance(accept, list) and "ltiResourceLink" not in accept:
        raise LaunchError("платформа не принимает ссылки на ресурс (accept_types без ltiResourceLink)")
    data = settings.get("data")
    return DeepLinkRequest(
        url, data if isinstance(data, str) else None, settings.get("accept_multiple") is True
    )


def _ags(claims: dict[str, Any]) -> AgsEndpoint | None:
    ags = claims.get(AGS)
    if not isinstance(ags, dict) or not isinstance(ags.get("scope"), list):
        return None
    return AgsEndpoint(
        scopes=tuple(str(s) for s in ags["scope"]),
        lineitems=str(ags.get("lineitems") or ""),
        lineitem=str(ags.get("lineitem") or ""),
    )


def _memberships(claims: dict[str, Any]) -> str:
    nrps = claims.get(NRPS)
    url = nrps.get("context_memberships_url") if isinstance(nrps, dict) else None
    return url if isinstance(url, str) and url.startswith(("http://", "https://")) else ""


def _str_map(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items() if isinstance(v, str | int | float)}


def validate_launch(
    id_token: str,
    state: str,
    *,
    launches: LaunchStore,
    platforms: Sequence[Platform],
    jwks: JwksCache,
    clock: Callable[[], datetime],
    leeway: int,
) -> Launch:
    if not id_token or not state:
        raise LaunchError("нет id_token или state")
    login = launches.find_state(state)
    if login is None:
        raise LaunchError("state неизвестен: начните вход из СДО заново")
    now = clock()
    if now > login.expires_at:
        raise LaunchError("state устарел: начните вход из СДО заново")
    header, raw = _unverified(id_token)
    if header.get("alg") != "RS256":
        raise LaunchError("id_token должен быть подписан RS256")
    platform = _platform_for(platforms, raw, login.client_id)
    if platform.issuer != login.issuer:
        raise LaunchError("state выдан для другой платформы")
    claims = _verify(id_token, jwks.key(platform.jwks_url, header.get("kid")), platform)
    _check_times(claims, now.timestamp(), leeway)
    if not hmac.compare_digest(str(claims["nonce"]), login.nonce):
        raise LaunchError("nonce не совпадает с выданным при входе")
    if not launches.use_state(state):
        raise LaunchError("повторный запуск: этот вход уже использован")
    _check_lti(claims, platform)
    return _launch_of(platform, claims)


def _launch_of(platform: Platform, claims: dict[str, Any]) -> Launch:
    lis = claims.get(LTI + "lis") or {}
    context = claims.get(LTI + "context") or {}
    link = claims.get(LTI + "resource_link") or {}
    return Launch(
        platform=platform,
        subject=str(claims.get("sub", "")),
        email=str(claims.get("email", "")).strip().lower(),
        name=str(
            claims.get("name") or " ".join(str(claims.get(k, "")) for k in ("family_name", "given_name"))
        ).strip(),
        person_sourcedid=str(lis.get("person_sourcedid", "") if isinstance(lis, dict) else ""),
        roles=tuple(str(r) for r in claims[LTI + "roles"]),
        deployment_id=str(claims[LTI + "deployment_id"]),
        context_title=str(context.get("title", "") if isinstance(context, dict) else ""),
        message_type=str(claims[LTI + "message_type"]),
        custom=_str_map(claims.get(LTI + "custom")),
        context_id=str(context.get("id", "") if isinstance(context, dict) else ""),
        resource_link_id=str(link.get("id", "") if isinstance(link, dict) else ""),
        deep_link=_deep_link(claims),
        ags=_ags(claims),
        memberships_url=_memberships(claims),
    )
