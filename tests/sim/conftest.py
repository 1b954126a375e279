"""Replaying real Moodle 5.1 recordings against the simulator.

The recorded bodies are in ``tests/fixtures/moodle`` (what each holds: its ``NOTES.md``).
The simulator is seeded with the lab's entities (``seed_lab``) and a settable clock, so most answers are
compared exactly; a case may name volatile keys that are ignored wherever they occur.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient

from moodle_sim import SimConfig, SimState, create_sim_app
from moodle_sim.lab import seed_lab

RECORDINGS = Path(__file__).resolve().parents[1] / "fixtures" / "moodle"
LAB_URL = "http://127.0.0.1:8080"


def recording(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((RECORDINGS / f"{name}.json").read_text(encoding="utf-8"))
    return data


def _strip(value: Any, ignore: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v, ignore) for k, v in value.items() if k not in ignore}
    if isinstance(value, list):
        return [_strip(v, ignore) for v in value]
    return value


@dataclass
class Lab:
    """The simulator seeded like the recorded lab, with a clock the test sets."""

    now: int = 1795374600
    sleeps: list[float] = field(default_factory=list)
    state: SimState = field(default_factory=SimState)

    def __post_init__(self) -> None:
        seed_lab(self.state)
        self.state.clock = lambda: self.now
        config = SimConfig(token="REDACTED", site_url=LAB_URL, sleep=self.sleeps.append)
        self.client: FlaskClient = create_sim_app(config, self.state).test_client()

    def send(self, rec: dict[str, Any]) -> Any:
        path = rec.get("path", "/webservice/rest/server.php")
        query = urlencode(rec.get("query", {}))
        url = f"{path}?{query}" if query else path
        if rec.get("method") == "GET":
            return self.client.get(url, query_string=rec["request"])
        if "request_body" in rec:
            return self.client.post(url, data=rec["request_body"], content_type=rec["request_content_type"])
        return self.client.post(url, data=rec["request"])

    def call(self, wsfunction: str, **params: str) -> Any:
        form = {"wstoken": "REDACTED", "wsfunction": wsfunction, "moodlewsrestformat": "json", **params}
        resp = self.client.post("/webservice/rest/server.php", data=form)
        assert resp.status_code == 200
        return json.loads(resp.data)

    def replay(self, name: str, *, at: int | None = None, ignore: Iterable[str] = ()) -> Any:
        """POST the recorded request and assert the simulator answers what Moodle answered."""
        if at is not None:
            self.now = at
        rec = recording(name)
        resp = self.send(rec)
        assert resp.status_code == rec["http_status"], name
        assert resp.content_type == rec["content_type"], name
        expected = rec["response"]
        if isinstance(expected, dict) and set(expected) == {"raw"}:
            assert resp.data.decode("utf-8") == expected["raw"], name
            return resp.data.decode("utf-8")
        got = json.loads(resp.data)
        drop = frozenset(ignore)
        assert _strip(got, drop) == _strip(expected, drop), name
        return got


@pytest.fixture
def lab() -> Lab:
    return Lab()
