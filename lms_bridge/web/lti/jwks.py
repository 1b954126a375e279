"""Platform public keys (JWKS), fetched with requests and cached per URL.

A key is looked up by the ``kid`` in the id_token header. On an unknown kid the set is fetched
again once (the platform may have rotated its key); a kid still unknown after that is refused.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import jwt
import requests

from lms_bridge.errors import LaunchError

_TIMEOUT = 10.0


class JwksCache:
    def __init__(self, session: requests.Session | None = None, ttl_seconds: float = 3600.0):
        self._session = session or requests.Session()
        self._ttl = ttl_seconds
        self._lock = threading.Lock()
        self._sets: dict[str, tuple[float, dict[str, Any]]] = {}  # url -> (fetched at, kid -> jwk)

    def _fetch(self, url: str) -> dict[str, Any]:
        try:
            resp = self._session.get(url, timeout=_TIMEOUT)
            resp.raise_for_status()
            keys = resp.json()["keys"]
        except (requests.RequestException, ValueError, KeyError, TypeError) as e:
            raise LaunchError(f"не удалось получить ключи платформы ({url}): {type(e).__name__}") from e
        by_kid = {k["kid"]: k for k in keys if isinstance(k, dict) and "kid" in k}
        with self._lock:
            self._sets[url] = (time.monotonic(), by_kid)
        return by_kid

    def _cached(self, url: str) -> dict[str, Any] | None:
        with self._lock:
            entry = self._sets.get(url)
        if entry is None or time.monotonic() - entry[0] > self._ttl:
            return None
        return entry[1]

    def key(self, url: str, kid: str | None) -> Any:
        """The verification key for ``kid`` (a cryptography public key object)."""
        if not kid:
            raise LaunchError("в заголовке id_token нет kid")
        keys = self._cached(url)
        if keys is None or kid not in keys:
            keys = self._fetch(url)  # first use, expired, or rotated: fetch once more
        jwk = keys.get(kid)
        if jwk is None:
            raise LaunchError("ключ подписи id_token неизвестен платформе")
        try:
            return jwt.PyJWK(jwk).key
        except jwt.PyJWTError as e:
            raise LaunchError(f"ключ платформы не читается: {e}") from e
