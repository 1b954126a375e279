"""Who a launched user is for lms-bridge: LTI roles + the platform user → our role and scope.

A platform speaks only for the people in its scope (``Platform.scope``, domain/platforms.py): the
e-mail that links a launch to a registry person counts only when that person belongs to the
platform, and whatever role results is limited to the platform's scope (``Principal.within``).
Precedence (first match wins):

1. ЦНППМ staff in settings (``LMS_BRIDGE_LTI_STAFF``: email → role and platform) launched from
   their platform → that role (developer|centre|admin), every route;
2. a platform with no scope speaks for nobody else: refused, saying how to set one;
3. an LTI system/institution Administrator → admin over the platform's scope;
4. a head of school in the ``school_heads`` table whose school is in scope → head, that school;
5. a registered curator who belongs to the platform (their own school or municipality, or a
   teacher they curate, is in scope) launched as Instructor/Mentor/TeachingAssistant → curator;
6. a teacher with a route in scope → teacher, own card only;
7. such a curator launched as Learner (Moodle gives non-editing teachers Learner) → curator;
otherwise the launch is refused (PermissionDenied), with the same words whether or not the e-mail
is known elsewhere, so a platform cannot probe who is in the registry.

The person's email comes from the ``email`` claim, else from the LMS idnumber
(``lis.person_sourcedid``), else from the platform user id (``sub``), both looked up in
``lti_identities`` for this issuer; every successful launch records (iss, sub, idnumber) → email
there, so later launches work when the platform stops sending the email.
"""

from __future__ import annotations

from collections.abc import Mapping

from lms_bridge.config import LtiStaffConfig
from lms_bridge.domain.people import Curator
from lms_bridge.domain.platforms import PlatformScope
from lms_bridge.domain.vocabulary import Role
from lms_bridge.errors import PermissionDenied
from lms_bridge.ports import LaunchStore, Principal, RouteFilter, RouteStore
from lms_bridge.web.lti.launch import Launch

_ADMIN = (
    "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator",
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
)
_INSTRUCTOR_MARKS = ("#Instructor", "#Mentor", "#TeachingAssistant", "Instructor#")


_EDITOR_MARKS = ("membership#Instructor", "membership#ContentDeveloper")


def may_deep_link(roles: tuple[str, ...]) -> bool:
    """Course editors place content: LTI Instructor or ContentDeveloper (a context role; a Mentor or a
    Learner may not, and neither may an administrator who is not an editor of the course)."""
    return any(r.endswith(mark) for r in roles for mark in _EDITOR_MARKS)


def is_admin(roles: tuple[str, ...]) -> bool:
    return any(r in _ADMIN for r in roles)


def is_instructor(roles: tuple[str, ...]) -> bool:
    return any(mark in r for r in roles for mark in _INSTRUCTOR_MARKS)


def resolve_email(launch: Launch, launches: LaunchStore) -> str:
    iss = launch.platform.issuer
    return (
        launch.email
        or launches.find_email_by_idnumber(iss, launch.person_sourcedid)
        or launches.find_email_by_subject(iss, launch.subject)
        or ""
    )


def principal_for(
    launch: Launch, *, store: RouteStore, launches: LaunchStore, staff: Mapping[str, LtiStaffConfig]
) -> Principal:
    email = resolve_email(launch, launches)
    name = launch.name
    member = _staff_role(email, launch.platform.issuer, staff)
    if member is not None:
        return Principal(member, email, name)
    scope = launch.platform.scope
    if scope.empty:
        raise PermissionDenied(
            f"платформа {launch.platform.issuer} не связана ни с одной организацией: задайте, за кого она "
            "говорит (lms-bridge lti add-platform --region | --school | --municipality)"
        )
    if is_admin(launch.roles):
        return Principal(Role.ADMIN, email, name, within=scope)
    if not email:
        raise PermissionDenied("СДО не передала e-mail, и пользователь не связан с реестром ИОМ")
    return _registry_person(email, name, launch.roles, scope, store, launches)


def _staff_role(email: str, issuer: str, staff: Mapping[str, LtiStaffConfig]) -> Role | None:
    entry = {k.strip().lower(): v for k, v in staff.items()}.get(email) if email else None
    if entry is None or entry.platform.strip().rstrip("/") != issuer.rstrip("/"):
        return None  # not staff, or staff of another platform: judged like anyone else
    role = Role.parse(entry.role)
    if role not in (Role.DEVELOPER, Role.CENTRE, Role.CENTRE_HEAD, Role.ADMIN):
        raise PermissionDenied(f"роль сотрудника ЦНППМ «{entry.role}» не поддерживается")
    return role


def _registry_person(
    email: str,
    name: str,
    roles: tuple[str, ...],
    scope: PlatformScope,
    store: RouteStore,
    launches: LaunchStore,
) -> Principal:
    head = launches.find_head(email)
    if head is not None and scope.contains(head.school, head.municipality):
        return Principal(
            Role.HEAD, email, head.full_name or name, head.school, head.municipality, within=scope
        )
    curator = next((c for c in store.list_curators() if c.email == email), None)
    if curator is not None and not _curator_belongs(curator, scope, store):
        curator = None
    if curator is not None and is_instructor(roles):
        return Principal(Role.CURATOR, email, curator.full_name or name, within=scope)
    teacher = store.find_teacher(email)
    if teacher is not None and store.list_routes(
        RouteFilter(teacher_email=email, archived=None, within=scope)
    ):
        return Principal(
            Role.TEACHER, email, teacher.full_name, teacher.school, teacher.municipality, within=scope
        )
    if curator is not None:
        return Principal(Role.CURATOR, email, curator.full_name or name, within=scope)
    raise PermissionDenied("для этого пользователя нет маршрута ИОМ и роли в реестре на этой платформе")


def _curator_belongs(curator: Curator, scope: PlatformScope, store: RouteStore) -> bool:
    if scope.contains(curator.school, curator.municipality):
        return True
    return bool(store.list_routes(RouteFilter(curator_email=curator.email, within=scope)))
