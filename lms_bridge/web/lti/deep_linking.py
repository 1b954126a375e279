"""LTI Deep Linking 2.0: what a course editor may place, and the signed LtiDeepLinkingResponse.

A placed activity is an ``ltiResourceLink`` to the tool's launch URL whose custom parameter
``iom_view`` names what it opens (``VIEWS``); a launch of it lands there (``views.launch``). The «Мой
маршрут» item carries a line item (0–100, ``PROGRESS_RESOURCE``): a platform that grants the grade
service makes a gradebook column of it, which ``jobs/progress.py`` fills with each teacher's progress.
Moodle names that column after the activity (it ignores ``label``).

The response is signed RS256 with the tool's key (``kid`` of /lti/jwks): ``iss`` = the client_id,
``aud`` = the platform's issuer, the deployment id, ``data`` echoed when the request had it. Each choice
on the selection page is its own form carrying its own signed response, valid ``RESPONSE_TTL`` seconds
(Moodle checks ``exp``): no server-side state between the request and the answer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import jwt

from lms_bridge.errors import ConfigError
from lms_bridge.web.lti.keys import public_jwks
from lms_bridge.web.lti.launch import DL, LTI, Launch

RESPONSE_TTL = 3600  # seconds: the editor may take a while to choose
VIEW_PARAM = "iom_view"
PROGRESS_RESOURCE = "iom-progress"
PROGRESS_LABEL = "Прохождение ИОМ"


@dataclass(frozen=True)
class Placement:
    view: str
    title: str
    text: str


VIEWS = (
    Placement("card", "Мой маршрут (ИОМ)", "Карта индивидуального образовательного маршрута педагога"),
    Placement("dashboard", "Маршруты педагогов", "Реестр маршрутов педагогов в пределах ваших полномочий"),
    Placement("report", "Сводный отчёт", "Сводные показатели по маршрутам (без персональных данных)"),
    Placement("events", "Мероприятия региона", "Ближайшие мероприятия маршрутов"),
)
BY_VIEW = {p.view: p for p in VIEWS}


def content_item(placement: Placement, launch_url: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "type": "ltiResourceLink",
        "title": placement.title,
        "text": placement.text,
        "url": launch_url,
        "custom": {VIEW_PARAM: placement.view},
    }
    if placement.view == "card":
        item["lineItem"] = {
            "scoreMaximum": 100,
            "label": PROGRESS_LABEL,
            "resourceId": PROGRESS_RESOURCE,
            "tag": PROGRESS_RESOURCE,
        }
    return item


def response_jwt(launch: Launch, items: list[dict[str, Any]], pem: bytes | None, now: int) -> str:
    """The signed LtiDeepLinkingResponse for ``launch`` (an LtiDeepLinkingRequest)."""
    if launch.deep_link is None:
        raise ValueError("not a deep linking request")
    if pem is None:
        raise ConfigError("ключ инструмента не создан: выполните `lms-bridge lti keygen`")
    kid = public_jwks(pem)["keys"][0]["kid"]
    claims: dict[str, Any] = {
        "iss": launch.platform.client_id,
        "aud": launch.platform.issuer,
        "iat": now,
        "exp": now + RESPONSE_TTL,
        "nonce": secrets.token_urlsafe(16),
        LTI + "deployment_id": launch.deployment_id,
        LTI + "message_type": "LtiDeepLinkingResponse",
        LTI + "version": "1.3.0",
        DL + "content_items": items,
    }
    if launch.deep_link.data is not None:
        claims[DL + "data"] = launch.deep_link.data
    return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": kid})
