"""LTI Assignment and Grade Services 2.0 client: the platform's token endpoint and a line item's scores
and results, shaped as Moodle 5.1 answers them (``mod/lti/token.php``, ``services/gradebookservices``).

Token: client_credentials with a JWT client assertion (RS256 with the tool's key: ``iss`` = ``sub`` =
client_id, ``aud`` = the token endpoint, a fresh ``jti``), form-encoded (Moodle refuses JSON); the answer is
JSON under a ``text/html`` Content-Type and one of Moodle's error bodies is not valid JSON, so it is read
defensively. A token is cached per platform and scope set until a minute before it expires.

Score: POST ``<lineitem path>/scores?<query>`` with Content-Type ``application/vnd.ims.lis.v1.score+json``;
Moodle answers 200 with an empty body; a refusal is 400/409 with body ``[]`` and the reason only in the
status line. ``timestamp`` must be newer than the stored grade's (so: now, in ms).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import jwt
import requests

from lms_bridge.errors import LmsError

SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/"
SCORE = SCOPE + "score"
RESULTS = SCOPE + "result.readonly"
LINEITEM = SCOPE + "lineitem"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEMBERS_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MAX_MEMBER_PAGES = 200  # × 100 members: a course far larger than any school's staff
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
RESULTS_TYPE = "application/vnd.ims.lis.v2.resultcontainer+json"
TIMEOUT = (5.0, 20.0)
_EARLY = 60.0  # seconds before expiry a cached token is renewed


class AgsError(LmsError):
    """The platform refused a grade service request (the message names the status and reason)."""


@dataclass(frozen=True)
class ToolKey:
    pem: bytes
    kid: str


@dataclass
class AgsClient:
    """One platform's grade service, as the tool (client_id) registered there."""

    client_id: str
    token_url: str
    key: ToolKey
    http: requests.Session = field(default_factory=requests.Session)
    clock: Callable[[], float] = time.time
    _tokens: dict[tuple[str, ...], tuple[str, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    requests_made: int = 0

    # --- token ----------------------------------------------------------------------------------
    def _assertion(self) -> str:
        now = int(self.clock())
        claims = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": self.token_url,
            "iat": now,
            "exp": now + 300,
            "jti": secrets.token_urlsafe(16),
        }
        return jwt.encode(claims, self.key.pem, algorithm="RS256", headers={"kid": self.key.kid})

    def token(self, scopes: tuple[str, ...]) -> str:
        """A bearer token for ``scopes`` (cached until shortly before it expires)."""
        key = tuple(sorted(scopes))
        with self._lock:
            cached = self._tokens.get(key)
        if cached and cached[1] > self.clock():
            return cached[0]
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": self._assertion(),
            "scope": " ".join(key),
        }
        body = self._json(self._send("POST", self.token_url, data=form), "токен")
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            error = body.get("error") if isinstance(body, dict) else None
            raise AgsError(f"платформа не выдала токен журнала оценок: {error or 'нет access_token'}")
        expires_in = body.get("expires_in", 3600)
        ttl = float(expires_in) if isinstance(expires_in, int | float) else 3600.0
        with self._lock:
            self._tokens[key] = (token, self.clock() + max(ttl - _EARLY, 0.0))
        return token

    def forget_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()

    # --- scores and results ---------------------------------------------------------------------
    def post_score(self, lineitem_url: str, user_id: str, given: float, maximum: float, comment: str) -> None:
        """Send a FullyGraded score, timestamped now (ms precision)."""
        stamp = datetime.fromtimestamp(self.clock(), UTC).isoformat(timespec="milliseconds")
        body = {
            "userId": user_id,
            "scoreGiven": given,
            "scoreMaximum": maximum,
            "activityProgress": "Completed",
            "gradingProgress": "FullyGraded",
            "timestamp": stamp.replace("+00:00", "Z"),
            "comment": comment,
        }
        url, data = _below(lineitem_url, "scores"), json.dumps(body)
        headers = {"Content-Type": SCORE_TYPE, "Authorization": f"Bearer {self.token((SCORE,))}"}
        resp = self._send("POST", url, data=data, headers=headers)
        if resp.status_code == 401:  # the token was revoked or expired early: one new token, one retry
            self.forget_tokens()
            headers["Authorization"] = f"Bearer {self.token((SCORE,))}"
            resp = self._send("POST", url, data=data, headers=headers)
        if resp.status_code not in (200, 201, 204):
            raise AgsError(f"оценка не принята ({resp.status_code} {resp.reason or ''})".strip())

    def result_of(self, lineitem_url: str, user_id: str) -> float | None:
        """The user's stored score on the line item (AGS results), None when there is none."""
        headers = {"Accept": RESULTS_TYPE, "Authorization": f"Bearer {self.token((RESULTS,))}"}
        url = _below(lineitem_url, "results")
        resp = self._send("GET", url, params={"user_id": user_id}, headers=headers)
        if resp.status_code != 200:
            raise AgsError(f"результаты не прочитаны ({resp.status_code} {resp.reason or ''})".strip())
        rows = self._json(resp, "результаты")
        for row in rows if isinstance(rows, list) else []:
            if isinstance(row, dict) and str(row.get("userId")) == user_id:
                score = row.get("resultScore")
                return float(score) if isinstance(score, int | float) else None
        return None

    def members(self, memberships_url: str) -> list[tuple[str, str]]:
        """(platform user id, e-mail) of the course's active members (Names and Roles 2.0), page by page
        (``limit``, ``Link: rel="next"``); members without an e-mail are left out."""
        headers = {"Accept": MEMBERS_TYPE, "Authorization": f"Bearer {self.token((NRPS,))}"}
        url: str | None = memberships_url
        params: dict[str, Any] | None = {"limit": 100}
        out: list[tuple[str, str]] = []
        for _ in range(MAX_MEMBER_PAGES):
            if url is None:
                break
            resp = self._send("GET", url, params=params, headers=headers)
            if resp.status_code != 200:
                raise AgsError(
                    f"участники курса не прочитаны ({resp.status_code} {resp.reason or ''})".strip()
                )
            body = self._json(resp, "участники курса")
            for m in body.get("members", []) if isinstance(body, dict) else []:
                if isinstance(m, dict) and m.get("status", "Active") == "Active" and m.get("email"):
                    out.append((str(m.get("user_id", "")), str(m["email"]).strip().lower()))
            url, params = resp.links.get("next", {}).get("url"), None
        return [(uid, email) for uid, email in out if uid]

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        self.requests_made += 1
        try:
            return self.http.request(method, url, timeout=TIMEOUT, **kwargs)
        except requests.RequestException as e:
            raise AgsError(f"платформа не ответила ({urlsplit(url).path}): {type(e).__name__}") from e

    @staticmethod
    def _json(resp: requests.Response, what: str) -> Any:
        try:
            return resp.json()
        except ValueError:
            raise AgsError(
                f"{what}: ответ платформы не JSON ({resp.status_code}): {resp.text[:200]}"
            ) from None


def _below(lineitem_url: str, leaf: str) -> str:
    """``…/lineitem?type_id=2`` → ``…/lineitem/scores?type_id=2`` (the query stays)."""
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/" + leaf))
