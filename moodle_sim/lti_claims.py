"""The data an LTI 1.3 launch is made of, and the id_token claims Moodle 5.1 puts in it.

Claim for claim as recorded (tests/fixtures/moodle/lti_id_token__claims.json), less the grade service
(AGS endpoint): the demo tool does not accept grades, and Moodle only sends it to tools that do.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any, Literal

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
LEARNER = MEMBERSHIP + "Learner"
INSTRUCTOR = MEMBERSHIP + "Instructor"
INSTITUTION_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
SYSTEM_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"
MOODLE_VERSION = "2025100600.02"
MOODLE_RELEASE = "5.1+ (Build: 20251017)"
TOKEN_TTL = 60  # Moodle: exp = iat + 60
AGS_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
# the AGS claim's scopes when the tool may manage line items (Moodle 5.1 ltiservice_gradebookservices)
AGS_LAUNCH_SCOPES = [AGS_SCOPE + s for s in ("lineitem", "lineitem.readonly", "result.readonly", "score")]

DemoRole = Literal["teacher", "curator", "head", "centre"]
DEMO_ROLE_LABELS: dict[str, str] = {
    "teacher": "педагог",
    "curator": "куратор",
    "head": "руководитель ОО",
    "centre": "специалист ЦНППМ",
}


@dataclass(frozen=True)
class PlatformUser:
    """A Moodle user as the launch sees it. ``demo_role`` decides the LTI roles (see ``lti_roles``)."""

    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    demo_role: DemoRole
    idnumber: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def short_name(self) -> str:
        """«Сидорова Е.Н.» from first name «Елена Николаевна» and last name «Сидорова»."""
        initials = "".join(f"{part[0]}." for part in self.first_name.split())
        return f"{self.last_name} {initials}".strip()


@dataclass(frozen=True)
class PlatformCourse:
    id: int
    shortname: str
    fullname: str
    idnumber: str = ""


@dataclass(frozen=True)
class Tool:
    """An LTI 1.3 tool registered with the platform (Moodle: «configure a tool manually»)."""

    client_id: str
    deployment_id: str
    name: str
    login_url: str
    redirect_uris: tuple[str, ...]
    target_link_uri: str
    jwks_url: str = ""
    deep_link_url: str = ""  # the LtiDeepLinkingRequest message's target (dynamic registration)
    scopes: tuple[str, ...] = ()  # the services granted (Moodle: from the registration's scope)

    @property
    def accepts_grades(self) -> bool:
        """Moodle turns the grade service on for ``score``, ``result.readonly`` or ``lineitem.readonly``."""
        return any(s.startswith(AGS_SCOPE) for s in self.scopes)


@dataclass(frozen=True)
class LineItem:
    """The grade item a deep-linked ``lineItem`` made (Moodle names it after the activity)."""

    item_id: int
    score_maximum: float
    resource_id: str = ""
    tag: str = ""


@dataclass(frozen=True)
class ToolActivity:
    """An «External tool» activity in a course: the course module the iframe launches."""

    cmid: int
    instance_id: int
    course_id: int
    client_id: str
    title: str
    description: str = ""
    custom: dict[str, str] = field(default_factory=dict)  # deep linking: the item's ``custom``
    url: str = ""  # deep linking: the item's ``url`` (the launch's target_link_uri)
    line_item: LineItem | None = None


def lti_roles(user: PlatformUser) -> list[str]:
    """Moodle's mapping: students are Learners, teachers Instructors, admins also get the
    institution and system Administrator roles (mod/lti/locallib.php lti_get_ims_role)."""
    if user.demo_role == "teacher":
        return [LEARNER]
    if user.demo_role == "centre":
        return [INSTRUCTOR, SYSTEM_ADMIN, INSTITUTION_ADMIN]
    return [INSTRUCTOR]


# long: the LTI 1.3 claims Moodle sends, one per line
def id_token_claims(
    *,
    base: str,
    platform_name: str,
    guid: str,
    tool: Tool,
    activity: ToolActivity,
    course: PlatformCourse,
    user: PlatformUser,
    nonce: str,
    now: int,
    launch_id: int,
) -> dict[str, Any]:
    """The payload of Moodle 5.1's LtiResourceLinkRequest id_token, claim for claim."""
    services = f"{base}/mod/lti/services.php"
    memberships = f"{services}/CourseSection/{course.id}/bindings/{tool.deployment_id}/memberships"
    sourcedid = {
        "data": {
            "instanceid": str(activity.instance_id),
            "userid": str(user.id),
            "typeid": tool.deployment_id,
            "launchid": launch_id,
        },
        "hash": secrets.token_hex(32),
    }
    return {
        "nonce": nonce,
        "iat": now,
        "exp": now + TOKEN_TTL,
        "iss": base,
        "aud": tool.client_id,
        LTI + "deployment_id": tool.deployment_id,
        LTI + "target_link_uri": activity.url or tool.target_link_uri,
        "sub": str(user.id),
        LTI + "lis": {"person_sourcedid": user.idnumber, "course_section_sourcedid": course.idnumber},
        LTI + "roles": lti_roles(user),
        LTI + "context": {
            "id": str(course.id),
            "label": course.shortname,
            "title": course.fullname,
            "type": ["CourseSection"],
        },
        LTI + "message_type": "LtiResourceLinkRequest",
        LTI + "resource_link": {
            "title": activity.title,
            "description": activity.description,
            "id": str(activity.instance_id),
        },
        "https://purl.imsglobal.org/spec/lti-bo/claim/basicoutcome": {
            "lis_result_sourcedid": json.dumps(sourcedid, separators=(",", ":")),
            "lis_outcome_service_url": f"{base}/mod/lti/service.php",
        },
        "given_name": user.first_name,
        "family_name": user.last_name,
        "name": user.full_name,
        LTI + "ext": {"user_username": user.username, "lms": "moodle-2"},
        "email": user.email,
        LTI + "launch_presentation": {
            "locale": "ru",
            "document_target": "iframe",
            "return_url": (
                f"{base}/mod/lti/return.php?course={course.id}&launch_container=3"
                f"&instanceid={activity.instance_id}&sesskey={secrets.token_hex(5)}"
            ),
        },
        LTI + "tool_platform": {
            "product_family_code": "moodle",
            "version": MOODLE_VERSION,
            "guid": guid,
            "name": platform_name,
            "description": platform_name,
        },
        LTI + "version": "1.3.0",
        LTI + "custom": {**activity.custom, "context_memberships_url": memberships},
        "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
            "context_memberships_url": memberships,
            "service_versions": ["1.0", "2.0"],
        },
        **ags_claim(base, tool, course.id, activity.line_item),
    }


def ags_claim(base: str, tool: Tool, course_id: int, line_item: LineItem | None) -> dict[str, Any]:
    """Moodle's AGS endpoint claim: the course's line items; ``lineitem`` when the activity has one."""
    if not tool.accepts_grades:
        return {}
    lineitems = f"{base}/mod/lti/services.php/{course_id}/lineitems"
    claim: dict[str, Any] = {
        "scope": AGS_LAUNCH_SCOPES,
        "lineitems": f"{lineitems}?type_id={tool.deployment_id}",
    }
    if line_item is not None:
        claim["lineitem"] = f"{lineitems}/{line_item.item_id}/lineitem?type_id={tool.deployment_id}"
    return {AGS_CLAIM: claim}
