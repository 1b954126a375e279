"""Federal benchmark (issue 12, §4): a simulated federation on the real task queue and PostgreSQL.

N teachers (300,000 by default; 1,000,000 with ``--full``) over 20 simulated Moodle sites of different
sizes, latencies and caps (one simulator process, one mount point per site, the lab's prices: 48 ms a call
and the measured per-row prices, 8.5 ms per grade-report row, scaled by the site's speed factor), 3
enrolments per teacher. For 1, 2 and 4 worker processes (``lms-bridge worker``, procrastinate on
PostgreSQL) it runs attach, enrol and results (after grading ~90 % of enrolments) on a fresh copy of the
registry and fresh sites, and prints for each stage: wall time, calls per site, the most concurrent calls
each site served (never above its cap), Σ over sites of busy ÷ cap, the slowest site's own limit (its busy
÷ its cap: the physical floor when sites run in parallel) and wall ÷ that limit. ``--kill`` then kills a
worker (SIGKILL) in the middle of an enrol run and checks that nothing was lost or doubled. Asserts
nothing; prints figures.

    python benchmarks/federal.py --teachers 20000 --workers 1,2,4 --kill   # what docs/sync.md reports
    python benchmarks/federal.py                                            # 300,000 teachers
    python benchmarks/federal.py --full                                     # 1,000,000

Needs a PostgreSQL server: ``LMS_BRIDGE_TEST_POSTGRES_URL`` (e.g. postgresql+psycopg://postgres@127.0.0.1/test).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SITES = 20
STAGES = ("attach", "enrol", "results")


def site_plan(teachers: int, sites: int = SITES) -> list[dict[str, Any]]:
    """Sizes 1..10 parts, speed factors 0.75..1.5, caps 2..6: no two neighbours alike."""
    weights = [1 + (i * 7) % 10 for i in range(sites)]
    total = sum(weights)
    return [
        {
            "name": f"s{i:02d}",
            "teachers": max(50, teachers * w // total),
            "speed": 0.75 + (i % 4) * 0.25,
            "cap": 2 + i % 5,
            "seed": i + 1,
        }
        for i, w in enumerate(weights)
    ]


def specs(plan: list[dict[str, Any]]) -> list[Any]:
    from moodle_sim.costs import LAB_LATENCY_MS, LAB_ROW_MS
    from moodle_sim.multisite import SiteSpec

    return [
        SiteSpec(
            p["name"],
            p["teachers"],
            latency_ms=LAB_LATENCY_MS * p["speed"],
            row_ms_by_function={k: v * p["speed"] for k, v in LAB_ROW_MS.items()},
            random_seed=p["seed"],
            token=f"tok-{p['name']}",
        )
        for p in plan
    ]


# --- the simulator process ------------------------------------------------------------------------------
def serve(plan_json: str, port: int) -> None:
    import logging

    from flask import Blueprint, jsonify
    from werkzeug.serving import run_simple

    from moodle_sim.app import sim_context
    from moodle_sim.multisite import create_multisite_app

    bench = Blueprint("bench", __name__)

    @bench.post("/bench/grade-all")
    def grade_all() -> Any:
        ctx = sim_context()
        graded = 0
        with ctx.state.lock:
            finals = {c: ctx.state.course_activities(c) for c in ctx.state.courses}
            for (course_id, user_id), _ in sorted(ctx.state.enrolments.items()):
                if not finals.get(course_id) or (user_id + course_id) % 10 == 9:
                    continue  # 10 % not graded yet
                ctx.state.set_grade(finals[course_id][0], user_id, float(60 + (user_id * 7) % 41))
                graded += 1
        return jsonify({"graded": graded})

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app, _ = create_multisite_app(
        f"http://127.0.0.1:{port}", specs(json.loads(plan_json)), blueprints=[bench]
    )
    run_simple("127.0.0.1", port, app, threaded=True, use_reloader=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http(url: str, method: str = "GET") -> dict[str, Any]:
    req = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=3600) as r:
        data: dict[str, Any] = json.loads(r.read() or b"{}")
        return data


def start_sim(plan: list[dict[str, Any]]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve", json.dumps(plan), str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline:
        try:
            http(f"{base}/{plan[-1]['name']}/sim/stats")
            return proc, base
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("the simulator did not start")


# --- the database ---------------------------------------------------------------------------------------
def admin_engine() -> Any:
    from sqlalchemy import create_engine

    server = os.environ.get("LMS_BRIDGE_TEST_POSTGRES_URL")
    if not server:
        sys.exit(
            "set LMS_BRIDGE_TEST_POSTGRES_URL to a PostgreSQL server (the queue and the registry live there)"
        )
    return create_engine(server, isolation_level="AUTOCOMMIT")


def db_url(name: str) -> str:
    from sqlalchemy.engine import make_url

    server = os.environ["LMS_BRIDGE_TEST_POSTGRES_URL"]
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def create_db(admin: Any, name: str, template: str | None = None) -> str:
    from sqlalchemy import text

    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    return db_url(name)


def drop_db(admin: Any, name: str) -> None:
    from sqlalchemy import text

    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def seed_template(admin: Any, plan: list[dict[str, Any]]) -> tuple[str, int]:
    from lms_bridge.config import Settings
    from lms_bridge.taskqueue import ensure_schema, queue
    from moodle_sim.federation import seed_registry

    name = f"fed_{uuid.uuid4().hex[:8]}"
    url = create_db(admin, name)
    items = seed_registry(url, specs(plan))
    with queue(Settings(database_url=url)) as q:
        ensure_schema(q)
    admin.dispose()  # a template must have no open connection
    return name, items


# --- one measured run ----------------------------------------------------------------------------------
def env_for(url: str, base: str, plan: list[dict[str, Any]], sites_path: Path) -> dict[str, str]:
    from moodle_sim.federation import sites_file, token_env

    caps = {p["name"]: p["cap"] for p in plan}
    sites_file(sites_path, base, specs(plan), caps)
    return {
        **os.environ,
        "LMS_BRIDGE_DATABASE_URL": url,
        "LMS_BRIDGE_SITES_FILE": str(sites_path),
        "LMS_BRIDGE_JOBS_QUEUE": "true",
        "LMS_BRIDGE_JOBS_SCHEDULE": "",
        "LMS_BRIDGE_SYNC_PLANS": "false",
        "LMS_BRIDGE_PUBLIC_URL": "https://iom.example.ru",
        **{token_env(p["name"]): f"tok-{p['name']}" for p in plan},
    }


def workers(env: dict[str, str], n: int, concurrency: int) -> list[subprocess.Popen[bytes]]:
    return [
        subprocess.Popen(
            [sys.executable, "-m", "lms_bridge", "worker", "--concurrency", str(concurrency)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(n)
    ]


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=120)
        except subprocess.TimeoutExpired:
            p.kill()


def ready(url: str, n: int) -> None:
    """Until ``n`` workers have registered with the queue (started processes, imports done)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        while True:
            with engine.connect() as c:
                if c.execute(text("SELECT count(*) FROM procrastinate_workers")).scalar_one() >= n:
                    return
            time.sleep(0.2)
    finally:
        engine.dispose()


def stage_run(env: dict[str, str], base: str, plan: list[dict[str, Any]], stage: str) -> dict[str, Any]:
    """One stage on the running workers: from deferring the run to an empty queue."""
    from lms_bridge.config import Settings
    from lms_bridge.taskqueue import enqueue, queue, wait_idle

    for p in plan:
        http(f"{base}/{p['name']}/sim/reset-stats", "POST")
    settings = Settings(database_url=env["LMS_BRIDGE_DATABASE_URL"])
    with queue(settings) as q:
        start = time.perf_counter()
        enqueue([stage], None)
        wait_idle(q, timeout=24 * 3600, poll=0.25)
        wall = time.perf_counter() - start
    sites = {}
    for p in plan:
        s = http(f"{base}/{p['name']}/sim/stats")
        sites[p["name"]] = {
            "calls": s["calls"],
            "busy_s": s["busy_ms"] / 1000,
            "concurrent_max": s["concurrent_max"],
            "cap": p["cap"],
            "limit_s": s["busy_ms"] / 1000 / p["cap"],
        }
    slowest = max(v["limit_s"] for v in sites.values())
    return {
        "wall_s": wall,
        "sites": sites,
        "sum_busy_over_cap_s": sum(v["limit_s"] for v in sites.values()),
        "slowest_limit_s": slowest,
        "wall_over_slowest": wall / slowest if slowest else 0.0,
        "over_cap": [n for n, v in sites.items() if v["concurrent_max"] > v["cap"]],
    }


def one_run(admin: Any, template: str, plan: list[dict[str, Any]], procs_n: int, conc: int) -> dict[str, Any]:
    name = f"run_{uuid.uuid4().hex[:8]}"
    url = create_db(admin, name, template)
    sim, base = start_sim(plan)
    out: dict[str, Any] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = env_for(url, base, plan, Path(tmp) / "sites.toml")
            procs = workers(env, procs_n, conc)
            try:
                ready(url, procs_n)
                for stage in STAGES:
                    if stage == "results":
                        for p in plan:
                            http(f"{base}/{p['name']}/bench/grade-all", "POST")
                    out[stage] = stage_run(env, base, plan, stage)
                    show(procs_n, stage, out[stage])
            finally:
                stop(procs)
    finally:
        sim.kill()
        sim.wait()
        drop_db(admin, name)
    return out


def show(procs_n: int, stage: str, r: dict[str, Any]) -> None:
    calls = " ".join(f"{n}:{v['calls']}" for n, v in r["sites"].items())
    peaks = " ".join(f"{n}:{v['concurrent_max']}/{v['cap']}" for n, v in r["sites"].items())
    print(
        f"workers={procs_n} {stage:8s} wall {r['wall_s']:8.1f} s | "
        f"Σ busy/cap {r['sum_busy_over_cap_s']:8.1f} s | "
        f"slowest site's limit {r['slowest_limit_s']:7.1f} s | wall/limit {r['wall_over_slowest']:5.2f} | "
        f"over cap: {r['over_cap'] or 'none'}"
    )
    print(f"    calls per site: {calls}")
    print(f"    peak concurrent/cap: {peaks}", flush=True)


def requests(base: str, plan: list[dict[str, Any]]) -> int:
    return sum(int(http(f"{base}/{p['name']}/sim/stats")["requests"]) for p in plan)


# --- a worker killed mid-run ---------------------------------------------------------------------------
def kill_run(admin: Any, template: str, plan: list[dict[str, Any]], conc: int) -> None:
    from sqlalchemy import func, select

    from lms_bridge.config import Settings
    from lms_bridge.storage.store import make_engine
    from lms_bridge.storage.tables import transmissions
    from lms_bridge.taskqueue import enqueue, queue, wait_idle

    name = f"kill_{uuid.uuid4().hex[:8]}"
    url = create_db(admin, name, template)
    sim, base = start_sim(plan)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = env_for(url, base, plan, Path(tmp) / "sites.toml")
            procs = workers(env, 2, conc)
            ready(url, 2)
            stage_run(env, base, plan, "attach")
            with queue(Settings(database_url=url)) as q:
                before = requests(base, plan)
                start = time.perf_counter()
                enqueue(["enrol"], None)
                while requests(base, plan) < before + 30:  # some enrol parts under way
                    time.sleep(0.2)
                procs[0].send_signal(signal.SIGKILL)
                killed_at = time.perf_counter() - start
                doing = len(list(q.job_manager.list_jobs(status="doing")))
                wait_idle(q, timeout=24 * 3600)
                wall = time.perf_counter() - start
            stop(procs[1:])
        enrolled = sum(http(f"{base}/{p['name']}/sim/stats")["site"]["enrolments"] for p in plan)
        engine = make_engine(url)
        with engine.connect() as c:
            q = select(transmissions.c.state, func.count()).where(transmissions.c.kind == "enrol")
            states = dict(c.execute(q.group_by(transmissions.c.state)).all())
            why = select(transmissions.c.error_code, func.count()).where(
                transmissions.c.kind == "enrol", transmissions.c.state == "failed"
            )
            failed_by_code = dict(c.execute(why.group_by(transmissions.c.error_code)).all())
        engine.dispose()
        print(
            f"kill: worker 1 of 2 SIGKILLed {killed_at:.1f} s into enrol with {doing} parts in progress; "
            f"run ended after {wall:.1f} s; enrol records {states} (failed by code: {failed_by_code}); "
            f"enrolments in the sites {enrolled}",
            flush=True,
        )
    finally:
        sim.kill()
        sim.wait()
        drop_db(admin, name)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--serve", nargs=2, metavar=("PLAN", "PORT"), help=argparse.SUPPRESS)
    ap.add_argument("--teachers", type=int, default=300_000)
    ap.add_argument("--full", action="store_true", help="1,000,000 teachers")
    ap.add_argument("--workers", default="1,2,4", help="worker process counts, comma-separated")
    ap.add_argument("--concurrency", type=int, default=16, help="tasks per worker process")
    ap.add_argument("--kill", action="store_true", help="also kill a worker mid-run and check the records")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return
    teachers = 1_000_000 if args.full else args.teachers
    plan = site_plan(teachers)
    admin = admin_engine()
    t0 = time.perf_counter()
    template, items = seed_template(admin, plan)
    print(
        f"federation: {sum(p['teachers'] for p in plan)} teachers, {items} enrolments to make, "
        f"{len(plan)} sites "
        f"(caps {sum(p['cap'] for p in plan)} in all), registry seeded in {time.perf_counter() - t0:.0f} s",
        flush=True,
    )
    results: dict[str, Any] = {}
    try:
        for n in (int(x) for x in args.workers.split(",") if x):
            results[str(n)] = one_run(admin, template, plan, n, args.concurrency)
        if args.kill:
            kill_run(admin, template, plan, args.concurrency)
    finally:
        drop_db(admin, template)
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
