"""The sync jobs on a distributed task queue (issue 12, §2): procrastinate, on the registry's PostgreSQL.

Why procrastinate (README, «Jobs on a task queue»): a regional centre runs nothing besides PostgreSQL;
a job is acknowledged (``succeeded``) only after the task function returned; a worker killed mid-task
leaves its job ``doing`` and the engine's stalled-job query puts it back (``retry_stalled``, every
minute); periodic tasks live in the engine (``@periodic``, cron syntax, deferred once per tick across
all workers); failed jobs stay in ``procrastinate_jobs`` with their attempts and are listed by
``lms-bridge worker failed``.

How the work is split: ``fan_out`` (every 15 minutes, or ``sync … `` with ``LMS_BRIDGE_JOBS_QUEUE=true``)
plans the run once — which site serves each active route, which courses have items there — and defers
one ``sync_part`` task per (site, course) for enrol and results and per (site, batch of routes) for
attach. A ``sync_part`` runs the unchanged job function over a ``SiteView`` narrowed to its courses or
routes, one web-service call at a time, so it is idempotent through the transmission records: a task
delivered twice or re-run after a kill finds its work recorded (or, for an enrolment sent but not
recorded, already in place in Moodle) and sends nothing twice.

The per-site cap: each ``sync_part`` of site S carries one of ``cap`` procrastinate locks
``site:S:0 … site:S:cap-1``; the engine never runs two jobs with the same lock at once, on any worker of
any machine, so at most ``cap`` tasks — hence at most ``cap`` web-service calls — reach S at a time.

Stages: ``sync all`` runs attach, then enrol, then results. ``advance`` is deferred after each stage's
parts and waits (the engine's retry, every second) until no part of that stage of this run is left, then
fans out the next stage.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from typing import Any

from procrastinate import App, Blueprint, JobContext, PsycopgConnector, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued

from lms_bridge import bootstrap
from lms_bridge.config import Settings, load_settings
from lms_bridge.domain.sites import LmsSite, SiteDirectory
from lms_bridge.errors import ConfigError, LmsUnavailable
from lms_bridge.services.sync_attach import sync_attach
from lms_bridge.services.sync_common import JobReport, SyncJob, SyncOptions
from lms_bridge.services.sync_enrol import sync_enrol
from lms_bridge.services.sync_results import sync_results
from lms_bridge.services.sync_sites import SiteView, SyncScope, plan_sites
from lms_bridge.site_config import load_sites

STAGES: dict[str, SyncJob] = {"attach": sync_attach, "enrol": sync_enrol, "results": sync_results}
PART = "lms:sync_part"
STALLED_AFTER_S = 20  # a worker silent this long is gone (it beats every 5 s: `lms-bridge worker`)
ATTACH_BATCH = 200  # routes per attach task (two card-link calls, plus lookups and plans)

tasks = Blueprint()


class StageNotDone(Exception):
    """Raised by ``advance`` while parts of the stage are left: the engine retries it later."""


def conninfo(database_url: str) -> str:
    """libpq connection string from the SQLAlchemy URL of the registry (PostgreSQL only)."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if not url.drivername.startswith("postgresql"):
        raise ConfigError(
            "очередь задач работает только с реестром на PostgreSQL: "
            "LMS_BRIDGE_DATABASE_URL=postgresql+psycopg://… (SQLite — только синхронизация в одном процессе)"
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def queue(settings: Settings) -> Iterator[App]:
    """The queue app connected to the registry's database, opened, for the block (CLI, worker, tests)."""
    connector = PsycopgConnector(conninfo=conninfo(settings.database_url))
    with queue_app.replace_connector(connector) as app, app.open():
        yield app


def ensure_schema(app: App) -> bool:
    """Create the engine's tables in the registry's database unless they exist; True when created."""
    found = app.connector.get_sync_connector().execute_query_one(
        "SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS present"
    )
    if found["present"]:
        return False
    app.schema_manager.apply_schema()
    return True


# --- what a worker keeps between tasks ------------------------------------------------------------------
def _settings() -> Settings:
    return load_settings()


@cache
def _engine(url: str) -> Any:
    from lms_bridge.storage.store import make_engine

    return make_engine(url)


def _sites() -> tuple[list[LmsSite], SiteDirectory]:
    sites = load_sites(_settings())
    return sites, SiteDirectory(sites)


@contextmanager
def _store() -> Iterator[Any]:
    from lms_bridge.storage.sync_store import SqlSyncStore

    yield SqlSyncStore(_engine(_settings().database_url))


def _options(settings: Settings, site: LmsSite) -> SyncOptions:
    return SyncOptions(
        public_url=settings.public_url,
        user_field=settings.moodle_user_field,
        role_id=settings.moodle_role_id,
        parallel=1,  # one call at a time per task: the site's cap counts tasks (locks)
        batch=settings.sync_batch,
        timezone=site.timezone,
        plans=settings.sync_plans,
    )


# --- the tasks ------------------------------------------------------------------------------------------
@tasks.task(
    name="sync_part",
    retry=RetryStrategy(max_attempts=5, exponential_wait=4, retry_exceptions={LmsUnavailable}),
)
def sync_part(
    stage: str, site: str, run: str, courses: list[str] | None = None, routes: list[str] | None = None
) -> dict[str, int]:
    """One stage of one site, narrowed to some courses (enrol, results) or routes (attach)."""
    del run  # identifies the run for ``advance``
    settings = _settings()
    sites, directory = _sites()
    the_site = next((s for s in sites if s.name == site), None)
    if the_site is None:
        raise ConfigError(f"сайта СДО «{site}» больше нет в файле сайтов")
    scope = SyncScope(
        site,
        frozenset(courses) if courses is not None else None,
        frozenset(routes) if routes is not None else None,
    )
    lms = bootstrap.build_site_lms(settings, the_site, parallel=1)
    with _store() as store:
        view = SiteView(store, directory, scope)
        report = STAGES[stage](lms, view.as_store(), now=datetime.now(), options=_options(settings, the_site))
    _raise_if_site_down(report)
    return dict(report.counts)


def _raise_if_site_down(report: JobReport) -> None:
    """Items failed because the site did not answer are recorded failed; the task is retried later
    by the engine (backoff), and anything still failed is retried by the next scheduled run."""
    if report.counts["failed"] and all(p.code == "lmserror" for p in report.problems):
        raise LmsUnavailable(f"{report.job}: сайт не ответил ({report.counts['failed']} элементов)")


@tasks.task(name="fan_out", queueing_lock="fan_out")
def fan_out(stages: list[str], sites: list[str] | None = None) -> dict[str, int]:
    """Plan the first stage of ``stages`` and defer its parts, then ``advance`` to the rest."""
    return _fan_out(stages, sites)


def _fan_out(stages: list[str], sites: list[str] | None) -> dict[str, int]:
    all_sites, directory = _sites()
    chosen = [s for s in all_sites if sites is None or s.name in sites]
    with _store() as store:
        plan = plan_sites(store, directory, [s.name for s in chosen])
    stage, run = stages[0], uuid.uuid4().hex[:12]
    parts: list[dict[str, Any]] = []
    for site in chosen:
        units = _units(stage, plan.courses.get(site.name, set()), plan.routes.get(site.name, set()))
        for n, (courses, routes) in enumerate(units):
            args = {"stage": stage, "site": site.name, "run": run, "courses": courses, "routes": routes}
            parts.append({"lock": f"site:{site.name}:{n % site.cap}", "args": args})
    deferred = sum(_defer_part(p) for p in parts)
    if stages[1:] or parts:
        advance.defer(stages=stages, sites=sites, run=run)
    return {"parts": len(parts), "deferred": deferred, "unplaced": len(plan.unplaced)}


def _units(
    stage: str, courses: set[str], routes: set[str]
) -> list[tuple[list[str] | None, list[str] | None]]:
    if stage == "attach":
        numbers = sorted(routes)
        return [(None, numbers[i : i + ATTACH_BATCH]) for i in range(0, len(numbers), ATTACH_BATCH)]
    return [([ref], None) for ref in sorted(courses)]


def _defer_part(part: dict[str, Any]) -> int:
    """Defer one part; a part of the same stage, site and work still waiting is not queued twice."""
    args = part["args"]
    key = ",".join(args["courses"] or args["routes"] or [])[:200]
    try:
        sync_part.configure(lock=part["lock"], queueing_lock=f"{args['stage']}:{args['site']}:{key}").defer(
            **args
        )
    except AlreadyEnqueued:
        return 0
    return 1


@tasks.task(
    name="advance",
    pass_context=True,
    retry=RetryStrategy(max_attempts=1_000_000, wait=1, retry_exceptions={StageNotDone}),
)
def advance(context: JobContext, stages: list[str], sites: list[str] | None, run: str) -> str:
    """When every part of ``stages[0]`` of this run has ended, fan out ``stages[1:]``."""
    left = [
        j
        for status in ("todo", "doing")
        for j in context.app.job_manager.list_jobs(task=PART, status=status)
        if j.task_kwargs.get("run") == run
    ]
    if left:
        raise StageNotDone(f"{stages[0]}: осталось частей {len(left)}")
    if stages[1:]:
        _fan_out(stages[1:], sites)
        return f"{stages[0]} done, {stages[1]} fanned out"
    return f"{stages[0]} done"


@tasks.task(name="scheduled_sync", queueing_lock="scheduled_sync")
def scheduled_sync(timestamp: int) -> dict[str, int]:
    """On the schedule (every 15 minutes): attach → enrol → results (with the curators' notifications)
    on every site."""
    del timestamp
    return _fan_out(["attach", "enrol", "results"], None)


def schedule(cron: str) -> None:
    """Put ``scheduled_sync`` on the engine's scheduler (``LMS_BRIDGE_JOBS_SCHEDULE``; "" = no schedule:
    runs are then queued by ``sync all`` from cron or a systemd timer). The engine defers one job per
    tick whatever the number of workers."""
    if cron.strip():
        queue_app.periodic_registry.register_task(
            task=scheduled_sync, cron=cron, periodic_id="sync-all", configure_kwargs={}
        )


@tasks.periodic(cron="* * * * *", periodic_id="retry-stalled")
@tasks.task(name="retry_stalled", queueing_lock="retry_stalled", pass_context=True)
async def retry_stalled(context: JobContext, timestamp: int) -> int:
    """Every minute: jobs left ``doing`` by a worker that stopped sending heartbeats (killed, machine
    lost) go back to the queue; their tasks are idempotent."""
    del timestamp
    stalled = list(await context.app.job_manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_S))
    for job in stalled:
        await context.app.job_manager.retry_job(job)
    return len(stalled)


def pending(app: App) -> int:
    """Sync jobs waiting or running (the periodic housekeeping not counted)."""
    return sum(
        1
        for status in ("todo", "doing")
        for j in app.job_manager.list_jobs(status=status)
        if not j.task_name.endswith(("scheduled_sync", "retry_stalled"))
    )


def wait_idle(app: App, timeout: float = 3600.0, poll: float = 0.5) -> bool:
    """Until no sync job is waiting or running (benchmarks, ``sync … --wait``); False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pending(app):
            return True
        time.sleep(poll)
    return False


def enqueue(stages: list[str], sites: list[str] | None) -> int:
    """Defer a run of ``stages`` (``sync …`` when the queue is on); its job id, 0 when one is queued."""
    try:
        return int(fan_out.defer(stages=stages, sites=sites))
    except AlreadyEnqueued:
        return 0


queue_app = App(connector=PsycopgConnector())  # the connector is set per process by ``queue(settings)``
queue_app.add_tasks_from(tasks, namespace="lms")
