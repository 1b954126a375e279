"""The sync jobs on the task queue (issue 12, §2), with the real PostgreSQL (procrastinate's broker and the
registry) and simulated Moodle sites served over HTTP. Skipped with a reason without PostgreSQL.

What is asserted is recorded counts — enrolments in each simulated site, transmission rows, audit
entries, the most calls a site served at once — never durations."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from lms_bridge.config import Settings, load_settings
from lms_bridge.ports import TransmissionKind as Kind
from lms_bridge.storage.store import make_engine
from lms_bridge.storage.sync_store import SqlSyncStore
from lms_bridge.storage.tables import audit
from moodle_sim.federation import seed_registry, sites_file, token_env
from moodle_sim.multisite import SiteSpec, create_multisite_app

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pg_url() -> Iterator[str]:
    server = os.environ.get("LMS_BRIDGE_TEST_POSTGRES_URL")
    if not server:
        if os.environ.get("CI"):
            pytest.fail("CI must test the task queue on PostgreSQL: scripts/test.sh starts one")
        pytest.skip("LMS_BRIDGE_TEST_POSTGRES_URL not set: the task queue needs PostgreSQL")
    name = f"q_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Fed:
    url: str
    base: str
    specs: list[SiteSpec]
    env: dict[str, str]
    items: int

    def stats(self, site: str) -> dict[str, object]:
        data: dict[str, object] = requests.get(f"{self.base}/{site}/sim/stats", timeout=30).json()
        return data

    def store(self) -> SqlSyncStore:
        return SqlSyncStore(make_engine(self.url))

    def worker(self, concurrency: int = 4) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "lms_bridge", "worker", "--concurrency", str(concurrency)],
            cwd=ROOT,
            env={**os.environ, **self.env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


def federation(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, specs: list[SiteSpec], caps: dict[str, int]
) -> Iterator[Fed]:
    server = make_server("127.0.0.1", 0, None, threaded=True)  # type: ignore[arg-type]  # app set below
    base = f"http://127.0.0.1:{server.server_port}"
    server.app, _ = create_multisite_app(base, specs)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    items = seed_registry(pg_url, specs)
    env = {
        "LMS_BRIDGE_DATABASE_URL": pg_url,
        "LMS_BRIDGE_SITES_FILE": str(sites_file(tmp_path / "sites.toml", base, specs, caps)),
        "LMS_BRIDGE_JOBS_QUEUE": "true",
        "LMS_BRIDGE_JOBS_SCHEDULE": "",  # runs are queued by the test, not by the clock
        "LMS_BRIDGE_SYNC_PLANS": "false",
        "LMS_BRIDGE_MOODLE_RETRY_DELAY": "0",
        **{token_env(s.name): s.token for s in specs},
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.chdir(tmp_path)
    try:
        yield Fed(pg_url, base, specs, env, items)
    finally:
        server.shutdown()


@pytest.fixture
def fed(pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Fed]:
    specs = [
        SiteSpec("north", 120, latency_ms=5, random_seed=1),
        SiteSpec("south", 60, latency_ms=5, random_seed=2),
    ]
    yield from federation(pg_url, tmp_path, monkeypatch, specs, {"north": 2, "south": 1})


def run_until_idle(fed: Fed, stages: list[str], workers: int = 2) -> None:
    from lms_bridge.taskqueue import enqueue, ensure_schema, queue, wait_idle

    settings = load_settings()
    with queue(settings) as q:
        ensure_schema(q)
        assert enqueue(stages, None)
        procs = [fed.worker() for _ in range(workers)]
        try:
            assert wait_idle(q, timeout=600), "the queue did not drain"
        finally:
            for p in procs:
                p.send_signal(signal.SIGTERM)
            for p in procs:
                p.wait(timeout=60)


def enrolments(fed: Fed) -> int:
    return sum(int(fed.stats(s.name)["site"]["enrolments"]) for s in fed.specs)  # type: ignore[index]


def test_sync_all_on_workers_enrols_everyone_once_and_never_exceeds_a_sites_cap(fed: Fed) -> None:
    run_until_idle(fed, ["attach", "enrol", "results"])
    store = fed.store()
    enrol = store.list_transmissions(Kind.ENROL)
    assert len(enrol) == fed.items
    assert {t.state for t in enrol.values()} == {"done"}
    assert enrolments(fed) == fed.items
    north, south = fed.stats("north"), fed.stats("south")
    assert 1 <= int(north["concurrent_max"]) <= 2  # type: ignore[call-overload]
    assert int(south["concurrent_max"]) == 1  # type: ignore[call-overload]
    # every link is on the teacher's own site
    assert len(store.list_links("north")) == 120 + 1  # teachers and their curator
    assert len(store.list_links("south")) == 60 + 1


def deliver_enrol_part(settings: Settings) -> str:
    """The enrol part of course DPP-SYN-0001 on site north, delivered and run by a worker in this process."""
    from lms_bridge.taskqueue import queue, sync_part

    with queue(settings):
        sync_part.configure(lock="site:north:0").defer(
            stage="enrol", site="north", run="twice", courses=["DPP-SYN-0001"], routes=None
        )
    with queue(settings) as q:  # until the queue is empty (the worker closes the app when it ends)
        q.run_worker(wait=False, install_signal_handlers=False, delete_jobs="never")
    with queue(settings) as q:
        return [
            j.status for j in q.job_manager.list_jobs(task="lms:sync_part") if j.task_kwargs["run"] == "twice"
        ][-1]


def recorded(fed: Fed) -> tuple[object, ...]:
    store = fed.store()
    enrol = store.list_transmissions(Kind.ENROL, courses=["DPP-SYN-0001"])
    with store.engine.connect() as c:
        audited = c.execute(select(func.count()).select_from(audit)).scalar()
    stats = fed.stats("north")
    store.engine.dispose()
    return (
        sorted((k, t.state, t.attempts) for k, t in enrol.items()),
        audited,
        stats["site"],
        stats["calls_by_function"],
    )


def test_a_part_delivered_twice_changes_nothing_twice(fed: Fed) -> None:
    run_until_idle(fed, ["attach"])
    settings = load_settings()
    assert deliver_enrol_part(settings) == "succeeded"
    first = recorded(fed)
    enrolled = [k for k, state, _ in first[0] if state == "done"]  # type: ignore[attr-defined]
    assert enrolled
    assert all(k[0].startswith("10-") for k in enrolled)  # north's routes only
    assert deliver_enrol_part(settings) == "succeeded"  # the same message again
    second = recorded(fed)
    assert second[:3] == first[:3]  # no row, attempt, audit entry or enrolment more
    calls_before, calls_after = first[3], second[3]
    assert calls_after["enrol_manual_enrol_users"] == calls_before["enrol_manual_enrol_users"]  # type: ignore[index]


def test_a_worker_killed_mid_task_loses_nothing_and_doubles_nothing(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lms_bridge.taskqueue import enqueue, queue, wait_idle

    # each enrol call takes a second: the kill lands while one is in flight in the simulated Moodle
    slow = [
        SiteSpec(
            "west", 150, latency_ms=50, row_ms_by_function={"enrol_manual_enrol_users": 20}, random_seed=3
        )
    ]
    for fed in federation(pg_url, tmp_path, monkeypatch, slow, {"west": 2}):
        run_until_idle(fed, ["attach"])
        settings = load_settings()
        with queue(settings) as q:
            before = int(fed.stats("west")["requests"])  # type: ignore[call-overload]
            enqueue(["enrol"], None)
            victim = fed.worker(concurrency=2)
            deadline = time.monotonic() + 120
            while int(fed.stats("west")["requests"]) < before + 3 and time.monotonic() < deadline:  # type: ignore[call-overload]
                time.sleep(0.05)
            victim.send_signal(signal.SIGKILL)  # mid-task: its parts stay "doing"
            victim.wait(timeout=30)
            doing = list(q.job_manager.list_jobs(task="lms:sync_part", status="doing"))
            assert doing, "the worker was killed after its work: nothing was in progress"
            rescuer = fed.worker(concurrency=2)  # its retry_stalled (every minute) gives the parts back
            try:
                assert wait_idle(q, timeout=600)
            finally:
                rescuer.send_signal(signal.SIGTERM)
                rescuer.wait(timeout=60)
        enrol = fed.store().list_transmissions(Kind.ENROL)
        assert len(enrol) == fed.items
        assert {t.state for t in enrol.values()} == {"done"}
        assert enrolments(fed) == fed.items  # nobody enrolled twice, nobody left out


def test_sync_all_in_queue_mode_defers_one_run_and_not_a_second_while_it_waits(fed: Fed) -> None:
    from click.testing import CliRunner

    from lms_bridge.cli import cli
    from lms_bridge.taskqueue import ensure_schema, pending, queue

    with queue(load_settings()) as q:
        ensure_schema(q)
    first = CliRunner().invoke(cli, ["sync", "all"], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert "синхронизация (attach → enrol → results) поставлена в очередь: задача #" in first.output
    second = CliRunner().invoke(cli, ["sync", "all"], catch_exceptions=False)
    assert "синхронизация уже стоит в очереди: эта не добавлена" in second.output
    # the LMS jobs are queued, not run here; only the LTI grade step (`sync progress`, not a web-service job)
    # runs in this process, under the file lock (README, known limits)
    with queue(load_settings()) as q:
        assert pending(q) == 1  # the one fan-out, nothing run in-process
    assert enrolments(fed) == 0
