"""``SqlLaunchStore``: the web app's own tables (LTI platforms, OIDC states, launch sessions,
identities, heads of schools) behind the ``LaunchStore`` port."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from lms_bridge.domain.platforms import NOBODY, PlatformScope
from lms_bridge.domain.vocabulary import Role
from lms_bridge.ports import (
    Head,
    LineItemRecord,
    LoginState,
    Platform,
    Principal,
    ProgressRecord,
    RegistrationCode,
)
from lms_bridge.storage.tables import (
    lti_identities,
    lti_line_items,
    lti_platforms,
    lti_progress_scores,
    lti_registration_codes,
    lti_states,
    school_heads,
    web_sessions,
)


def _scope_row(scope: PlatformScope) -> dict[str, Any]:
    return {
        "region": scope.region,
        "schools": sorted(scope.schools),
        "municipalities": sorted(scope.municipalities),
    }


def _scope_of(row: Mapping[Any, Any]) -> PlatformScope:
    return PlatformScope.of(
        region=bool(row["region"]), schools=row["schools"] or (), municipalities=row["municipalities"] or ()
    )


def _hash(launch_id: str) -> str:
    return hashlib.sha256(launch_id.encode()).hexdigest()


class SqlLaunchStore:
    """The ``LaunchStore`` port over SQLAlchemy Core (the same database as the routes)."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = datetime.now):
        self.engine = engine
        self._now = clock

    # --- platforms ------------------------------------------------------------------------------
    def add_platform(self, p: Platform) -> None:
        row = {
            "issuer": p.issuer,
            "client_id": p.client_id,
            "deployment_ids": list(p.deployment_ids),
            "auth_url": p.auth_url,
            "jwks_url": p.jwks_url,
            "token_url": p.token_url,
            **_scope_row(p.scope),
        }
        if p.services is not None:  # a manual update keeps what registration recorded
            row["scopes"] = list(p.services)
        with self.engine.begin() as c:
            key = (lti_platforms.c.issuer == p.issuer) & (lti_platforms.c.client_id == p.client_id)
            if c.execute(select(lti_platforms.c.id).where(key)).first():
                c.execute(update(lti_platforms).where(key).values(**row))
            else:
                c.execute(insert(lti_platforms).values(**row))

    def list_platforms(self) -> list[Platform]:
        with self.engine.connect() as c:
            return [
                Platform(
                    r.issuer,
                    r.client_id,
                    tuple(str(d) for d in r.deployment_ids),
                    r.auth_url,
                    r.jwks_url,
                    r.token_url,
                    _scope_of(r._mapping),
                    None if r.scopes is None else tuple(r.scopes),
                )
                for r in c.execute(select(lti_platforms).order_by(lti_platforms.c.id))
            ]

    def remove_platform(self, issuer: str, client_id: str | None = None) -> int:
        where = lti_platforms.c.issuer == issuer
        if client_id is not None:
            where &= lti_platforms.c.client_id == client_id
        with self.engine.begin() as c:
            return c.execute(delete(lti_platforms).where(where)).rowcount

    # --- one-time registration codes ------------------------------------------------------------
    def new_registration_code(self, minutes: int, scope: PlatformScope = NOBODY) -> tuple[str, datetime]:
        code = secrets.token_urlsafe(24)
        now = self._now()
        expires = now + timedelta(minutes=minutes)
        with self.engine.begin() as c:
            c.execute(delete(lti_registration_codes).where(lti_registration_codes.c.expires_at < now))
            c.execute(
                insert(lti_registration_codes).values(
                    code_hash=_hash(code), created_at=now, expires_at=expires, scope=_scope_row(scope)
                )
            )
        return code, expires

    def find_registration_code(self, code: str) -> RegistrationCode | None:
        with self.engine.connect() as c:
            r = c.execute(
                select(lti_registration_codes).where(lti_registration_codes.c.code_hash == _hash(code))
            ).first()
        if r is None:
            return None
        return RegistrationCode(r.expires_at, r.used_at, NOBODY if r.scope is None else _scope_of(r.scope))

    def issue_registration_form(self, code: str) -> str:
        token = secrets.token_urlsafe(32)
        with self.engine.begin() as c:
            c.execute(
                update(lti_registration_codes)
                .where(lti_registration_codes.c.code_hash == _hash(code))
                .values(form_token_hash=_hash(token))
            )
        return token

    def use_registration_code(self, code: str, form_token: str) -> bool:
        t = lti_registration_codes.c
        with self.engine.begin() as c:
            res = c.execute(
                update(lti_registration_codes)
                .where(t.code_hash == _hash(code))
                .where(t.form_token_hash == _hash(form_token))
                .where(t.used_at.is_(None))
                .where(t.expires_at > self._now())
                .values(used_at=self._now())
            )
            return res.rowcount == 1

    def release_registration_code(self, code: str) -> None:
        with self.engine.begin() as c:
            c.execute(
                update(lti_registration_codes)
                .where(lti_registration_codes.c.code_hash == _hash(code))
                .values(used_at=None)
            )

    # --- OIDC login states ----------------------------------------------------------------------
    def new_state(self, issuer: str, client_id: str, minutes: int, *, keep: int = 1000) -> LoginState:
        """A fresh state. Expired states are purged here, and the platform keeps only its ``keep``
        newest ones (an unauthenticated caller makes these: the table must stay bounded)."""
        now = self._now()
        st = LoginState(
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            issuer=issuer,
            client_id=client_id,
            expires_at=now + timedelta(minutes=minutes),
            used_at=None,
        )
        mine = (lti_states.c.issuer == issuer) & (lti_states.c.client_id == client_id)
        newest_first = lti_states.c.created_at.desc(), lti_states.c.state
        beyond = select(lti_states.c.state).where(mine).order_by(*newest_first).offset(keep)
        with self.engine.begin() as c:
            c.execute(delete(lti_states).where(lti_states.c.expires_at < now))
            c.execute(
                insert(lti_states).values(
                    state=st.state,
                    nonce=st.nonce,
                    issuer=issuer,
                    client_id=client_id,
                    created_at=now,
                    expires_at=st.expires_at,
                )
            )
            c.execute(delete(lti_states).where(lti_states.c.state.in_(beyond.scalar_subquery())))
        return st

    def find_state(self, state: str) -> LoginState | None:
        with self.engine.connect() as c:
            r = c.execute(select(lti_states).where(lti_states.c.state == state)).first()
        if r is None:
            return None
        return LoginState(r.state, r.nonce, r.issuer, r.client_id, r.expires_at, r.used_at)

    def use_state(self, state: str) -> bool:
        """Mark the state (and so its nonce) used; False when it was already used (a replay)."""
        with self.engine.begin() as c:
            res = c.execute(
                update(lti_states)
                .where(lti_states.c.state == state)
                .where(lti_states.c.used_at.is_(None))
                .values(used_at=self._now())
            )
            return res.rowcount == 1

    # --- launch sessions ------------------------------------------------------------------------
    def open_session(
        self, p: Principal, hours: int, *, issuer: str = "", subject: str = ""
    ) -> tuple[str, str]:
        """Create a session; returns (launch id, csrf token). Only the launch id's hash is stored."""
        launch_id = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = self._now()
        with self.engine.begin() as c:
            c.execute(delete(web_sessions).where(web_sessions.c.expires_at < now))
            c.execute(
                insert(web_sessions).values(
                    id_hash=_hash(launch_id),
                    role=p.role.value,
                    email=p.email,
                    name=p.name,
                    school=p.school,
                    municipality=p.municipality,
                    issuer=issuer,
                    subject=subject,
                    scope=None if p.within is None else _scope_row(p.within),
                    csrf=csrf,
                    created_at=now,
                    expires_at=now + timedelta(hours=hours),
                )
            )
        return launch_id, csrf

    def find_session(self, launch_id: str) -> Principal | None:
        with self.engine.connect() as c:
            r = c.execute(
                select(web_sessions)
                .where(web_sessions.c.id_hash == _hash(launch_id))
                .where(web_sessions.c.expires_at > self._now())
            ).first()
        if r is None:
            return None
        return Principal(
            Role(r.role),
            r.email,
            r.name,
            r.school,
            r.municipality,
            r.csrf,
            expires_at=r.expires_at,
            within=None if r.scope is None else _scope_of(r.scope),
        )

    # --- identities -----------------------------------------------------------------------------
    def link_identity(self, issuer: str, subject: str, email: str, idnumber: str = "") -> None:
        with self.engine.begin() as c:
            key = (lti_identities.c.issuer == issuer) & (lti_identities.c.subject == subject)
            if c.execute(select(lti_identities.c.id).where(key)).first():
                c.execute(update(lti_identities).where(key).values(email=email, idnumber=idnumber))
            else:
                c.execute(
                    insert(lti_identities).values(
                        issuer=issuer, subject=subject, email=email, idnumber=idnumber
                    )
                )

    def find_email_by_idnumber(self, issuer: str, idnumber: str) -> str | None:
        if not idnumber:
            return None
        with self.engine.connect() as c:
            return c.execute(
                select(lti_identities.c.email)
                .where(lti_identities.c.issuer == issuer)
                .where(lti_identities.c.idnumber == idnumber)
            ).scalar()

    def find_email_by_subject(self, issuer: str, subject: str) -> str | None:
        with self.engine.connect() as c:
            return c.execute(
                select(lti_identities.c.email)
                .where(lti_identities.c.issuer == issuer)
                .where(lti_identities.c.subject == subject)
            ).scalar()

    # --- AGS line items and progress ----------------------------------------------------------
    def record_line_item(
        self,
        issuer: str,
        client_id: str,
        lineitem_url: str,
        context_id: str,
        scopes: tuple[str, ...],
        memberships_url: str = "",
    ) -> int:
        t = lti_line_items.c
        key = (t.issuer == issuer) & (t.client_id == client_id) & (t.lineitem_url == lineitem_url)
        row = {
            "context_id": context_id,
            "scopes": list(scopes),
            "seen_at": self._now(),
            "memberships_url": memberships_url,
        }
        with self.engine.begin() as c:
            found = c.execute(select(t.id).where(key)).scalar()
            if found is not None:
                c.execute(update(lti_line_items).where(t.id == found).values(**row))
                return int(found)
            res = c.execute(
                insert(lti_line_items).values(
                    issuer=issuer, client_id=client_id, lineitem_url=lineitem_url, resource_link_id="", **row
                )
            )
            return int(res.inserted_primary_key[0])  # type: ignore[index]

    def record_progress_member(self, line_item_id: int, user_sub: str, email: str) -> None:
        t = lti_progress_scores.c
        key = (t.line_item_id == line_item_id) & (t.user_sub == user_sub)
        with self.engine.begin() as c:
            if c.execute(select(t.email).where(key)).first():
                c.execute(update(lti_progress_scores).where(key).values(email=email))
            else:
                c.execute(
                    insert(lti_progress_scores).values(
                        line_item_id=line_item_id, user_sub=user_sub, email=email
                    )
                )

    def list_line_items(self) -> list[LineItemRecord]:
        with self.engine.connect() as c:
            rows = c.execute(select(lti_line_items).order_by(lti_line_items.c.id)).all()
        return [
            LineItemRecord(
                r.id, r.issuer, r.client_id, r.lineitem_url, r.context_id, tuple(r.scopes), r.memberships_url
            )
            for r in rows
        ]

    def list_progress(self, line_item_id: int) -> list[ProgressRecord]:
        t = lti_progress_scores.c
        with self.engine.connect() as c:
            rows = c.execute(
                select(lti_progress_scores).where(t.line_item_id == line_item_id).order_by(t.user_sub)
            ).all()
        return [
            ProgressRecord(
                r.line_item_id,
                r.user_sub,
                r.email,
                r.route_number,
                r.score,
                r.comment,
                r.pending_score,
                r.pending_comment,
                r.sent_at,
                r.error,
            )
            for r in rows
        ]

    def _progress(self, line_item_id: int, user_sub: str, **values: Any) -> None:
        t = lti_progress_scores.c
        with self.engine.begin() as c:
            c.execute(
                update(lti_progress_scores)
                .where((t.line_item_id == line_item_id) & (t.user_sub == user_sub))
                .values(**values)
            )

    def mark_progress_pending(
        self, line_item_id: int, user_sub: str, route_number: str, score: float, comment: str
    ) -> None:
        self._progress(
            line_item_id, user_sub, route_number=route_number, pending_score=score, pending_comment=comment
        )

    def mark_progress_sent(self, line_item_id: int, user_sub: str, at: datetime) -> None:
        t = lti_progress_scores.c
        with self.engine.begin() as c:
            c.execute(
                update(lti_progress_scores)
                .where((t.line_item_id == line_item_id) & (t.user_sub == user_sub))
                .where(t.pending_score.is_not(None))
                .values(
                    score=t.pending_score,
                    comment=t.pending_comment,
                    pending_score=None,
                    pending_comment=None,
                    sent_at=at,
                    error=None,
                )
            )

    def mark_progress_failed(self, line_item_id: int, user_sub: str, error: str) -> None:
        self._progress(line_item_id, user_sub, pending_score=None, pending_comment=None, error=error[:1000])

    # --- heads of schools -----------------------------------------------------------------------
    def add_head(self, h: Head) -> None:
        row = {"full_name": h.full_name, "school": h.school, "municipality": h.municipality}
        with self.engine.begin() as c:
            email = h.email.lower()
            if c.execute(select(school_heads.c.email).where(school_heads.c.email == email)).first():
                c.execute(update(school_heads).where(school_heads.c.email == email).values(**row))
            else:
                c.execute(insert(school_heads).values(email=email, **row))

    def find_head(self, email: str) -> Head | None:
        with self.engine.connect() as c:
            r = c.execute(select(school_heads).where(school_heads.c.email == email.lower())).first()
        return Head(r.email, r.full_name, r.school, r.municipality) if r else None
