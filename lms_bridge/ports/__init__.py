"""Ports: what the core needs from the outside world, as Protocols, and the plain records that cross them.

Verbs carry meaning: ``get_*`` raises NotFound, ``find_*`` returns None, ``list_*`` returns a list,
plain verbs are commands.

- ``registry``: ``RouteStore``, the route registry (routes, diagnostics, people, course map, audit);
- ``lms``: ``Lms``, what the jobs need from an LMS, and its records;
- ``sync``: ``SyncStore``, what the sync jobs record (transmissions, links, disagreements);
- ``notices``: ``NoticeStore``, what the notification job sent (teacher × event, curator × week);
- ``web``: ``LaunchStore``, the web app's own state (LTI platforms, login states, sessions, heads).

Import from ``lms_bridge.ports``; the modules are an internal split.
"""

from lms_bridge.ports.lms import (
    Competency,
    CompletionRow,
    EnrolledUser,
    Enrolment,
    GradeRow,
    LearningPlan,
    LinkFailure,
    Lms,
    LmsCourse,
    LmsUser,
    MessageFailure,
    OutMessage,
    RowFailure,
    SiteInfo,
)
from lms_bridge.ports.notices import Notice, NoticeKind, NoticeState, NoticeStore
from lms_bridge.ports.registry import AuditEntry, CodifierStore, DiagnosticsSaved, RouteFilter, RouteStore
from lms_bridge.ports.sync import (
    Disagreement,
    FormalItem,
    LmsLink,
    RoutePeople,
    SyncStore,
    Transmission,
    TransmissionKind,
    TransmissionState,
)
from lms_bridge.ports.web import (
    Head,
    LaunchStore,
    LineItemRecord,
    LoginState,
    Platform,
    Principal,
    ProgressRecord,
    RegistrationCode,
)

__all__ = [
    "AuditEntry",
    "CodifierStore",
    "Competency",
    "CompletionRow",
    "DiagnosticsSaved",
    "Disagreement",
    "EnrolledUser",
    "Enrolment",
    "FormalItem",
    "GradeRow",
    "Head",
    "LaunchStore",
    "LearningPlan",
    "LineItemRecord",
    "LinkFailure",
    "Lms",
    "LmsCourse",
    "LmsLink",
    "LmsUser",
    "LoginState",
    "MessageFailure",
    "Notice",
    "NoticeKind",
    "NoticeState",
    "NoticeStore",
    "OutMessage",
    "Platform",
    "Principal",
    "ProgressRecord",
    "RegistrationCode",
    "RouteFilter",
    "RoutePeople",
    "RouteStore",
    "RowFailure",
    "SiteInfo",
    "SyncStore",
    "Transmission",
    "TransmissionKind",
    "TransmissionState",
]
