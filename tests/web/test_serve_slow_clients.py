"""`lms-bridge serve` holds against slow clients (issue 10, item 5): the attack, reproduced on loopback.

Outcomes only, no timing thresholds: a stalled connection must not keep a concurrent request from
being answered, and the server itself ends stalled reads (408, or closing the connection). Socket
timeouts are generous (they only stop a broken test from hanging). Latency is measured by
``benchmarks/slow_clients.py``.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lms_bridge.storage.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
WAIT = 30.0  # generous: a CI machine under load


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """One gevent worker, reads bounded at 1 s (so the server's own limits show within the test)."""
    tmp_path = tmp_path_factory.mktemp("serve")
    db_url = f"sqlite:///{tmp_path / 'registry.sqlite3'}"
    upgrade(db_url)
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "LMS_BRIDGE_DATABASE_URL": db_url,
        "LMS_BRIDGE_LTI_PRIVATE_KEY_PATH": str(tmp_path / "tool.pem"),
    }
    command = [sys.executable, "-m", "lms_bridge", "serve", "--port", str(port), "--workers", "1"]
    command += ["--header-timeout", "1", "--body-timeout", "1"]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + WAIT
        while True:
            try:
                _get(port, "/healthz")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)  # not up yet: poll again
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=WAIT)


def _stalled(port: int, head: bytes) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    s.sendall(head)
    return s


def _until_closed(s: socket.socket) -> bytes:
    out = b""
    while chunk := s.recv(4096):
        out += chunk
    return out


PROMISED_BODY = (
    b"POST /lti/launch HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    b"Content-Length: 5000\r\n\r\nid_token="
)
SLOW_HEADERS = b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: a"


def test_stalled_connections_do_not_block_a_concurrent_request(port: int) -> None:
    # One worker: under the former gthread model each of these held a thread until the client left.
    held = [_stalled(port, PROMISED_BODY if i % 2 else SLOW_HEADERS) for i in range(10)]
    try:
        assert _get(port, "/healthz") == (200, b"ok")
    finally:
        for s in held:
            s.close()


def test_a_promised_body_that_never_comes_gets_408_in_russian(port: int) -> None:
    with _stalled(port, PROMISED_BODY) as s:
        answer = _until_closed(s).decode()
    assert answer.startswith("HTTP/1.1 408 ")
    assert "Тело запроса не получено за 1 с" in answer


def test_headers_that_never_end_are_cut_off(port: int) -> None:
    with _stalled(port, SLOW_HEADERS) as s:
        assert _until_closed(s) == b""  # closed by the server, no request was ever handled
