"""Seeding (examples, synthetic) and the ``lms-bridge sim`` command serving real HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from course_map.loading import load_course_map
from course_map.models import EntryKind
from moodle_sim import SimConfig, SimState, create_sim_app
from moodle_sim.seed import seed_examples, seed_synthetic, synthetic_teachers

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def test_examples_give_one_user_per_teacher_and_one_course_per_course_row() -> None:
    state = SimState()
    counts = seed_examples(state, EXAMPLES)
    entries = load_course_map((EXAMPLES / "course_map.csv").read_bytes(), "course_map.csv")
    courses = [e for e in entries if e.kind is EntryKind.COURSE]
    assert counts["courses"] == len(courses)
    by_idnumber = {c.idnumber: c for c in state.courses.values()}
    for entry in courses:
        course = by_idnumber[entry.lms_course]
        final = [a for a in state.activities.values() if a.course_id == course.id]
        assert [a.name for a in final] == ["Итоговая аттестация"]
        assert final[0].gradepass == (entry.pass_grade or 60.0)
    first_teacher = (EXAMPLES / "diagnostics.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[0]
    user = next(u for u in state.users.values() if u.email == first_teacher)
    assert user.username == first_teacher.lower()
    assert counts["teachers"] >= 1
    assert counts["staff"] >= 1


def test_examples_site_answers_the_bridge_lookups() -> None:
    state = SimState()
    seed_examples(state, EXAMPLES)
    client = create_sim_app(SimConfig(), state).test_client()
    resp = client.post(
        "/webservice/rest/server.php",
        data={
            "wstoken": "sim-token",
            "wsfunction": "core_course_get_courses_by_field",
            "moodlewsrestformat": "json",
            "field": "idnumber",
            "value": "DPP-MET-01",
        },
    )
    assert [c["idnumber"] for c in resp.get_json()["courses"]] == ["DPP-MET-01"]


def test_synthetic_seed_is_deterministic_and_proportional() -> None:
    assert synthetic_teachers(50, 3) == synthetic_teachers(50, 3)
    assert synthetic_teachers(50, 3) != synthetic_teachers(50, 4)
    state = SimState()
    counts = seed_synthetic(state, 30_000, 1)
    assert counts["courses"] == 600
    assert len(state.users) == 30_000 + 4  # admin + 3 staff
    assert len({u.email for u in state.users.values()}) == len(state.users)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_cli_serves_the_simulator_over_http() -> None:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "lms_bridge", "sim", "--seed", "lab", "--port", str(port), "--token", "t0k"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/webservice/rest/server.php"
        deadline = time.monotonic() + 20
        while True:  # wait until the server accepts connections
            try:
                resp = requests.post(
                    url,
                    data={
                        "wstoken": "t0k",
                        "wsfunction": "core_webservice_get_site_info",
                        "moodlewsrestformat": "json",
                    },
                    timeout=5,
                )
                break
            except requests.ConnectionError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "simulator did not start"
                time.sleep(0.1)
        assert resp.json()["release"] == "5.1+ (Build: 20251017)"
        assert resp.json()["siteurl"] == f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert f"LMS_BRIDGE_MOODLE_URL=http://127.0.0.1:{port}" in out
    assert "LMS_BRIDGE_MOODLE_TOKEN=t0k" in out
