"""``SqlLaunchStore``: the web app's own tables (LTI platforms, OIDC states, launch sessions,
identities, heads of schools) behind the ``LaunchStore`` port."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update

from lms_bridge.domain.vocabulary import Role
from lms_bridge.ports import Head, LoginState, Platform, Principal, RegistrationCode
from lms_bridge.storage.tables import (
    lti_identities,
    lti_platforms,
    lti_registration_codes,
    lti_states,
    school_heads,
    web_sessions,
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
        }
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
    def new_registration_code(self, minutes: int) -> tuple[str, datetime]:
        code = secrets.token_urlsafe(24)
        now = self._now()
        expires = now + timedelta(minutes=minutes)
        with self.engine.begin() as c:
            c.execute(delete(lti_registration_codes).where(lti_registration_codes.c.expires_at < now))
            c.execute(
                insert(lti_registration_codes).values(
                    code_hash=_hash(code), created_at=now, expires_at=expires
                )
            )
        return code, expires

    def find_registration_code(self, code: str) -> RegistrationCode | None:
        with self.engine.connect() as c:
            r = c.execute(
                select(lti_registration_codes).where(lti_registration_codes.c.code_hash == _hash(code))
            ).first()
        return RegistrationCode(r.expires_at, r.used_at) if r else None

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
    def new_state(self, issuer: str, client_id: str, minutes: int) -> LoginState:
        now = self._now()
        st = LoginState(
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            issuer=issuer,
            client_id=client_id,
            expires_at=now + timedelta(minutes=minutes),
            used_at=None,
        )
        with self.engine.begin() as c:
            # Housekeeping on the write path keeps the table small without a cron job.
            c.execute(delete(lti_states).where(lti_states.c.expires_at < now - timedelta(days=1)))
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
            Role(r.role), r.email, r.name, r.school, r.municipality, r.csrf, expires_at=r.expires_at
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
