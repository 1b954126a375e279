"""`lms-bridge lti registration-url | platforms | remove-platform`, run as an administrator runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from lms_bridge.ports import Platform
from lms_bridge.storage.launch_store import SqlLaunchStore
from lms_bridge.storage.store import make_engine

ROOT = Path(__file__).resolve().parents[2]
MOODLE = "https://sdo.example.ru"


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lms_bridge", *args], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def env(db_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "LMS_BRIDGE_DATABASE_URL": db_url,
        "LMS_BRIDGE_PUBLIC_URL": "https://iom.example.ru",
    }


def _platform(client_id: str) -> Platform:
    return Platform(MOODLE, client_id, ("1",), MOODLE + "/mod/lti/auth.php", MOODLE + "/mod/lti/certs.php")


def test_registration_url_prints_a_one_time_code(env: dict[str, str], db_url: str) -> None:
    done = _run(env, "lti", "registration-url", "--valid-minutes", "30")
    assert done.returncode == 0, done.stderr
    url = urlsplit(done.stdout.strip())
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://iom.example.ru/lti/register"
    code = parse_qs(url.query)["code"][0]
    assert "Add LTI Advantage" in done.stderr
    found = SqlLaunchStore(make_engine(db_url)).find_registration_code(code)
    assert found is not None
    assert found.used_at is None
    refused = _run(env, "lti", "registration-url", "--valid-minutes", "0")
    assert refused.returncode == 2
    assert "--valid-minutes" in refused.stderr


def test_platforms_are_listed_and_removed(env: dict[str, str], db_url: str) -> None:
    launches = SqlLaunchStore(make_engine(db_url))
    launches.add_platform(_platform("first"))
    launches.add_platform(_platform("second"))
    listed = json.loads(_run(env, "lti", "platforms", "--json").stdout)
    assert [(p["issuer"], p["client_id"], p["deployment_ids"], p["source"]) for p in listed] == [
        (MOODLE, "first", ["1"], "база"),
        (MOODLE, "second", ["1"], "база"),
    ]
    assert f"{MOODLE}\tsecond\t1\tникто (область не задана)\t(база)" in _run(env, "lti", "platforms").stdout

    removed = _run(env, "lti", "remove-platform", MOODLE + "/", "--client-id", "first")
    assert removed.returncode == 0, removed.stderr
    assert [p.client_id for p in launches.list_platforms()] == ["second"]
    missing = _run(env, "lti", "remove-platform", "https://other.example.ru")
    assert missing.returncode == 1
    assert "Ошибка: платформа https://other.example.ru не найдена" in missing.stderr
    assert _run(env, "lti", "remove-platform", MOODLE).returncode == 0
    assert launches.list_platforms() == []
    assert "платформ нет" in _run(env, "lti", "platforms").stdout


def test_registration_url_for_the_region_and_the_grade_service_status(
    env: dict[str, str], db_url: str, tmp_path: Path
) -> None:
    done = _run(env, "lti", "registration-url", "--region")
    assert done.returncode == 0, done.stderr
    assert "весь регион" in done.stderr
    code = parse_qs(urlsplit(done.stdout.strip()).query)["code"][0]
    launches = SqlLaunchStore(make_engine(db_url))
    found = launches.find_registration_code(code)
    assert found is not None
    assert found.scope.region
    assert "не будет говорить ни за кого" in _run(env, "lti", "registration-url").stderr
    score = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
    launches.add_platform(replace(_platform("graded"), services=(score,)))
    launches.add_platform(replace(_platform("ungraded"), services=()))
    out = _run(env, "lti", "platforms").stdout
    assert "журнал оценок (AGS): выдан, линий оценок «Мой маршрут»: 0" in out
    assert "журнал оценок (AGS): не выдан — прохождение ИОМ не передаётся" in out
    # the progress job runs without the web-service settings and sends nothing where nothing is known
    progress = _run({**env, "LMS_BRIDGE_SYNC_LOCK_FILE": str(tmp_path / "sync.lock")}, "sync", "progress")
    assert progress.returncode == 0, progress.stderr
