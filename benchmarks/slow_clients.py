"""Slow-client benchmark: does `lms-bridge serve` keep answering while slow clients hold connections?

Starts `lms-bridge serve` on 127.0.0.1 with a seeded SQLite registry (as ``benchmarks/web.py``), then
opens ``--slow`` connections of two kinds and keeps them open (a dropped one is opened again):

* slow headers (slowloris): a request line, then one header byte a second, never the blank line;
* promised body: ``POST /lti/launch`` with ``Content-Length: 100000`` and no body at all.

While they are held, it measures ``/healthz`` and a route card page (a teacher's launch session),
one request at a time on a fresh connection (the card rendered every time unless
``--card-cache``), and prints p50 / p99 / max latency and failures.
A request that gets no answer within ``--request-timeout`` counts as a failure at that latency.
Goal (issue 10, item 5): both answer within 1 s at p99 with 100 slow connections held.
Loopback only; bounded in connections, samples and time; asserts nothing.

    python benchmarks/slow_clients.py                          # 100 slow connections, gevent workers
    python benchmarks/slow_clients.py --worker-class gthread   # the former serving model, for comparison
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.web import _free_port, _wait_ready, seed  # noqa: E402

HOST = "127.0.0.1"


@dataclass
class Holder:
    """Keeps ``count`` slow connections open until ``stop`` is set; re-opens the ones the server drops."""

    port: int
    count: int
    stop: threading.Event = field(default_factory=threading.Event)
    reopened: int = 0
    open_now: int = 0

    def _open(self, i: int) -> socket.socket | None:
        try:
            s = socket.create_connection((HOST, self.port), timeout=2)
        except OSError:
            return None
        try:
            if i % 2:  # promised body, never sent
                s.sendall(
                    b"POST /lti/launch HTTP/1.1\r\nHost: bench\r\n"
                    b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"
                )
            else:  # slow headers
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: bench\r\nX-Slow: ")
        except OSError:
            s.close()
            return None
        return s

    def run(self) -> None:
        socks: list[socket.socket | None] = [self._open(i) for i in range(self.count)]
        while not self.stop.wait(1.0):
            for i, s in enumerate(socks):
                if s is not None and i % 2 == 0:
                    try:
                        s.sendall(b"a")  # one more header byte
                    except OSError:
                        s.close()
                        s = socks[i] = None
                if s is None or _closed_by_server(s):
                    if s is not None:
                        s.close()
                    socks[i] = self._open(i)
                    self.reopened += 1
            self.open_now = sum(1 for s in socks if s is not None)
        for s in socks:
            if s is not None:
                s.close()


def _closed_by_server(s: socket.socket) -> bool:
    """True when the server has answered (e.g. 408) or closed the connection."""
    s.setblocking(False)
    try:
        s.recv(4096)  # an answer (408) or b"" (closed): either way the server let go
        return True
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        s.setblocking(True)


def measure(port: int, path: str, samples: int, seconds: float, timeout: float) -> tuple[list[float], int]:
    """``samples`` sequential GETs (fresh connection each), at most ``seconds``; (latencies, failures)."""
    latencies: list[float] = []
    failures = 0
    stop_at = time.monotonic() + seconds
    while len(latencies) < samples and time.monotonic() < stop_at:
        t0 = time.perf_counter()
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            conn.close()
            ok = resp.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
        latencies.append(time.perf_counter() - t0)
        failures += not ok
        time.sleep(0.02)
    return latencies, failures


def report(name: str, latencies: list[float], failures: int) -> None:
    lat = sorted(latencies)
    if not lat:
        print(f"{name:9s} no samples")
        return
    p50 = statistics.median(lat) * 1000
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
    print(
        f"{name:9s} {len(lat):4d} req  p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  "
        f"max {lat[-1] * 1000:7.1f} ms  failed {failures}"
    )


def run(args: argparse.Namespace, db_url: str, card: str) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "LMS_BRIDGE_DATABASE_URL": db_url,
        "LMS_BRIDGE_WEB_CARD_CACHE_SECONDS": str(args.card_cache),
    }
    command = [sys.executable, "-m", "lms_bridge", "serve", "--port", str(port)]
    command += ["--workers", str(args.workers), "--worker-class", args.worker_class]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    holder = Holder(port, args.slow)
    thread = threading.Thread(target=holder.run, daemon=True)
    try:
        _wait_ready(port)
        measure(port, card, 20, 10.0, args.request_timeout)  # warm-up: templates compiled
        thread.start()
        time.sleep(args.settle)  # let the slow connections take whatever they can
        print(
            f"held slow connections: {args.slow} ({args.slow - args.slow // 2} slow headers, "
            f"{args.slow // 2} promised bodies)"
        )
        report("/healthz", *measure(port, "/healthz", args.samples, args.seconds, args.request_timeout))
        report("card", *measure(port, card, args.samples, args.seconds, args.request_timeout))
        print(
            f"open at the end: {holder.open_now}; re-opened after the server dropped them: {holder.reopened}"
        )
    finally:
        holder.stop.set()
        thread.join(timeout=10)
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--slow", type=int, default=100, help="slow connections held open (100, at most 500)")
    parser.add_argument("--samples", type=int, default=200, help="requests per measured path (200)")
    parser.add_argument("--seconds", type=float, default=60.0, help="time limit per measured path (60)")
    parser.add_argument(
        "--request-timeout", type=float, default=5.0, help="a measured request fails after (5 s)"
    )
    parser.add_argument("--settle", type=float, default=3.0, help="seconds between opening and measuring (3)")
    parser.add_argument("--workers", type=int, default=2, help="server processes (2)")
    parser.add_argument(
        "--card-cache", type=int, default=0, help="LMS_BRIDGE_WEB_CARD_CACHE_SECONDS (0: render every time)"
    )
    parser.add_argument("--worker-class", default="gevent", help="serve --worker-class (gevent)")
    args = parser.parse_args()
    args.slow = max(1, min(args.slow, 500))
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        number, lid = seed(db_url)
        print(
            f"lms-bridge serve --workers {args.workers} --worker-class {args.worker_class}; "
            f"card cache {args.card_cache} s; loopback only"
        )
        run(args, db_url, f"/card/{number}?lid={lid}")


if __name__ == "__main__":
    main()
