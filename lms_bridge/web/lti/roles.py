"""Who a launched user is for lms-bridge: LTI roles + the platform user → our role and scope.

Precedence (first match wins):

1. ЦНППМ staff in settings (``LMS_BRIDGE_LTI_STAFF``: email → developer|centre|admin) → that role, all;
2. an LTI system/institution Administrator → admin, all routes;
3. a head of school in the ``school_heads`` table (by email) → head, routes of that school;
4. a registered curator (by email) launched as Instructor/Mentor/TeachingAssistant → curator, own teachers;
5. a teacher who has a route → teacher, own card only;
6. a registered curator launched as Learner (Moodle gives non-editing teachers Learner) → curator;
otherwise the launch is refused (PermissionDenied).

The person's email comes from the ``email`` claim, else from the LMS idnumber
(``lis.person_sourcedid``), else from the platform user id (``sub``), both looked up in
``lti_identities``; every successful launch records (iss, sub, idnumber) → email there, so later
launches work when the platform stops sending the email.
"""

from __future__ import annotations

from lms_bridge.domain.vocabulary import Role
from lms_bridge.errors import PermissionDenied
from lms_bridge.ports import LaunchStore, Principal, RouteFilter, RouteStore
from lms_bridge.web.lti.launch import Launch

_ADMIN = (
    "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator",
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
)
_INSTRUCTOR_MARKS = ("#Instructor", "#Mentor", "#TeachingAssistant", "Instructor#")


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
    launch: Launch, *, store: RouteStore, launches: LaunchStore, staff: dict[str, str]
) -> Principal:
    email = resolve_email(launch, launches)
    name = launch.name
    staff_role = {k.strip().lower(): v for k, v in staff.items()}.get(email) if email else None
    if staff_role:
        role = Role.parse(staff_role)
        if role not in (Role.DEVELOPER, Role.CENTRE, Role.CENTRE_HEAD, Role.ADMIN):
            raise PermissionDenied(f"роль сотрудника ЦНППМ «{staff_role}» не поддерживается")
        return Principal(role, email, name)
    if is_admin(launch.roles):
        return Principal(Role.ADMIN, email, name)
    if not email:
        raise PermissionDenied("СДО не передала e-mail, и пользователь не связан с реестром ИОМ")
    head = launches.find_head(email)
    if head is not None:
        return Principal(Role.HEAD, email, head.full_name or name, head.school, head.municipality)
    curator = next((c for c in store.list_curators() if c.email == email), None)
    if curator is not None and is_instructor(launch.roles):
        return Principal(Role.CURATOR, email, curator.full_name or name)
    teacher = store.find_teacher(email)
    if teacher is not None and store.list_routes(RouteFilter(teacher_email=email, archived=None)):
        return Principal(Role.TEACHER, email, teacher.full_name, teacher.school, teacher.municipality)
    if curator is not None:
        return Principal(Role.CURATOR, email, curator.full_name or name)
    raise PermissionDenied("для этого пользователя нет маршрута ИОМ и роли в реестре")
