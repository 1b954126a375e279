"""``lms-bridge worker``: a worker of the task queue (issue 12, §2); ``lms-bridge queue``: its state.

The queue is procrastinate on the registry's PostgreSQL (``lms_bridge/taskqueue.py``); it is on when
``LMS_BRIDGE_JOBS_QUEUE=true``. Start as many workers as the sites' caps make useful, on any machines
that reach the database; the schedule (every 15 minutes) and the stalled-job recovery run inside them.
"""

from __future__ import annotations

import click

from lms_bridge.cli.context import AppContext


@click.command("worker")
@click.option(
    "--concurrency", default=4, show_default=True, type=click.IntRange(1, 64), help="задач одновременно"
)
@click.option("--name", default=None, help="имя воркера в журнале очереди (по умолчанию — хост и PID)")
@click.pass_obj
def worker_cmd(app: AppContext, concurrency: int, name: str | None) -> None:
    """Воркер очереди задач: синхронизация с сайтами СДО по частям и расписание (каждые 15 минут)."""
    import os
    import socket

    from lms_bridge.taskqueue import ensure_schema, queue, schedule

    schedule(app.settings.jobs_schedule)
    with queue(app.settings) as q:
        if ensure_schema(q):
            click.echo("таблицы очереди задач созданы")
        click.echo(f"воркер запущен: {concurrency} задач одновременно (Ctrl+C — остановить после текущих)")
        q.run_worker(
            concurrency=concurrency,
            name=name or f"{socket.gethostname()}-{os.getpid()}",
            delete_jobs="successful",
            update_heartbeat_interval=5,
            stalled_worker_timeout=15,
        )


@click.group("queue")
def queue_group() -> None:
    """Очередь задач синхронизации (PostgreSQL): создание таблиц, состояние, задачи с ошибкой."""


@queue_group.command("init")
@click.pass_obj
def init_cmd(app: AppContext) -> None:
    """Создать таблицы очереди в базе реестра (один раз; воркер делает это и сам)."""
    from lms_bridge.taskqueue import ensure_schema, queue

    with queue(app.settings) as q:
        click.echo("таблицы очереди задач созданы" if ensure_schema(q) else "таблицы очереди задач уже есть")


@queue_group.command("status")
@click.pass_obj
def status_cmd(app: AppContext) -> None:
    """Сколько задач ждёт, выполняется, завершилось с ошибкой — по задачам."""
    from collections import Counter

    from lms_bridge.taskqueue import queue

    with queue(app.settings) as q:
        counts = Counter((j.task_name, j.status) for j in q.job_manager.list_jobs())
    for (task, status), n in sorted(counts.items()):
        click.echo(f"{task}\t{status}\t{n}")
    if not counts:
        click.echo("очередь пуста")


@queue_group.command("failed")
@click.pass_obj
def failed_cmd(app: AppContext) -> None:
    """Задачи, завершившиеся с ошибкой после всех попыток: что, для какого сайта и курса, сколько попыток."""
    from lms_bridge.taskqueue import queue

    with queue(app.settings) as q:
        failed = list(q.job_manager.list_jobs(status="failed"))
    for j in failed:
        args = j.task_kwargs
        what = ", ".join(f"{k}={v}" for k, v in args.items() if v is not None and k != "run")
        click.echo(f"#{j.id}\t{j.task_name}\t{what}\tпопыток {j.attempts}")
    click.echo(f"задач с ошибкой: {len(failed)}")
