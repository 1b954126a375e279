"""Sync benchmark: the attach, enrol and results jobs through the real ``MoodleLms`` against the Moodle
simulator (``moodle_sim``, served in a subprocess on 127.0.0.1), at N teachers with 3 courses each
(30,000 teachers → 600 courses, 90,000 enrolments). Prints WS calls, wall seconds and peak RSS per step;
asserts nothing.

Each step runs in a fresh subprocess, so its peak RSS is its own. Steps: attach (card links; plans off
unless --plans), enrol, results (full: after grading ~70 % pass / 20 % below / 10 % ungraded), results
(nothing changed). Targets: results ≤ 2 calls per course with pending items; full results of 90,000
enrolments < 30 s and < 500 MB; nothing-changed run < 10 s.

Then a realistic-cost run (48 ms per call + 8.5 ms per grade-report row, the lab's figures) compares the
wall time with the simulator's busy time / parallelism (GET /sim/stats).

    python benchmarks/sync.py                    # 1,000, 10,000, 30,000 at 20 ms/call + realistic at 10,000
    python benchmarks/sync.py 1000 --realistic 0 # one size, no realistic run
    python benchmarks/sync.py --json   # {"30000": {"attach": {"calls", "seconds", "peak_rss_mb"}, ...}, ...}
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = (1_000, 10_000, 30_000)
COURSES_PER_TEACHER = 3
PARALLEL = 4
TOKEN = "sim-token"
RANDOM_SEED = 1
STEPS = ("attach", "enrol", "results", "results-again")
STEP_TITLES = {
    "attach": "attach",
    "enrol": "enrol",
    "results": "results (full)",
    "results-again": "results (nothing changed)",
}


# --- the simulator subprocess -------------------------------------------------------------------------
def serve(teachers: int, latency_ms: float, per_row_ms: float, port: int) -> None:
    """Run the simulator with a benchmark-only endpoint that grades every enrolled student at no cost."""
    from flask import Blueprint, jsonify

    from moodle_sim.app import create_sim_app, sim_context
    from moodle_sim.costs import SimConfig
    from moodle_sim.seed import seed_synthetic
    from moodle_sim.state import SimState

    state = SimState()
    seed_synthetic(state, teachers, RANDOM_SEED)
    bench = Blueprint("bench", __name__)

    @bench.post("/bench/grade-all")
    def grade_all() -> Any:
        ctx = sim_context()
        graded = 0
        with ctx.state.lock:
            finals = {c: ctx.state.course_activities(c) for c in ctx.state.courses}
            for (course_id, user_id), _ in sorted(ctx.state.enrolments.items()):
                bucket = (user_id + course_id) % 10
                if not finals.get(course_id) or bucket == 9:
                    continue  # not graded yet
                raw = 60 + (user_id * 7) % 41 if bucket < 7 else 30 + (user_id * 3) % 30
                ctx.state.set_grade(finals[course_id][0], user_id, float(raw))
                graded += 1
        return jsonify({"graded": graded})

    url = f"http://127.0.0.1:{port}"
    config = SimConfig(token=TOKEN, site_url=url, latency_ms=latency_ms, per_row_ms=per_row_ms)
    app = create_sim_app(config, state, blueprints=[bench])
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app.run(host="127.0.0.1", port=port, threaded=True, use_reloader=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http(url: str, method: str = "GET") -> dict[str, Any]:
    req = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=600) as r:
        data: dict[str, Any] = json.loads(r.read() or b"{}")
        return data


def start_sim(teachers: int, latency_ms: float, per_row_ms: float) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    args = [sys.executable, __file__, "--serve", str(teachers), str(latency_ms), str(per_row_ms), str(port)]
    proc = subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )  # keep --json clean
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            http(f"{url}/sim/stats")
            return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the simulator did not start")


# --- the registry ---------------------------------------------------------------------------------------
def seed_registry(db_url: str, teachers: int) -> None:
    from course_map.models import CourseEntry
    from lms_bridge.domain.diagnostics import Diagnostic
    from lms_bridge.domain.people import Actor, Teacher
    from lms_bridge.domain.route import Activity, Route
    from lms_bridge.domain.vocabulary import ActivityCategory, Block, DiagnosticKind, Level, Role, RouteStatus
    from lms_bridge.storage.migrate import upgrade
    from lms_bridge.storage.store import make_engine
    from lms_bridge.storage.sync_store import SqlSyncStore
    from moodle_sim.seed import synthetic_course_count, synthetic_teachers

    upgrade(db_url)
    store = SqlSyncStore(make_engine(db_url))
    courses = synthetic_course_count(teachers)
    refs = [f"DPP-SYN-{i:04d}" for i in range(1, courses + 1)]
    admin = Actor(Role.ADMIN, "benchmark")
    store.replace_course_map(
        [CourseEntry(r, f"Синтетический курс {r}", hours=36, pass_grade=60) for r in refs], admin
    )
    curators = ["ivan.petrov@example.com", "maria.sidorova@example.com", "aleksey.kuznetsov@example.com"]
    people = synthetic_teachers(teachers, RANDOM_SEED)
    rows, routes = [], []
    for n, p in enumerate(people, start=1):
        t = Teacher(p.email.lower(), p.last_name, p.first_name, school=f"Школа № {n % 997}")
        d = Diagnostic(
            t.email, DiagnosticKind.STANDARDIZED, date(2026, 9, 15), {Block.SUBJECT: Level.LOW}, ("П1.1",)
        )
        rows.append((t, d))
        acts = tuple(
            Activity(
                key=str(k + 1),
                category=ActivityCategory.KNOWLEDGE,
                title=f"Курс {refs[(n + k) % courses]}",
                start=date(2026, 10, 5),
                end=date(2026, 12, 25),
                lms_course=refs[(n + k) % courses],
                head_confirmed_by="Руководитель",
                centre_confirmed_by="ЦНППМ",
            )
            for k in range(COURSES_PER_TEACHER)
        )
        routes.append(
            Route(
                number=f"74-2026-{n:06d}",
                teacher=t,
                diagnostic=d,
                status=RouteStatus.APPROVED,
                curator_email=curators[n % 3],
                activities=acts,
            )
        )
    store.save_diagnostics(rows)
    store.add_routes(routes, admin)
    store.engine.dispose()


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child would
    report its parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- one measured step (in its own process) ---------------------------------------------------------------
def step(name: str, db_url: str, sim_url: str, plans: bool) -> None:
    from pydantic import SecretStr

    from lms_bridge.bootstrap import build_lms
    from lms_bridge.config import Settings
    from lms_bridge.services.sync_attach import sync_attach
    from lms_bridge.services.sync_common import SyncOptions
    from lms_bridge.services.sync_enrol import sync_enrol
    from lms_bridge.services.sync_results import sync_results
    from lms_bridge.storage.store import make_engine
    from lms_bridge.storage.sync_store import SqlSyncStore

    settings = Settings(moodle_url=sim_url, moodle_token=SecretStr(TOKEN), moodle_parallel=PARALLEL)
    lms = build_lms(settings)
    store = SqlSyncStore(make_engine(db_url))
    options = SyncOptions(parallel=PARALLEL, plans=plans)
    job = {
        "attach": sync_attach,
        "enrol": sync_enrol,
        "results": sync_results,
        "results-again": sync_results,
    }[name]
    t0 = time.perf_counter()
    report = job(lms, store, now=datetime(2026, 12, 1, 10, 0), options=options)
    seconds = time.perf_counter() - t0
    peak = peak_rss_mb()
    counts = {k: v for k, v in report.counts.items() if v}
    print(
        json.dumps(
            {"seconds": seconds, "peak_rss_mb": peak, "counts": counts, "problems": len(report.problems)}
        )
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (the simulator's own work, beside its simulated cost)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(name: str, db_url: str, sim_url: str, plans: bool, sim_pid: int) -> dict[str, Any]:
    http(f"{sim_url}/sim/reset-stats", "POST")
    cpu = cpu_seconds(sim_pid)
    out = subprocess.run(
        [sys.executable, __file__, "--step", name, db_url, sim_url, "1" if plans else "0"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    stats = http(f"{sim_url}/sim/stats")
    result["calls"] = stats["calls"]
    result["busy_s"] = stats["busy_ms"] / 1000
    result["calls_by_function"] = stats["calls_by_function"]
    result["sim_cpu_s"] = cpu_seconds(sim_pid) - cpu
    return result


def run_size(teachers: int, latency_ms: float, per_row_ms: float, plans: bool, quiet: bool) -> dict[str, Any]:
    proc, sim_url = start_sim(teachers, latency_ms, per_row_ms)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db_url = f"sqlite:///{tmp}/sync-bench.sqlite3"
            t0 = time.perf_counter()
            seed_registry(db_url, teachers)
            if not quiet:
                print(f"  [{teachers}] registry seeded in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
            out: dict[str, Any] = {}
            for name in STEPS:
                if name == "results":
                    http(f"{sim_url}/bench/grade-all", "POST")
                out[name] = measure(name, db_url, sim_url, plans, proc.pid)
                if not quiet:
                    r = out[name]
                    print(
                        f"  [{teachers}] {STEP_TITLES[name]}: {r['calls']} calls, {r['seconds']:.1f} s, "
                        f"{r['peak_rss_mb']:.0f} MB, simulator CPU {r['sim_cpu_s']:.1f} s, {r['counts']}",
                        file=sys.stderr,
                    )
            return out
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def print_table(title: str, results: dict[int, dict[str, Any]], realistic: bool = False) -> None:
    print(title)
    head = f"{'teachers':>9} {'step':<26} {'WS calls':>9} {'wall s':>8} {'peak RSS MB':>12}"
    if realistic:
        head += f" {'sim busy s':>11} {'busy/' + str(PARALLEL) + ' s':>9} {'wall/(busy/p)':>14}"
    print(head)
    for teachers, steps in results.items():
        for name, r in steps.items():
            line = f"{teachers:>9} {STEP_TITLES[name]:<26} {r['calls']:>9} {r['seconds']:>8.1f}"
            line += f" {r['peak_rss_mb']:>12.0f}"
            if realistic:
                ideal = r["busy_s"] / PARALLEL
                ratio = r["seconds"] / ideal if ideal else 0.0
                line += f" {r['busy_s']:>11.1f} {ideal:>9.1f} {ratio:>14.2f}"
            print(line)
    print()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", nargs="*", type=int, default=list(SIZES))
    ap.add_argument("--json", action="store_true", help="one JSON object keyed by teacher count and step")
    ap.add_argument(
        "--realistic", type=int, default=10_000, help="teachers for the 48 ms + 8.5 ms/row run (0: skip)"
    )
    ap.add_argument(
        "--plans", action="store_true", help="attach also makes learning plans (several calls per route)"
    )
    args = ap.parse_args()
    quiet = args.json
    fast = {n: run_size(n, 20.0, 0.0, args.plans, quiet) for n in args.sizes}
    real = {args.realistic: run_size(args.realistic, 48.0, 8.5, args.plans, quiet)} if args.realistic else {}
    if args.json:
        keep = ("calls", "seconds", "peak_rss_mb")
        doc: dict[str, Any] = {
            str(n): {s: {k: r[k] for k in keep} for s, r in steps.items()} for n, steps in fast.items()
        }
        if real:
            doc["realistic"] = {
                str(n): {s: {k: r[k] for k in (*keep, "busy_s")} for s, r in steps.items()}
                for n, steps in real.items()
            }
        print(json.dumps(doc, indent=2))
        return
    print_table(f"Sync against the simulator at 20 ms per call, {PARALLEL} calls in parallel", fast)
    for n, steps in fast.items():
        courses = max(1, n // 50)
        r = steps["results"]
        per_course = r["calls"] / courses
        print(
            f"{n}: results (full) = {per_course:.2f} WS calls per course with pending items "
            f"({courses} courses)"
        )
    if real:
        print()
        print_table("Realistic cost (48 ms/call + 8.5 ms per grade-report row)", real, realistic=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--step":
        step(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] == "1")
    else:
        main()
