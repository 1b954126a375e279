"""The Moodle simulator's own speed on a benchmark-sized site, with the cost model off.

Seeds N synthetic teachers (default 30 000, 600 courses), enrols each in 2 random courses, then times the
calls the bridge makes in bulk (Flask test client, no network). These are the simulator's overheads, to be
sure it is never the bottleneck next to the modelled server time. Prints figures, asserts nothing.

    python benchmarks/sim_throughput.py            # 30 000 teachers
    python benchmarks/sim_throughput.py 5000
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from moodle_sim import SimConfig, SimState, create_sim_app  # noqa: E402
from moodle_sim.seed import seed_synthetic  # noqa: E402
from moodle_sim.state import STUDENT, Enrolment  # noqa: E402


def main(teachers: int) -> None:
    started = time.perf_counter()
    state = SimState()
    counts = seed_synthetic(state, teachers, random_seed=1)
    courses = sorted(state.courses)
    users = [u for u in state.users if u > 5]
    rng = random.Random(1)
    for user in users:
        for course in rng.sample(courses, 2):
            state.enrolments[(course, user)] = Enrolment(user, course, {STUDENT})
    print(
        f"seed: {counts['teachers']} teachers, {counts['courses']} courses, "
        f"{len(state.enrolments)} enrolments in {time.perf_counter() - started:.2f} s"
    )
    client = create_sim_app(SimConfig(), state).test_client()

    def timed(label: str, wsfunction: str, params: dict[str, Any], repeat: int = 5) -> None:
        form = {"wstoken": "sim-token", "wsfunction": wsfunction, "moodlewsrestformat": "json", **params}
        runs = []
        for _ in range(repeat):
            t = time.perf_counter()
            resp = client.post("/webservice/rest/server.php", data=form)
            runs.append((time.perf_counter() - t) * 1000)
            if resp.status_code != 200:
                raise SystemExit(f"{wsfunction}: HTTP {resp.status_code}")
        print(f"{label:<45} median {statistics.median(runs):7.1f} ms  ({len(resp.data) / 1024:.0f} kB)")

    course = courses[0]
    per_course = len(state.enrolments.by_course.get(course, ()))
    timed(
        f"core_enrol_get_enrolled_users ({per_course} users)",
        "core_enrol_get_enrolled_users",
        {"courseid": str(course)},
    )
    timed(
        f"gradereport userid=0 ({per_course} users)",
        "gradereport_user_get_grade_items",
        {"courseid": str(course), "userid": "0"},
    )
    emails = {f"values[{i}]": state.users[users[i]].email for i in range(200)}
    timed(
        "core_user_get_users_by_field (200 emails)",
        "core_user_get_users_by_field",
        {"field": "email", **emails},
    )
    rows: dict[str, str] = {}
    for i, user in enumerate(users[:200]):
        rows |= {
            f"enrolments[{i}][roleid]": "5",
            f"enrolments[{i}][userid]": str(user),
            f"enrolments[{i}][courseid]": str(courses[5]),
        }
    timed("enrol_manual_enrol_users (200 rows)", "enrol_manual_enrol_users", rows)
    timed(
        "core_enrol_get_users_courses (one user)", "core_enrol_get_users_courses", {"userid": str(users[0])}
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("teachers", type=int, nargs="?", default=30_000, help="synthetic teachers to seed")
    main(parser.parse_args().teachers)
