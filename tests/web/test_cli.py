"""`lms-bridge lti …` and `lms-bridge serve`, run as a user runs them (a subprocess)."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lms_bridge.storage.launch_store import SqlLaunchStore
from lms_bridge.storage.store import make_engine

ROOT = Path(__file__).resolve().parents[2]


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lms_bridge", *args], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def env(db_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "LMS_BRIDGE_DATABASE_URL": db_url,
        "LMS_BRIDGE_PUBLIC_URL": "https://iom.example.ru",
        "LMS_BRIDGE_LTI_PRIVATE_KEY_PATH": str(tmp_path / "keys" / "tool.pem"),
    }


def test_keygen_config_add_platform_and_head(env: dict[str, str], db_url: str, tmp_path: Path) -> None:
    done = _run(env, "lti", "keygen")
    assert done.returncode == 0, done.stderr
    key = tmp_path / "keys" / "tool.pem"
    assert key.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert key.stat().st_mode & 0o077 == 0
    again = _run(env, "lti", "keygen")
    assert again.returncode == 1
    assert "уже есть" in again.stderr

    out = _run(env, "lti", "config").stdout
    for line in (
        "Tool URL                          https://iom.example.ru/lti/launch",
        "LTI version                       LTI 1.3",
        "Public key type                   Keyset URL",
        "Public keyset URL                 https://iom.example.ru/lti/jwks",
        "Initiate login URL                https://iom.example.ru/lti/login",
        "Redirection URI(s)                https://iom.example.ru/lti/launch",
    ):
        assert line in out

    added = _run(
        env,
        "lti",
        "add-platform",
        "--issuer",
        "https://sdo.example.ru/",
        "--client-id",
        "abc",
        "--deployment-id",
        "7",
    )
    assert added.returncode == 0, added.stderr
    head = _run(
        env, "lti", "add-head", "--email", "Head@School.ru", "--name", "Петрова А.А.", "--school", "СОШ 1"
    )
    assert head.returncode == 0, head.stderr
    launches = SqlLaunchStore(make_engine(db_url))
    [platform] = launches.list_platforms()
    assert (platform.issuer, platform.client_id, platform.deployment_ids) == (
        "https://sdo.example.ru",
        "abc",
        ("7",),
    )
    assert platform.jwks_url == "https://sdo.example.ru/mod/lti/certs.php"
    found = launches.find_head("head@school.ru")
    assert found is not None
    assert found.school == "СОШ 1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_serve_answers_healthz(env: dict[str, str]) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "lms_bridge", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline and status is None:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                resp = conn.getresponse()
                status, body = resp.status, resp.read()
                conn.close()
            except OSError:
                time.sleep(0.2)  # not up yet: poll again
        assert status == 200
        assert body == b"ok"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
