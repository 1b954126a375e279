"""The web app's own state: what the LTI flow must remember lives server-side, so that the tool works
inside a cross-site LMS iframe where the browser blocks third-party cookies. ``LaunchStore`` is the port;
``SqlLaunchStore`` (storage/) implements it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from lms_bridge.domain.platforms import NOBODY, PlatformScope
from lms_bridge.domain.vocabulary import Role


@dataclass(frozen=True)
class Platform:
    """A registered LTI 1.3 platform (one Moodle site + the client_id it gave the tool)."""

    issuer: str
    client_id: str
    deployment_ids: tuple[str, ...]
    auth_url: str
    jwks_url: str
    token_url: str = ""
    scope: PlatformScope = NOBODY  # whom its launches may speak for (domain/platforms.py)
    services: tuple[str, ...] | None = None  # scopes granted at dynamic registration; None: not known


@dataclass(frozen=True)
class LineItemRecord:
    """An AGS line item a launch of the «Мой маршрут» placement named (``lti_line_items``)."""

    id: int
    issuer: str
    client_id: str
    lineitem_url: str
    context_id: str
    scopes: tuple[str, ...]
    memberships_url: str = ""  # Names and Roles of the course, when the launch named it


@dataclass(frozen=True)
class ProgressRecord:
    """One platform user's route progress on a line item: what was last sent, and a send in flight."""

    line_item_id: int
    user_sub: str
    email: str
    route_number: str | None
    score: float | None
    comment: str | None
    pending_score: float | None
    pending_comment: str | None
    sent_at: datetime | None
    error: str | None


@dataclass(frozen=True)
class LoginState:
    """An OIDC login in flight: the state and nonce the tool sent the platform."""

    state: str
    nonce: str
    issuer: str
    client_id: str
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True)
class RegistrationCode:
    """A one-time code for LTI Dynamic Registration (``lms-bridge lti registration-url``)."""

    expires_at: datetime
    used_at: datetime | None
    scope: PlatformScope = NOBODY  # whom the platform registered with it speaks for


@dataclass(frozen=True)
class Principal:
    """Who is using the web app, with the scope their role gives (``domain/access.py`` decides)."""

    role: Role
    email: str = ""
    name: str = ""
    school: str = ""
    municipality: str = ""
    csrf: str = ""
    via_token: bool = False  # the service token: no browser, no CSRF
    expires_at: datetime | None = None  # of the launch session
    within: PlatformScope | None = None  # the launching platform's scope; None: not limited by one


@dataclass(frozen=True)
class Head:
    """A head of school (by e-mail): a launch with this e-mail gets the head's role over the school."""

    email: str
    full_name: str
    school: str
    municipality: str = ""


class LaunchStore(Protocol):
    """The web app's own state: LTI platforms, OIDC login states, launch sessions, the identities
    platforms sent (issuer, subject → e-mail) and heads of schools. ``SqlLaunchStore`` implements it."""

    # platforms
    def add_platform(self, p: Platform) -> None:
        """Insert or update by (issuer, client_id)."""
        ...

    def list_platforms(self) -> list[Platform]: ...
    def remove_platform(self, issuer: str, client_id: str | None = None) -> int:
        """Delete the issuer's platforms (only ``client_id``'s when given); returns how many."""
        ...

    # one-time codes for dynamic registration (only hashes are stored)
    def new_registration_code(self, minutes: int, scope: PlatformScope = NOBODY) -> tuple[str, datetime]:
        """A fresh code and when it expires; the platform it registers speaks for ``scope``."""
        ...

    def find_registration_code(self, code: str) -> RegistrationCode | None: ...
    def issue_registration_form(self, code: str) -> str:
        """A new CSRF token for the confirmation page of ``code`` (the previous one stops working)."""
        ...

    def use_registration_code(self, code: str, form_token: str) -> bool:
        """Mark the code used if it is unused, unexpired and ``form_token`` is its page's; else False."""
        ...

    def release_registration_code(self, code: str) -> None:
        """Make a used code usable again (the platform refused the registration)."""
        ...

    # OIDC login states
    def new_state(self, issuer: str, client_id: str, minutes: int, *, keep: int = 1000) -> LoginState:
        """A fresh state and nonce valid for ``minutes``; expired states are purged and the platform
        keeps only its ``keep`` newest."""
        ...

    def find_state(self, state: str) -> LoginState | None: ...
    def use_state(self, state: str) -> bool:
        """Mark the state (and so its nonce) used; False when it was already used (a replay)."""
        ...

    # launch sessions
    def open_session(
        self, p: Principal, hours: int, *, issuer: str = "", subject: str = ""
    ) -> tuple[str, str]:
        """Create a session; returns (launch id, csrf token). Only the launch id's hash is stored."""
        ...

    def find_session(self, launch_id: str) -> Principal | None:
        """The unexpired session's principal."""
        ...

    # identities
    def link_identity(self, issuer: str, subject: str, email: str, idnumber: str = "") -> None: ...
    def find_email_by_idnumber(self, issuer: str, idnumber: str) -> str | None: ...
    def find_email_by_subject(self, issuer: str, subject: str) -> str | None: ...

    # AGS: line items learned from launches, and the progress sent to them
    def record_line_item(
        self,
        issuer: str,
        client_id: str,
        lineitem_url: str,
        context_id: str,
        scopes: tuple[str, ...],
        memberships_url: str = "",
    ) -> int:
        """Insert or update by (issuer, client_id, lineitem_url); returns its id."""
        ...

    def record_progress_member(self, line_item_id: int, user_sub: str, email: str) -> None:
        """The platform user ``user_sub`` (registry e-mail ``email``) gets progress on the line item."""
        ...

    def list_line_items(self) -> list[LineItemRecord]: ...
    def list_progress(self, line_item_id: int) -> list[ProgressRecord]: ...
    def mark_progress_pending(
        self, line_item_id: int, user_sub: str, route_number: str, score: float, comment: str
    ) -> None:
        """Before a score is posted: what is about to be sent."""
        ...

    def mark_progress_sent(self, line_item_id: int, user_sub: str, at: datetime) -> None:
        """The pending score reached the platform: it becomes the last sent one."""
        ...

    def mark_progress_failed(self, line_item_id: int, user_sub: str, error: str) -> None:
        """The platform refused the pending score (it was not stored there): forget it, keep why."""
        ...

    # heads of schools
    def add_head(self, h: Head) -> None:
        """Insert or update by e-mail (case-insensitive)."""
        ...

    def find_head(self, email: str) -> Head | None: ...
