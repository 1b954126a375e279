"""Enrolment through MoodleLms over real HTTP against the Moodle simulator (moodle_sim) on 127.0.0.1.

For N rows with k bad rows (unknown users) prints: wire calls, rows sent, the simulator's modelled server
time (NOTES timings: 33 ms a call + 11.8 ms a row) and our wall time. Asserts nothing.

    python benchmarks/moodle_enrol.py                 # N in 200, 1000, 5000; k in 0, 1, 10
    python benchmarks/moodle_enrol.py 1000 5          # one case
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from lms_bridge.adapters.moodle.lms import MoodleLms  # noqa: E402
from lms_bridge.adapters.moodle.transport import MoodleClient  # noqa: E402
from lms_bridge.ports import Enrolment  # noqa: E402
from moodle_sim import SimConfig, SimState, create_sim_app  # noqa: E402
from moodle_sim.seed import add_final_course, seed_staff  # noqa: E402
from moodle_sim.state import User  # noqa: E402

TOKEN = "bench-token"


def run(n: int, bad: int, max_input_vars: int = 1000) -> None:
    state = SimState()
    seed_staff(state)
    course = add_final_course(state, "BENCH-01", "Бенчмарк", "BENCH-01")
    users = [
        state.add_user(User(state.new_id("user"), f"u{i}", "Имя", f"Ф{i}", f"u{i}@x.ru")) for i in range(n)
    ]
    config = SimConfig(
        token=TOKEN, latency_ms=33.0, per_row_ms=11.8, max_input_vars=max_input_vars, sleep=lambda _s: None
    )
    server = make_server("127.0.0.1", 0, create_sim_app(config, state), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        lms = MoodleLms(MoodleClient(base, TOKEN, max_input_vars=max_input_vars), parallel=4)
        rows = [Enrolment(u.id, course.id) for u in users]
        step = max(1, n // (bad + 1))
        for i in range(bad):
            rows.insert((i + 1) * step, Enrolment(900000 + i, course.id))
        started = time.perf_counter()
        failures = lms.enrol(rows)
        wall = time.perf_counter() - started
        stats = requests.get(base + "/sim/stats", timeout=10).json()
        calls = stats["calls_by_function"].get("enrol_manual_enrol_users", 0)
        sent = stats["rows_by_function"].get("enrol_manual_enrol_users", 0)
        busy = stats["busy_ms_by_function"].get("enrol_manual_enrol_users", 0.0) / 1000
        print(
            f"rows={len(rows):5d} bad={bad:3d} failures={len(failures):3d} calls={calls:4d} "
            f"rows_sent={sent:6d} modelled_server_s={busy:7.1f} wall_s={wall:6.2f}"
        )
    finally:
        server.shutdown()
        thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("rows", type=int, nargs="?", help="good rows to enrol (default: 200, 1000, 5000)")
    parser.add_argument("bad", type=int, nargs="?", help="unknown-user rows added (default: 0, 1, 10)")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    if args.rows is not None:
        run(args.rows, args.bad or 0)
        return
    for n in (200, 1000, 5000):
        for bad in (0, 1, 10):
            run(n, bad)


if __name__ == "__main__":
    main()
