"""The commands of ``lms-bridge sync attach|enrol|results|all [--dry-run]``: the LMS sync jobs, for cron /
systemd timers, and the disagreements they record. Loaded only when one of them runs (cli/sync.py lists them).

Exit code 1 when any item failed (the summary lists why, with the LMS's errorcode), else 0.
A progress bar is drawn only on a terminal; the summary table is always printed.
"""

from __future__ import annotations

import fcntl
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lms_bridge import bootstrap
from lms_bridge.cli.context import AppContext
from lms_bridge.cli.options import parse_actor
from lms_bridge.config import Settings
from lms_bridge.domain.people import Actor
from lms_bridge.domain.sites import DEFAULT_SITE, SiteDirectory
from lms_bridge.domain.workflow import RESOLVERS
from lms_bridge.errors import ConfigError, LmsAuthError, LmsError, NotFound, PermissionDenied
from lms_bridge.ports import Lms, LmsLink, SyncStore
from lms_bridge.services.sync_attach import sync_attach
from lms_bridge.services.sync_common import JobReport, SyncJob, SyncOptions
from lms_bridge.services.sync_common import Progress as ProgressFn
from lms_bridge.services.sync_enrol import sync_enrol
from lms_bridge.services.sync_results import sync_results

JOBS: dict[str, tuple[str, SyncJob]] = {
    "attach": ("привязка учётных записей СДО", sync_attach),
    "enrol": ("зачисление на курсы", sync_enrol),
    "results": ("результаты итоговой аттестации", sync_results),
}
LABELS = {
    "linked": "связано учётных записей",
    "linked_before": "связаны ранее",
    "card_links": "ссылок на карту ИОМ передано",
    "card_links_before": "ссылки переданы ранее",
    "plans": "планов обучения создано",
    "course_competencies": "курсов связано с компетенциями",
    "course_competencies_before": "курсы связаны с компетенциями ранее",
    "plans_unsupported": "планы обучения: адаптер СДО их не поддерживает",
    "enrolled": "зачислено",
    "already_enrolled": "уже были зачислены (повторно не отправлялось)",
    "enrolled_before": "зачислены ранее",
    "started": "маршрутов начато",
    "courses_read": "курсов прочитано",
    "passed": "зачтено",
    "below_pass": "ниже проходного балла",
    "waiting": "ещё без результата",
    "no_lms_user": "без учётной записи СДО",
    "no_application": "заявка ещё не подтверждена",
    "disagreements": "расхождений записано",
    "curators_told": "кураторов уведомлено",
    "event_sent": "педагогам отправлено сообщений о мероприятиях",
    "digest_sent": "кураторам отправлено недельных сводок",
    "refused": "СДО не приняла (нет пользователя или сообщения отключены)",
    "members_found": "участников курса с маршрутом найдено (Names and Roles)",
    "scores_sent": "прохождение ИОМ передано в журнал оценок",
    "unchanged": "прохождение не изменилось (не отправлялось)",
    "no_route": "у пользователя платформы нет рабочего маршрута",
    "no_ags": "линий оценок без права передачи (платформа не выдала AGS)",
    "platform_gone": "линий оценок удалённых платформ",
    "failed": "ошибок",
}
PROGRESS_TITLE = "прохождение ИОМ в журнал оценок LTI"
SHOWN = 30  # problems / planned lines printed before "и ещё N"


def options_from(settings: Settings, dry_run: bool) -> SyncOptions:
    return SyncOptions(
        public_url=settings.public_url,
        user_field=settings.moodle_user_field,
        role_id=settings.moodle_role_id,
        parallel=settings.moodle_parallel,
        batch=settings.sync_batch,
        timezone=settings.lms_timezone,
        plans=settings.sync_plans,
        dry_run=dry_run,
    )


@contextmanager
def progress_bar(title: str, console: Console) -> Iterator[ProgressFn | None]:
    if not console.is_terminal:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(title, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance


def print_report(report: JobReport, title: str, console: Console) -> None:
    if report.dry_run:
        console.print(f"{title}: пробный запуск, ничего не записано")
    table = Table(title=title)
    table.add_column("что")
    table.add_column("сколько", justify="right")
    for key, value in report.counts.items():
        if value:
            table.add_row(LABELS.get(key, key), str(value))
    if not any(report.counts.values()):
        table.add_row("делать нечего", "0")
    console.print(table)
    for p in report.problems[:SHOWN]:
        console.print(f"  [{p.code}] {p.subject}: {p.message}", markup=False, highlight=False)
    if len(report.problems) > SHOWN:
        console.print(f"  … и ещё {len(report.problems) - SHOWN}")
    if report.planned:
        console.print("будет сделано:")
        for line in report.planned[:SHOWN]:
            console.print(f"  {line}", markup=False, highlight=False)
        if len(report.planned) > SHOWN:
            console.print(f"  … и ещё {len(report.planned) - SHOWN}")


@contextmanager
def single_run(path: str) -> Iterator[bool]:
    """An exclusive lock on ``path`` for the whole run: True when taken, False when another run holds it
    (cron every 15 minutes must not start a second run while a long first one is still going)."""
    lock = Path(path)
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def run_jobs(app: AppContext, names: list[str], dry_run: bool, sites: tuple[str, ...] = ()) -> None:
    """The LMS jobs in ``names`` (per site, or queued in queue mode), then ``progress`` — the LTI grade
    service, not the web services: one run for all platforms, always here, under the same lock."""
    settings = app.settings
    lms_names = [n for n in names if n != "progress"]
    if settings.jobs_queue and not dry_run and lms_names:
        _enqueue(app, lms_names, sites)
        lms_names = []
        if "progress" not in names:
            return
    with single_run(settings.sync_lock_file) as mine:
        if not mine:
            click.echo(f"синхронизация уже идёт ({settings.sync_lock_file}): этот запуск пропущен", err=True)
            return
        failed = 0
        if lms_names:
            failed = (
                _run_sites(app, lms_names, dry_run, sites)
                if settings.sites_file.strip()
                else _run_one(app, lms_names, dry_run, sites)
            )
        if "progress" in names:
            report = run_progress(app, dry_run)
            print_report(report, PROGRESS_TITLE, Console())
            failed += report.failed
    if failed:
        sys.exit(1)


def run_progress(app: AppContext, dry_run: bool) -> JobReport:
    from lms_bridge.services.progress_sync import sync_progress

    launches = bootstrap.build_launch_store(app.store)
    return sync_progress(
        app.store,
        launches,
        bootstrap.all_platforms(app.settings, launches),
        bootstrap.build_grade_services(app.settings),
        dry_run=dry_run,
    )


def _enqueue(app: AppContext, names: list[str], sites: tuple[str, ...]) -> None:
    """Queue mode (``LMS_BRIDGE_JOBS_QUEUE``): the run is deferred to the workers; no lock file needed,
    the engine's queueing lock keeps a second run from being queued while one waits."""
    from lms_bridge.cli.lms import pick_sites
    from lms_bridge.taskqueue import enqueue, queue

    chosen = [s.name for s in pick_sites(app.settings, sites)] if sites else None
    with queue(app.settings):
        job = enqueue(names, chosen)
    if job:
        click.echo(f"синхронизация ({' → '.join(names)}) поставлена в очередь: задача #{job}")
    else:
        click.echo("синхронизация уже стоит в очереди: эта не добавлена")


def _run_one(app: AppContext, names: list[str], dry_run: bool, sites: tuple[str, ...]) -> int:
    """One site (``LMS_BRIDGE_MOODLE_URL``, no sites file): exactly the run of before issue 12."""
    if sites and set(sites) != {DEFAULT_SITE}:
        raise ConfigError(f"сайтов СДО, кроме «{DEFAULT_SITE}», нет: задайте LMS_BRIDGE_SITES_FILE")
    lms = bootstrap.build_lms(app.settings)  # MoodleClient keeps the per-site rate limit (moodle_rate_per_s)
    return _run_site(lms, app.store, names, options_from(app.settings, dry_run), "")


def _run_sites(app: AppContext, names: list[str], dry_run: bool, wanted: tuple[str, ...]) -> int:
    """Each site in turn, with its own client, cap and time zone. A site that does not answer is
    reported and skipped: its items wait for the next run; the other sites go on."""
    from lms_bridge.cli.lms import pick_sites
    from lms_bridge.services.sync_sites import SiteView, SyncScope, plan_sites, report_unplaced
    from lms_bridge.site_config import load_sites

    settings = app.settings
    all_sites = load_sites(settings)
    chosen = pick_sites(settings, wanted)
    directory = SiteDirectory(all_sites)
    plan = plan_sites(app.store, directory, [s.name for s in chosen])
    failed = 0
    if plan.unplaced and not wanted:
        unplaced = report_unplaced(plan)
        print_report(unplaced, "маршруты без сайта СДО", Console())
        failed += unplaced.failed
    for site in chosen:
        options = replace(options_from(settings, dry_run), parallel=site.cap, timezone=site.timezone)
        try:
            lms = bootstrap.build_site_lms(settings, site)
            lms.get_site_info()
        except (LmsError, ConfigError) as e:
            waiting = len(plan.routes.get(site.name, ()))
            click.echo(
                f"сайт СДО «{site.name}» ({site.url}) недоступен: {e}; его маршрутов: {waiting} — "
                "они будут обработаны при следующем запуске",
                err=True,
            )
            failed += 1
            continue
        view = SiteView(app.store, directory, SyncScope(site.name))
        try:
            failed += _run_site(lms, view.as_store(), names, options, f"{site.name}: ")
        except LmsAuthError as e:
            click.echo(f"сайт СДО «{site.name}»: отказ в доступе: {e}; остальные сайты продолжены", err=True)
            failed += 1
    return failed


def _run_site(lms: Lms, store: SyncStore, names: list[str], options: SyncOptions, prefix: str) -> int:
    out, err = Console(), Console(stderr=True)
    failed = 0
    planned_links: dict[str, LmsLink] = {}  # dry run: later steps see the links attach would record
    for name in names:
        title, job = JOBS[name]
        with progress_bar(prefix + title, err) as progress:
            report = job(
                lms,
                store,
                now=datetime.now(),
                progress=progress,
                options=options,
                planned_links=planned_links,
            )
        planned_links.update(report.planned_links)
        print_report(report, prefix + title, out)
        failed += report.failed
    return failed


DRY_RUN = click.option(
    "--dry-run", is_flag=True, help="только показать, что будет сделано: ничего не записывать"
)
SITE = click.option(
    "--site",
    "sites",
    multiple=True,
    metavar="ИМЯ",
    help="только этот сайт СДО (можно несколько; по умолчанию все: lms-bridge lms sites)",
)


@click.command("attach")
@DRY_RUN
@SITE
@click.pass_obj
def attach_cmd(app: AppContext, dry_run: bool, sites: tuple[str, ...]) -> None:
    """Найти педагогов и кураторов в СДО, передать ссылку на карту ИОМ."""
    run_jobs(app, ["attach"], dry_run, sites)


@click.command("enrol")
@DRY_RUN
@SITE
@click.pass_obj
def enrol_cmd(app: AppContext, dry_run: bool, sites: tuple[str, ...]) -> None:
    """Зачислить на курсы ДПП по подтверждённым заявкам (руководитель ОО + ЦНППМ)."""
    run_jobs(app, ["enrol"], dry_run, sites)


@click.command("results")
@DRY_RUN
@SITE
@click.pass_obj
def results_cmd(app: AppContext, dry_run: bool, sites: tuple[str, ...]) -> None:
    """Перенести результаты итоговой аттестации из СДО в маршруты."""
    run_jobs(app, ["results"], dry_run, sites)


@click.command("all")
@DRY_RUN
@SITE
@click.pass_obj
def all_cmd(app: AppContext, dry_run: bool, sites: tuple[str, ...]) -> None:
    """attach → enrol → results → progress (каждые 15 минут по cron или таймеру systemd)."""
    run_jobs(app, ["attach", "enrol", "results", "progress"], dry_run, sites)


@click.command("progress")
@DRY_RUN
@click.pass_obj
def progress_cmd(app: AppContext, dry_run: bool) -> None:
    """Передать прохождение ИОМ (доля выполненных мероприятий, 0–100) в журнал оценок Moodle по LTI AGS."""
    run_jobs(app, ["progress"], dry_run)


@click.command("disagreements")
@click.option("--json", "as_json", is_flag=True, help="вывести JSON")
@click.pass_obj
def disagreements_cmd(app: AppContext, as_json: bool) -> None:
    """Зачёты из СДО, которые СДО позже опровергла (отметка не снимается: решает человек)."""
    rows = [
        {
            "number": d.route_number,
            "activity": d.item_key,
            "course": d.lms_course,
            "recorded_grade": d.recorded_grade,
            "lms_grade": d.lms_grade,
            "pass_grade": d.pass_grade,
            "found_at": d.found_at.isoformat(timespec="seconds"),
        }
        for d in app.store.list_disagreements()
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        now = "нет оценки" if r["lms_grade"] is None else f"сейчас {r['lms_grade']:g}"
        click.echo(
            f"{r['number']}  {r['activity']}  {r['course']}: зачтено с оценкой {r['recorded_grade']}, "
            f"в СДО {now} (проходной {r['pass_grade']}), найдено {r['found_at']}"
        )
    click.echo(f"расхождений: {len(rows)}")


@click.command("resolve")
@click.argument("number")
@click.argument("key")
@click.option("--actor", required=True, callback=parse_actor, help="кто решил, РОЛЬ:ИМЯ")
@click.option("--note", required=True, help="решение, например «оценка исправлена преподавателем»")
@click.pass_obj
def resolve_cmd(app: AppContext, number: str, key: str, actor: Actor, note: str) -> None:
    """Закрыть расхождение по мероприятию KEY маршрута NUMBER (отметку при необходимости меняет куратор)."""
    if actor.role not in RESOLVERS:
        raise PermissionDenied("расхождения разбирают куратор, специалист ЦНППМ или администратор")
    if not app.store.resolve_disagreement(number, key, actor, note):
        raise NotFound(f"открытого расхождения по {number}, мероприятие {key}, нет")
    click.echo("расхождение закрыто")
