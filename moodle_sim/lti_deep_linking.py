"""Deep Linking 2.0 on the simulated platform, the way Moodle 5.1 does it (``mod/lti/contentitem.php``,
``contentitem_return.php``, ``lti_convert_from_jwt``, ``lti_tool_configuration_from_content_item``).

``/mod/lti/contentitem.php?course=C&id=TYPE&user=U`` (Moodle: «Select content» on the add-activity form)
posts the OIDC initiation, ``lti_message_hint`` ``{"launchid": "ltilaunch_ContentItemSelectionRequest<N>"}``
(no cmid); auth.php answers an LtiDeepLinkingRequest: roles Instructor, ``deep_linking_settings`` with the
return URL, no ``data``, the AGS claim with ``lineitems`` only. The tool posts a form field ``JWT`` to
``contentitem_return.php?course=C&id=TYPE&sesskey=…``. Like Moodle the simulator checks that ``iss`` is the
type's client_id and the signature against the tool's JWKS (downloaded from its ``jwks_uri``), and, in the JWT
library as in Moodle's firebase/php-jwt, ``exp``/``iat``; like Moodle it does NOT check ``aud``. Each
``ltiResourceLink`` becomes an activity: title, text, url, ``custom``, and with ``lineItem`` a grade item of
``scoreMaximum`` points. Moodle creates the activity only when the teacher presses Save on the pre-filled
form; the simulator creates it at once (there is no form to save).
"""

from __future__ import annotations

import json
import secrets
from typing import TYPE_CHECKING, Any

import jwt
from flask import Blueprint, render_template, request

from lms_bridge.errors import LaunchError
from moodle_sim.lti_claims import (
    INSTRUCTOR,
    LTI,
    MOODLE_VERSION,
    TOKEN_TTL,
    LineItem,
    Tool,
    ToolActivity,
    ags_claim,
    lti_roles,
)

if TYPE_CHECKING:
    from moodle_sim.lti import FormPost, LtiPlatform, PendingLaunch

SELECTION_LAUNCH = "ltilaunch_ContentItemSelectionRequest"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


def initiate(platform: LtiPlatform, course_id: int, type_id: str, user_ref: str, base: str) -> FormPost:
    """contentitem.php: the OIDC initiation of a content selection."""
    from moodle_sim.lti import FormPost, PendingLaunch

    tool = platform.tool_of_type(type_id)
    if tool is None:
        raise LaunchError(f"тип внешнего инструмента {type_id} не найден")
    if not tool.deep_link_url:
        raise LaunchError("инструмент не поддерживает выбор содержимого (Deep Linking)")
    if course_id not in platform.courses:
        raise LaunchError(f"курс {course_id} не найден")
    user = platform.find_user(user_ref)
    if user is None:
        raise LaunchError(f"пользователь «{user_ref}» не найден")
    if INSTRUCTOR not in lti_roles(user):  # Moodle: moodle/course:manageactivities + mod/lti:addcoursetool
        raise LaunchError("нет прав добавлять элементы в этот курс")
    launch = PendingLaunch(
        secrets.randbelow(10**9), user.id, 0, platform.clock(), course_id=course_id, client_id=tool.client_id
    )
    platform.remember(launch)
    return FormPost(
        tool.login_url,
        {
            "iss": base,
            "target_link_uri": tool.deep_link_url,
            "login_hint": str(user.id),
            "lti_message_hint": json.dumps({"launchid": f"{SELECTION_LAUNCH}{launch.launch_id}"}),
            "client_id": tool.client_id,
            "lti_deployment_id": tool.deployment_id,
        },
    )


# long: the claims Moodle sends, one per line
def deep_linking_claims(
    platform: LtiPlatform, tool: Tool, launch: PendingLaunch, nonce: str, base: str
) -> dict[str, Any]:
    """The LtiDeepLinkingRequest claims (bodies/lti_id_token__deep_linking_request_claims.json)."""
    user = platform.users[launch.user_id]
    course = platform.courses[launch.course_id]
    now = int(platform.clock())
    ags = ags_claim(base, tool, course.id, None)
    return {
        "nonce": nonce,
        "iat": now,
        "exp": now + TOKEN_TTL,
        "iss": base,
        "aud": tool.client_id,
        LTI + "deployment_id": tool.deployment_id,
        LTI + "target_link_uri": tool.deep_link_url,
        "sub": str(user.id),
        LTI + "lis": {"person_sourcedid": user.idnumber, "course_section_sourcedid": course.idnumber},
        LTI + "roles": [INSTRUCTOR],  # contentitem.php needs the course editor's capabilities
        LTI + "context": {
            "id": str(course.id),
            "label": course.shortname,
            "title": course.fullname,
            "type": ["CourseSection"],
        },
        LTI + "message_type": "LtiDeepLinkingRequest",
        "given_name": user.first_name,
        "family_name": user.last_name,
        "name": user.full_name,
        LTI + "ext": {"user_username": user.username, "lms": "moodle-2"},
        "email": user.email,
        LTI + "launch_presentation": {"locale": "ru"},
        LTI + "tool_platform": {
            "product_family_code": "moodle",
            "version": MOODLE_VERSION,
            "guid": platform.guid,
            "name": platform.site_name,
            "description": platform.site_name,
        },
        LTI + "version": "1.3.0",
        **ags,
        DL + "deep_linking_settings": {
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["frame", "iframe", "window"],
            "accept_copy_advice": False,
            "accept_multiple": True,
            "accept_unsigned": False,
            "auto_create": False,
            "can_confirm": False,
            "deep_link_return_url": (
                f"{base}/mod/lti/contentitem_return.php?course={course.id}&id={tool.deployment_id}"
                f"&sesskey={secrets.token_hex(5)}"
            ),
            "title": tool.name,
            "text": "",
        },
    }


def _verified(platform: LtiPlatform, tool: Tool, token: str) -> dict[str, Any]:
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as e:
        raise LaunchError(f"ответ инструмента не читается: {e}") from e
    if unverified.get("iss") != tool.client_id:
        raise LaunchError("errorincorrectconsumerkey: ответ подписан не этим инструментом (iss)")
    try:
        keys = platform.fetch_json(tool.jwks_url)["keys"]
        kid = jwt.get_unverified_header(token).get("kid")
        jwk = next(k for k in keys if k.get("kid") == kid)
        claims: dict[str, Any] = jwt.decode(
            token, jwt.PyJWK(jwk).key, algorithms=["RS256"], options={"verify_aud": False}
        )
    except StopIteration:
        raise LaunchError('"kid" invalid, unable to lookup correct key') from None
    except jwt.ExpiredSignatureError as e:
        raise LaunchError("Expired token") from e
    except jwt.PyJWTError as e:
        raise LaunchError(f"Signature verification failed: {e}") from e
    return claims


def accept_response(platform: LtiPlatform, course_id: int, type_id: str, token: str) -> list[ToolActivity]:
    """contentitem_return.php: the activities the tool's LtiDeepLinkingResponse makes."""
    tool = platform.tool_of_type(type_id)
    if tool is None or course_id not in platform.courses:
        raise LaunchError("errortooltypenotfound")
    claims = _verified(platform, tool, token)
    items = claims.get(DL + "content_items")
    if not isinstance(items, list) or not items:
        raise LaunchError("errorinvaliddata: ответ без content_items")
    made = []
    for item in items:
        if not isinstance(item, dict) or item.get("type") != "ltiResourceLink":
            continue  # Moodle makes activities of LTI links only
        made.append(platform.add_activity(_activity(platform, tool, course_id, item)))
    return made


def _activity(platform: LtiPlatform, tool: Tool, course_id: int, item: dict[str, Any]) -> ToolActivity:
    cmid = next(platform.next_id)
    line = item.get("lineItem")
    line_item = None
    if tool.accepts_grades and isinstance(line, dict):
        line_item = LineItem(
            next(platform.next_id),
            float(line.get("scoreMaximum", 100)),
            str(line.get("resourceId", "")),
            str(line.get("tag", "")),
        )
    custom = item.get("custom") if isinstance(item.get("custom"), dict) else {}
    return ToolActivity(
        cmid=cmid,
        instance_id=cmid,
        course_id=course_id,
        client_id=tool.client_id,
        title=str(item.get("title") or tool.name),
        description=str(item.get("text", "")),
        custom={str(k): str(v) for k, v in (custom or {}).items()},
        url=str(item.get("url", "")),
        line_item=line_item,
    )


def add_deep_linking(bp: Blueprint, platform: LtiPlatform) -> None:
    @bp.get("/mod/lti/contentitem.php")
    def contentitem() -> tuple[str, int] | str:
        try:
            form = initiate(
                platform,
                request.args.get("course", type=int) or 0,
                request.args.get("id", ""),
                request.args.get("user", ""),
                platform.base(),
            )
        except LaunchError as e:
            return render_template("sim_lti/error.html", message=str(e)), 400
        return render_template("sim_lti/autosubmit.html", form=form, title="Выбор содержимого")

    @bp.post("/mod/lti/contentitem_return.php")
    def contentitem_return() -> tuple[str, int] | str:
        course_id = request.args.get("course", type=int) or 0
        try:
            made = accept_response(
                platform, course_id, request.args.get("id", ""), request.form.get("JWT", "")
            )
        except LaunchError as e:
            return render_template("sim_lti/error.html", message=str(e)), 400
        return render_template(
            "sim_lti/content_selected.html", activities=made, course=platform.courses[course_id]
        )
