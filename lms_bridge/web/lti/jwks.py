"""Platform public keys (JWKS), fetched with requests and cached per URL.

A key is looked up by the ``kid`` in the id_token header. On an unknown kid the set is fetched
again (the platform may have rotated its key), but at most once every ``refetch_seconds`` per
platform: otherwise every forged token with a made-up kid would make the tool call the platform
(issue 10, item 7). A kid still unknown is refused.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import jwt
import requests

from lms_bridge.errors import LaunchError

_TIMEOUT = 10.0


class JwksCache:
    def __init__(
        self,
        session: requests.Session | None = None,
        ttl_seconds: float = 3600.0,
        refetch_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._session = session or requests.Session()
        self._ttl = ttl_seconds
        self._refetch = refetch_seconds
        self._clock = clock
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
            self._sets[url] = (self._clock(), by_kid)
        return by_kid

    def _keys(self, url: str, kid: str) -> dict[str, Any]:
        """The cached set when it is fresh and knows ``kid``, or when it was fetched too recently to
        fetch again; else a new fetch (first use, expired, or a rotated key)."""
        with self._lock:
            entry = self._sets.get(url)
        if entry is None:
            return self._fetch(url)
        age = self._clock() - entry[0]
        if age > self._ttl or (kid not in entry[1] and age >= self._refetch):
            return self._fetch(url)
        return entry[1]

    def key(self, url: str, kid: str | None) -> Any:
        """The verification key for ``kid`` (a cryptography public key object)."""
        if not kid:
            raise LaunchError("в заголовке id_token нет kid")
        jwk = self._keys(url, kid).get(kid)
        if jwk is None:
            raise LaunchError("ключ подписи id_token неизвестен платформе")
        try:
            return jwt.PyJWK(jwk).key
        except jwt.PyJWTError as e:
            raise LaunchError(f"ключ платформы не читается: {e}") from e
