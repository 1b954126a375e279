"""The tool's own RSA key pair: generation (``lms-bridge lti keygen``) and its public JWKS."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from lms_bridge.config import Settings
from lms_bridge.errors import ConfigError


def generate_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def write_private_key(path: Path, *, force: bool = False) -> None:
    if path.exists() and not force:
        raise ConfigError(f"файл ключа {path} уже есть; --force чтобы заменить")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(generate_pem())


def load_private_pem(settings: Settings) -> bytes | None:
    """The PEM from ``LMS_BRIDGE_LTI_PRIVATE_KEY``, else from the file at ``lti_private_key_path``."""
    pem = settings.lti_private_key.get_secret_value()
    if pem:
        return pem.encode()
    path = Path(settings.lti_private_key_path)
    return path.read_bytes() if path.is_file() else None


def public_jwks(pem: bytes | None) -> dict[str, Any]:
    if pem is None:
        return {"keys": []}
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as e:
        raise ConfigError("закрытый ключ LTI не читается (ожидается PEM без пароля)") from e
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigError("закрытый ключ LTI должен быть RSA")
    jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    thumb = json.dumps({k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"), sort_keys=True)
    jwk.update(kid=hashlib.sha256(thumb.encode()).hexdigest()[:20], alg="RS256", use="sig")
    return {"keys": [jwk]}
