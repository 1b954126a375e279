"""Several simulated sites in one process (issue 12, §1): each mount point is a Moodle of its own,
reached over HTTP by the real client, with its own data, token and counters."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from werkzeug.serving import make_server

from lms_bridge.adapters.moodle.lms import MoodleLms
from lms_bridge.adapters.moodle.transport import MoodleClient
from lms_bridge.errors import LmsAuthError
from moodle_sim.multisite import SiteSpec, create_multisite_app, parse_site


@pytest.fixture
def served() -> Iterator[tuple[str, dict[str, object]]]:
    server = make_server("127.0.0.1", 0, None, threaded=True)  # type: ignore[arg-type]  # app set below
    base = f"http://127.0.0.1:{server.server_port}"
    server.app, apps = create_multisite_app(
        base, [SiteSpec("north", teachers=60, token="tn"), SiteSpec("south", teachers=150, token="ts")]
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base, dict(apps)
    server.shutdown()


def lms(url: str, token: str) -> MoodleLms:
    return MoodleLms(MoodleClient(url, SecretStr(token)), parallel=2)


def test_each_site_has_its_own_people_courses_and_token(served: tuple[str, dict[str, object]]) -> None:
    base, _ = served
    north, south = lms(f"{base}/north", "tn"), lms(f"{base}/south", "ts")
    n_email, s_email = "teacher00001@school001.north.example.ru", "teacher00001@school001.south.example.ru"
    assert len(north.find_users("email", [n_email, s_email])[n_email]) == 1
    assert north.find_users("email", [s_email]).get(s_email, []) == []
    assert len(south.find_users("email", [s_email])[s_email]) == 1
    assert north.find_course("DPP-SYN-0001") is not None
    assert north.find_course("DPP-SYN-0002") is None  # 60 teachers → 1 course; 150 → 3
    assert south.find_course("DPP-SYN-0003") is not None
    with pytest.raises(LmsAuthError):
        lms(f"{base}/north", "ts").get_site_info()


def test_each_site_counts_its_own_calls(served: tuple[str, dict[str, object]]) -> None:
    import requests

    base, _ = served
    north = lms(f"{base}/north", "tn")
    for _ in range(3):
        north.get_site_info()
    n = requests.get(f"{base}/north/sim/stats", timeout=10).json()
    s = requests.get(f"{base}/south/sim/stats", timeout=10).json()
    assert (n["requests"], s["requests"]) == (3, 0)
    assert n["concurrent_max"] == 1  # one call after another


def test_site_spec_parsing() -> None:
    assert parse_site("magn:2000:48:0.1") == SiteSpec("magn", 2000, 48.0, fault_rate=0.1)
    assert parse_site("x") == SiteSpec("x")
    with pytest.raises(ValueError, match="ИМЯ"):
        parse_site("a:1:2:3:4")
