"""One low-level ``MoodleClient.call(wsfunction, **params)`` over a ``requests.Session``.

It owns the token, the endpoint, ``moodlewsrestformat=json``, PHP-bracket flattening, timeouts, retries for
transient faults only, a rate limit, and the translation of every failure into ``lms_bridge.errors``:

* Moodle answers **HTTP 200** with ``{"exception", "errorcode", "message"}`` for its own errors; we key on
  ``errorcode`` because the exception class names changed in 4.5 (NOTES «Differences to Moodle 4.x»).
* A non-JSON body (PHP notices, an XML answer, a login page) or a 4xx is permanent: ``LmsResponseError``.
* Timeouts, connection errors, HTTP 5xx (a proxy's 502/503/504 HTML page too), 408/429 and Moodle's
  maintenance mode are transient: ``LmsUnavailable``, retried with exponential backoff and jitter.

The token is a ``SecretStr``; it is sent only in the POST body (never in a URL, so never in access logs), and
:func:`redact` scrubs it from anything we log or raise.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests
from pydantic import SecretStr

from lms_bridge.adapters.moodle.params import flatten
from lms_bridge.errors import LmsAuthError, LmsError, LmsNotFound, LmsResponseError, LmsUnavailable

log = logging.getLogger("lms_bridge.moodle")

ENDPOINT = "/webservice/rest/server.php"

AUTH_CODES = frozenset(
    {
        "invalidtoken",  # bad, empty or missing token
        "accessexception",  # function exists but is not in the token's service
        "wsusercannotassign",  # the token's user may not assign that role
        "nopermissions",  # required_capability_exception
        "requireloginerror",
        "usernotfullysetup",
        "forcepasswordchangenotice",
        "restrictedcontextexception",
        "servicerequireslogin",
        "webservicesnotenabled",
        "enablewsdescription",
    }
)
NOT_FOUND_CODES = frozenset(
    {
        "invalidrecordunknown",  # 5.1 with debug off: any missing DB record
        "invalidrecord",  # 4.x and debug DEVELOPER name the table instead
        "invaliduser",
        "invalidcourseid",
        "invalidcoursemodule",
    }
)
TRANSIENT_CODES = frozenset({"sitemaintenance"})
TRANSIENT_STATUSES = frozenset({408, 425, 429})


class _NotSent(LmsUnavailable):
    """The request never reached Moodle (connect failure): safe to retry even a non-idempotent call."""


def classify(errorcode: str) -> type[LmsError]:
    """The exception class for a Moodle ``errorcode``."""
    if errorcode in AUTH_CODES:
        return LmsAuthError
    if errorcode in NOT_FOUND_CODES:
        return LmsNotFound
    if errorcode in TRANSIENT_CODES:
        return LmsUnavailable
    return LmsResponseError


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` counts the first try; delay before retry n: base * 2**(n-1), capped, x0.5-1 jitter."""

    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 10.0

    def delay(self, retry: int, jitter: float) -> float:
        return float(min(self.max_delay, self.base_delay * 2.0 ** (retry - 1)) * (0.5 + jitter / 2))


class RateLimiter:
    """At most ``per_second`` calls per second across threads (0 = no limit)."""

    def __init__(self, per_second: float, clock: Callable[[], float], sleep: Callable[[float], None]):
        self._interval = 1.0 / per_second if per_second > 0 else 0.0
        self._clock, self._sleep = clock, sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        if not self._interval:
            return
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self._interval
        if start > now:
            self._sleep(start - now)


def endpoint_url(base_url: str) -> str:
    """``https://host/moodle`` → ``https://host/moodle/webservice/rest/server.php`` (the sub-path is kept;
    ``urljoin(base, "/webservice/...")`` would drop it)."""
    base = base_url.strip().rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise ValueError(f"Moodle URL must start with http:// or https://: {base_url!r}")
    return base + ENDPOINT


class MoodleClient:
    """Calls Moodle web-service functions. Thread-safe enough for a small pool (one Session, pooled)."""

    def __init__(
        self,
        base_url: str,
        token: SecretStr | str,
        *,
        timeout: tuple[float, float] = (5.0, 60.0),
        retry: RetryPolicy | None = None,
        max_input_vars: int = 1000,
        rate_per_s: float = 0.0,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.url = endpoint_url(base_url)
        self._token = token if isinstance(token, SecretStr) else SecretStr(token)
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.max_input_vars = max_input_vars
        self._session = session or requests.Session()
        self._sleep, self._jitter, self._clock = sleep, jitter, clock
        self._limiter = RateLimiter(rate_per_s, clock, sleep)

    def __repr__(self) -> str:
        return f"MoodleClient(url={self.url!r}, token=SecretStr('**********'))"

    def call(self, wsfunction: str, **params: Any) -> Any:
        """Call a function, retrying transient faults; returns the decoded JSON (``None`` for ``null``)."""
        return self._call(wsfunction, params, idempotent=True)

    def call_once(self, wsfunction: str, **params: Any) -> Any:
        """For calls that must not run twice (sending a message): retried only when the request
        surely never reached Moodle (connect errors), not after a read timeout or a 5xx."""
        return self._call(wsfunction, params, idempotent=False)

    # --- internals ---------------------------------------------------------------------------------

    def _call(self, wsfunction: str, params: Mapping[str, Any], *, idempotent: bool) -> Any:
        fields = [
            ("wstoken", self._token.get_secret_value()),
            ("wsfunction", wsfunction),
            ("moodlewsrestformat", "json"),
            *flatten(params),
        ]
        if len(fields) > self.max_input_vars:
            # PHP would silently drop the tail and Moodle would answer "successfully" on a cut request.
            raise LmsResponseError(
                f"{wsfunction}: {len(fields)} полей в запросе больше max_input_vars={self.max_input_vars}",
                errorcode="toomanyfields",
                wsfunction=wsfunction,
            )
        attempt = 1
        while True:
            try:
                return self._once(wsfunction, fields, attempt)
            except LmsUnavailable as e:
                if attempt >= self.retry.attempts or not (idempotent or isinstance(e, _NotSent)):
                    raise
                delay = self.retry.delay(attempt, self._jitter())
                log.warning("%s; retry %d in %.2f s", e, attempt, delay)
                self._sleep(delay)
                attempt += 1

    def _once(self, wsfunction: str, fields: list[tuple[str, str]], attempt: int) -> Any:
        self._limiter.wait()
        started = self._clock()
        try:
            response = self._session.post(self.url, data=fields, timeout=self.timeout)
        except requests.ConnectTimeout as e:
            raise self._unavailable(wsfunction, f"нет соединения (таймаут): {e}", not_sent=True) from None
        except requests.Timeout as e:
            raise self._unavailable(wsfunction, f"таймаут ответа: {e}") from None
        except requests.ConnectionError as e:
            raise self._unavailable(wsfunction, f"ошибка соединения: {e}", not_sent=True) from None
        except requests.RequestException as e:
            raise LmsResponseError(self._redact(f"{wsfunction}: {e}"), wsfunction=wsfunction) from None
        finally:
            log.debug(
                "moodle %s fields=%d attempt=%d %.1f ms",
                wsfunction,
                len(fields),
                attempt,
                (self._clock() - started) * 1000,
            )
        return self._decode(wsfunction, response)

    def _decode(self, wsfunction: str, response: requests.Response) -> Any:
        status = response.status_code
        if status >= 500 or status in TRANSIENT_STATUSES:
            raise self._unavailable(wsfunction, f"HTTP {status}{self._snippet(response)}")
        if status != 200:
            raise LmsResponseError(
                self._redact(
                    f"{wsfunction}: HTTP {status} (проверьте адрес Moodle){self._snippet(response)}"
                ),
                errorcode=f"http{status}",
                wsfunction=wsfunction,
            )
        try:
            body = json.loads(response.content)
        except ValueError:
            raise LmsResponseError(
                self._redact(f"{wsfunction}: ответ Moodle не JSON{self._snippet(response)}"),
                errorcode="notjson",
                wsfunction=wsfunction,
            ) from None
        if isinstance(body, dict) and "exception" in body and "errorcode" in body:
            code = str(body["errorcode"])
            cls = classify(code)
            message = self._redact(f"Moodle {wsfunction}: {code}: {body.get('message', '')}")
            raise cls(message, errorcode=code, wsfunction=wsfunction)
        return body

    def _unavailable(self, wsfunction: str, text: str, *, not_sent: bool = False) -> LmsUnavailable:
        cls = _NotSent if not_sent else LmsUnavailable
        return cls(self._redact(f"Moodle {wsfunction}: {text}"), wsfunction=wsfunction)

    @staticmethod
    def _snippet(response: requests.Response) -> str:
        text = response.text.strip().replace("\n", " ")
        return f": {text[:200]}" if text else ""

    def _redact(self, text: str) -> str:
        return redact(text, self._token)


def redact(text: str, token: SecretStr | str) -> str:
    """Replace the token (and any ``wstoken=...`` value) in a log line or message."""
    secret = token.get_secret_value() if isinstance(token, SecretStr) else token
    if secret:
        text = text.replace(secret, "**********")
    return _WSTOKEN.sub(r"\1**********", text)


_WSTOKEN = re.compile(r"(wstoken[=:\"' ]+)[^&\s\"',]+")


def warnings_of(body: Any) -> list[dict[str, Any]]:
    """The ``warnings[]`` list some functions return for per-row problems (not exceptions)."""
    if isinstance(body, dict):
        found = body.get("warnings") or []
        return [w for w in found if isinstance(w, dict)]
    return []


def raise_for_warnings(wsfunction: str, body: Any) -> None:
    """For calls where any warning means the command did not happen (one-row updates).

    Always ``LmsResponseError`` (errors.py: "HTTP 200 with ... warnings"), with the first warningcode."""
    found = warnings_of(body)
    if not found:
        return
    first = found[0]
    code = str(first.get("warningcode", "warning"))
    text = "; ".join(f"{w.get('warningcode')}: {w.get('message')}" for w in found)
    raise LmsResponseError(f"Moodle {wsfunction}: {text}", errorcode=code, wsfunction=wsfunction)
