"""Web benchmark: `lms-bridge serve` (gunicorn, 2 workers) on 127.0.0.1 with a seeded SQLite registry;
this process is the load generator (threads + http.client keep-alive, bounded in count and time).

Prints requests/s, p50 and p99 for the route card page (a teacher's launch session created directly
in the database) and for the trivial /healthz; asserts nothing.
Aim: card throughput >= half of /healthz, card p99 < 100 ms. When ``wrk`` is installed
(``apt-get install wrk``) the same two targets are also measured with it.

    python benchmarks/web.py                 # 50 clients, 3000 requests or 15 s per target
    python benchmarks/web.py 20 1000         # clients, requests per target
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lms_bridge.domain.diagnostics import Diagnostic  # noqa: E402
from lms_bridge.domain.people import Actor, Teacher  # noqa: E402
from lms_bridge.domain.route import Activity, Correction, Route  # noqa: E402
from lms_bridge.domain.vocabulary import (  # noqa: E402
    ActivityCategory,
    Block,
    DiagnosticKind,
    Level,
    Role,
    RouteStatus,
)
from lms_bridge.ports import Principal  # noqa: E402
from lms_bridge.storage.launch_store import SqlLaunchStore  # noqa: E402
from lms_bridge.storage.migrate import upgrade  # noqa: E402
from lms_bridge.storage.store import SqlRouteStore, make_engine  # noqa: E402

TEACHERS = 2000
SECONDS = 15.0


def _route(n: int) -> Route:
    teacher = Teacher(
        email=f"t{n}@school.ru",
        last_name=f"Иванова{n}",
        first_name="Мария",
        middle_name="Петровна",
        school=f"МБОУ «СОШ № {n % 40}»",
        municipality=f"район {n % 8}",
        position="учитель",
        subject="математика",
    )
    diag = Diagnostic(
        teacher.email,
        DiagnosticKind.STANDARDIZED,
        date(2026, 9, 15),
        {b: Level.BASIC for b in (Block.SUBJECT, Block.METHODICAL, Block.PSYCHOLOGICAL, Block.ICT)},
        ("П1.1", "М2.3", "Пс3.2"),
        "пройти курсы ПК",
    )
    categories = list(ActivityCategory)
    activities = tuple(
        Activity(
            str(i + 1),
            categories[i % 5],
            f"Мероприятие {i + 1}",
            organiser="ИРО",
            start=date(2026, 10, 1),
            end=date(2027, 3, 1),
            deficit_codes=("П1.1",),
            lms_course=f"DPP-{i}" if i % 3 == 0 else None,
            done=i % 2 == 0,
        )
        for i in range(12)
    )
    fixes = (
        Correction(at=datetime(2026, 11, 1, 10, 0), reason="перенос сроков курса", author="Куратор К.К."),
    )
    return Route(
        number=f"74-2026-{n:05d}",
        teacher=teacher,
        diagnostic=diag,
        status=RouteStatus.IN_PROGRESS,
        curator_email="curator@ipk.ru",
        curator_name="Куратор К.К.",
        start=date(2026, 10, 1),
        end=date(2027, 9, 30),
        activities=activities,
        corrections=fixes,
    )


def seed(db_url: str) -> tuple[str, str]:
    """A registry of TEACHERS routes; returns (route number, launch id of its teacher)."""
    upgrade(db_url)
    engine = make_engine(db_url)
    store = SqlRouteStore(engine)
    routes = [_route(n) for n in range(1, TEACHERS + 1)]
    store.save_diagnostics([(r.teacher, r.diagnostic) for r in routes])
    store.add_routes(routes, Actor(Role.DEVELOPER, "benchmark"))
    target = routes[TEACHERS // 2]
    lid, _ = SqlLaunchStore(engine).open_session(
        Principal(Role.TEACHER, target.teacher.email, target.teacher.full_name, target.teacher.school), 8
    )
    engine.dispose()
    return target.number, lid


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_ready(port: int, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


def load(port: int, path: str, clients: int, total: int, seconds: float) -> tuple[float, list[float], int]:
    """``clients`` threads, each with one keep-alive connection, until ``total`` requests or ``seconds``."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    issued = 0
    stop_at = time.monotonic() + seconds

    def worker() -> None:
        nonlocal issued, errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine: list[float] = []
        while time.monotonic() < stop_at:
            with lock:
                if issued >= total:
                    break
                issued += 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    with lock:
                        errors += 1
            except (OSError, http.client.HTTPException):
                with lock:
                    errors += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                continue
            mine.append(time.perf_counter() - t0)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, latencies, errors


def report(name: str, elapsed: float, lat: list[float], errors: int) -> float:
    lat = sorted(lat)
    rps = len(lat) / elapsed if elapsed else 0.0
    p50 = statistics.median(lat) * 1000 if lat else float("nan")
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 if lat else float("nan")
    print(
        f"{name:9s} {len(lat):5d} req {rps:7.1f} req/s  p50 {p50:5.1f} ms  p99 {p99:5.1f} ms  errors {errors}"
    )
    return rps


def wrk(port: int, path: str, clients: int, seconds: float) -> None:
    """The same measurement with wrk (C, no GIL in the load generator) when it is installed."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{clients}", f"-d{int(seconds)}s", "--latency", f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
    ).stdout
    wanted = [
        ln.strip() for ln in out.splitlines() if "Requests/sec" in ln or ln.strip().startswith(("50%", "99%"))
    ]
    errors = [ln.strip() for ln in out.splitlines() if "Non-2xx" in ln or "Socket errors" in ln]
    print(f"  wrk {path.split('?')[0][:16]:16s} " + " | ".join(wanted + errors))


def serve_and_load(
    db_url: str, card: str, clients: int, total: int, cache_seconds: int
) -> tuple[float, float]:
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "LMS_BRIDGE_DATABASE_URL": db_url,
        "LMS_BRIDGE_WEB_CARD_CACHE_SECONDS": str(cache_seconds),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "lms_bridge", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_ready(port)
        load(port, card, 4, 100, 5.0)  # warm-up: templates compiled, connections pooled
        load(port, "/healthz", 4, 100, 5.0)
        trivial = report("/healthz", *load(port, "/healthz", clients, total, SECONDS))
        name = "card" if cache_seconds else "card*"
        page = report(name, *load(port, card, clients, total, SECONDS))
        if shutil.which("wrk"):
            wrk(port, "/healthz", clients, SECONDS / 2)
            wrk(port, card, clients, SECONDS / 2)
        return trivial, page
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("clients", type=int, nargs="?", default=50, help="concurrent clients (50)")
    parser.add_argument("total", type=int, nargs="?", default=3000, help="requests per target (3000)")
    args = parser.parse_args()
    clients, total = args.clients, args.total
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        number, lid = seed(db_url)
        card = f"/card/{number}?lid={lid}"
        print(f"{TEACHERS} routes in SQLite, gunicorn 2 workers x 4 threads, {clients} clients,")
        print(f"at most {total} requests or {SECONDS:.0f} s per target; load generator in this process")
        print("-- card* = rendered on every request (LMS_BRIDGE_WEB_CARD_CACHE_SECONDS=0)")
        trivial, page = serve_and_load(db_url, card, clients, total, 0)
        print(f"card* / healthz throughput: {page / trivial:.2f}")
        print("-- card = default settings: repeat views of an unchanged card come from the worker's cache")
        trivial, page = serve_and_load(db_url, card, clients, total, 60)
        print(f"card / healthz throughput: {page / trivial:.2f}")


if __name__ == "__main__":
    main()
