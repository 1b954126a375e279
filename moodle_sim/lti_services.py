"""The token endpoint and the AGS line item / score / results endpoints of the simulated platform, as
Moodle 5.1 answers them (``mod/lti/token.php``, ``mod/lti/services.php`` with
``ltiservice_gradebookservices``; recordings in tests/fixtures/moodle/lti_token__*, lti_ags_*).

Token: form-encoded only (JSON → ``invalid_request``); the client assertion's ``sub`` names the tool, its
signature is checked against the tool's JWKS (an unknown kid gets Moodle's invalid-JSON body), ``exp``
too, ``aud`` not (Moodle does not); the scopes granted are the requested ones the tool may use (none →
``invalid_scope``); the answer is JSON under Content-Type text/html, valid an hour.
Scores: exact Content-Type ``application/vnd.ims.lis.v1.score+json`` (else 400 «No handler found»);
missing fields or an unknown user → 400 with body ``[]`` and the reason in the status line; a timestamp
not newer than the stored grade's → 409; stored scaled to the item's maximum, the comment as feedback.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import jwt
from flask import Blueprint, Response, request

from moodle_sim.lti_claims import AGS_SCOPE, INSTRUCTOR, LineItem, Tool, ToolActivity, lti_roles

if TYPE_CHECKING:
    from moodle_sim.lti import LtiPlatform

TOKEN_TTL = 3600
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"


@dataclass(frozen=True)
class AccessToken:
    client_id: str
    scopes: tuple[str, ...]
    expires: float


@dataclass(frozen=True)
class Grade:
    raw: float
    comment: str
    timestamp: datetime


def permitted(tool: Tool) -> set[str]:
    """What Moodle lets the tool ask for: its services, with the read-only forms they imply."""
    granted = set(tool.scopes)
    if AGS_SCOPE + "lineitem" in granted:
        granted.add(AGS_SCOPE + "lineitem.readonly")
    return granted


def _text_json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="text/html; charset=utf-8")


def _token_error(error: str) -> Response:
    return _text_json({"error": error}, 400)


def issue_token(platform: LtiPlatform) -> Response:
    if request.mimetype != "application/x-www-form-urlencoded":
        return _token_error("invalid_request")
    form = request.form
    if form.get("grant_type") != "client_credentials":
        return _token_error("unsupported_grant_type")
    if form.get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
        return _token_error("invalid_request")
    assertion = form.get("client_assertion", "")
    try:
        claims = jwt.decode(assertion, options={"verify_signature": False})
        kid = jwt.get_unverified_header(assertion).get("kid")
    except jwt.PyJWTError:
        return _token_error("invalid_request")
    tool = platform.tools.get(str(claims.get("sub", "")))
    if tool is None:
        return _token_error("invalid_client")
    jwk = next((k for k in platform.fetch_json(tool.jwks_url)["keys"] if k.get("kid") == kid), None)
    if jwk is None:  # Moodle's own body here is not valid JSON
        return Response(
            '{"error" : ""kid" invalid, unable to lookup correct key"}', 400, content_type="text/html"
        )
    try:
        jwt.decode(assertion, jwt.PyJWK(jwk).key, algorithms=["RS256"], options={"verify_aud": False})
    except jwt.ExpiredSignatureError:
        return _token_error("Expired token")
    except jwt.PyJWTError:
        return _token_error("Signature verification failed")
    scopes = tuple(s for s in form.get("scope", "").split() if s in permitted(tool))
    if not scopes:
        return _token_error("invalid_scope")
    token = secrets.token_hex(16)
    platform.access_tokens[token] = AccessToken(tool.client_id, scopes, platform.clock() + TOKEN_TTL)
    platform.counters["token"] += 1
    body = {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_TTL, "scope": " ".join(scopes)}
    return _text_json(body)


def _unauthorized() -> Response:
    body = {
        "status": 401,
        "reason": "Unauthorized",
        "request": {
            "method": request.method,
            "url": request.url,
            "accept": request.headers.get("Accept", ""),
            "contentType": request.content_type or "",
        },
    }
    return Response(json.dumps(body), 401, content_type="application/json; charset=utf-8")


def _authorized(platform: LtiPlatform, tool: Tool, wanted: tuple[str, ...]) -> bool:
    auth = request.headers.get("Authorization", "")
    token = (
        platform.access_tokens.get(auth.removeprefix("Bearer ").strip())
        if auth.startswith("Bearer ")
        else None
    )
    if token is None or token.client_id != tool.client_id or token.expires < platform.clock():
        return False
    return any(s in token.scopes for s in wanted)


def _item(platform: LtiPlatform, course_id: int, item_id: int) -> tuple[Tool, ToolActivity, LineItem] | None:
    type_id = request.args.get("type_id", "")
    tool = platform.tool_of_type(type_id)
    for a in platform.course_activities(course_id):
        if (
            a.line_item is not None
            and a.line_item.item_id == item_id
            and tool
            and a.client_id == tool.client_id
        ):
            return tool, a, a.line_item
    return None


def _line_item_json(
    base: str, course_id: int, tool: Tool, activity: ToolActivity, item: LineItem
) -> dict[str, Any]:
    return {
        "id": (
            f"{base}/mod/lti/services.php/{course_id}/lineitems/{item.item_id}/lineitem"
            f"?type_id={tool.deployment_id}"
        ),
        "label": activity.title,  # Moodle: the grade item is named after the activity
        "scoreMaximum": item.score_maximum,
        "resourceId": item.resource_id,
        "tag": item.tag,
        "resourceLinkId": str(activity.instance_id),
        "ltiLinkId": str(activity.instance_id),
    }


def _refused(reason: str, status: int = 400) -> Response:
    return Response("[]", status=f"{status} {reason}", content_type=f"{SCORE_TYPE}; charset=utf-8")


def _score(platform: LtiPlatform, tool: Tool, item: LineItem) -> Response:
    if not _authorized(platform, tool, (AGS_SCOPE + "score",)):
        return _unauthorized()
    if request.content_type != SCORE_TYPE:
        return Response("No handler found", 400, content_type="text/plain")
    try:
        body = json.loads(request.get_data() or b"null")
        user_id = int(body["userId"])
        stamp = datetime.fromisoformat(str(body["timestamp"]).replace("Z", "+00:00"))
        if not (body["activityProgress"] and body["gradingProgress"]):
            raise ValueError
        given = body.get("scoreGiven")
        maximum = float(body["scoreMaximum"]) if given is not None else 1.0
    except (ValueError, KeyError, TypeError):
        return _refused(f"Incorrect score received{request.get_data(as_text=True)}")
    if user_id not in platform.users:
        return _refused(f"Incorrect score received{request.get_data(as_text=True)}")
    key = (item.item_id, user_id)
    before = platform.grades.get(key)
    if before is not None and stamp <= before.timestamp:
        return _refused(
            f"Refusing score with an earlier timestamp for item {item.item_id} and user {user_id}", 409
        )
    if given is not None and body["gradingProgress"] == "FullyGraded":
        raw = float(given) / maximum * item.score_maximum
        platform.grades[key] = Grade(min(raw, item.score_maximum), str(body.get("comment", "")), stamp)
    platform.counters["score"] += 1
    return Response("", 200, content_type=f"{SCORE_TYPE}; charset=utf-8")


def _results(platform: LtiPlatform, tool: Tool, item: LineItem, lineitem_url: str) -> Response:
    if not _authorized(platform, tool, (AGS_SCOPE + "result.readonly",)):
        return _unauthorized()
    wanted = request.args.get("user_id")
    rows = [
        {
            "id": f"{lineitem_url}/results/{user_id}",
            "userId": str(user_id),
            "resultScore": grade.raw,
            "resultMaximum": item.score_maximum,
            "comment": grade.comment,
            "scoreOf": lineitem_url,
            "timestamp": grade.timestamp.replace(microsecond=0).isoformat(),
        }
        for (item_id, user_id), grade in sorted(platform.grades.items())
        if item_id == item.item_id and (wanted is None or str(user_id) == wanted)
    ]
    return Response(
        json.dumps(rows), 200, content_type="application/vnd.ims.lis.v2.resultcontainer+json; charset=utf-8"
    )


NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


def memberships(platform: LtiPlatform, course_id: int, type_id: str) -> Response:
    """Names and Roles 2.0 as Moodle answers it: short role names, ``limit``/``from`` paging with a
    ``Link: rel="next"``. The simulator has no course enrolment for its LTI courses: every platform user
    is a member of every course."""
    tool = platform.tool_of_type(type_id)
    course = platform.courses.get(course_id)
    if tool is None or course is None:
        return Response("", 404)
    if not _authorized(platform, tool, (NRPS_SCOPE,)):
        return _unauthorized()
    users = sorted(platform.users.values(), key=lambda u: u.id)
    limit = request.args.get("limit", type=int) or len(users) or 1
    start = request.args.get("from", type=int) or 0
    url = f"{platform.base()}/mod/lti/services.php/CourseSection/{course_id}/bindings/{type_id}/memberships"
    page = users[start : start + limit]
    body = {
        "id": url,
        "context": {"id": str(course.id), "label": course.shortname, "title": course.fullname},
        "members": [
            {
                "status": "Active",
                "roles": ["Instructor" if INSTRUCTOR in lti_roles(u) else "Learner"],
                "user_id": str(u.id),
                "lis_person_sourcedid": u.idnumber,
                "name": u.full_name,
                "given_name": u.first_name,
                "family_name": u.last_name,
                "email": u.email,
                "ext_user_username": u.username,
            }
            for u in page
        ],
    }
    headers = {}
    if start + limit < len(users):
        headers["Link"] = f'<{url}?limit={limit}&from={start + limit}>; rel="next"'
    return Response(
        json.dumps(body, ensure_ascii=False),
        200,
        headers=headers,
        content_type="application/vnd.ims.lti-nrps.v2.membershipcontainer+json; charset=utf-8",
    )


def add_services(bp: Blueprint, platform: LtiPlatform) -> None:
    @bp.get("/mod/lti/services.php/CourseSection/<int:course_id>/bindings/<type_id>/memberships")
    def members(course_id: int, type_id: str) -> Response:
        return memberships(platform, course_id, type_id)

    @bp.post("/mod/lti/token.php")
    def token() -> Response:
        return issue_token(platform)

    @bp.get("/mod/lti/services.php/<int:course_id>/lineitems/<int:item_id>/lineitem")
    def lineitem(course_id: int, item_id: int) -> Response:
        found = _item(platform, course_id, item_id)
        if found is None:
            return Response("", 404)
        tool, activity, item = found
        if not _authorized(platform, tool, (AGS_SCOPE + "lineitem", AGS_SCOPE + "lineitem.readonly")):
            return _unauthorized()
        body = _line_item_json(platform.base(), course_id, tool, activity, item)
        return Response(
            json.dumps(body), 200, content_type="application/vnd.ims.lis.v2.lineitem+json; charset=utf-8"
        )

    @bp.post("/mod/lti/services.php/<int:course_id>/lineitems/<int:item_id>/lineitem/scores")
    def scores(course_id: int, item_id: int) -> Response:
        found = _item(platform, course_id, item_id)
        if found is None:
            return Response("", 404)
        return _score(platform, found[0], found[2])

    @bp.get("/mod/lti/services.php/<int:course_id>/lineitems/<int:item_id>/lineitem/results")
    def results(course_id: int, item_id: int) -> Response:
        found = _item(platform, course_id, item_id)
        if found is None:
            return Response("", 404)
        url = f"{platform.base()}/mod/lti/services.php/{course_id}/lineitems/{item_id}/lineitem"
        return _results(platform, found[0], found[2], url)
