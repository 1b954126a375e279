"""``lms-bridge notify events [--dry-run] [--days N]``: the notification job (000 §2.8), for cron once a day;
``lms-bridge notify problems``: the recipients the LMS refused or that were given up (not retried).

Exit code 1 when an LMS call failed (retried on the next run), else 0.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime

import click
from rich.console import Console

from lms_bridge import bootstrap
from lms_bridge.cli.context import AppContext
from lms_bridge.cli.sync_jobs import options_from, print_report, progress_bar, single_run
from lms_bridge.ports.notices import NoticeKind, NoticeState
from lms_bridge.services.notify_events import notify_events

TITLE = "уведомления о мероприятиях"


@click.group("notify")
def group() -> None:
    """Уведомления в СДО: педагогам о предстоящих мероприятиях, кураторам — сводка за неделю (для cron)."""


@group.command("events")
@click.option("--dry-run", is_flag=True, help="только показать, что будет отправлено: ничего не записывать")
@click.option(
    "--days",
    type=click.IntRange(0, 180),
    default=None,
    help="за сколько дней до начала сообщать (по умолчанию LMS_BRIDGE_NOTIFY_DAYS_BEFORE)",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d", "%d.%m.%Y"]),
    default=None,
    help="считать сегодняшней эту дату (проверка расписания); по умолчанию — сегодня в часовом поясе СДО",
)
@click.pass_obj
def events_cmd(app: AppContext, dry_run: bool, days: int | None, today: datetime | None) -> None:
    """Сообщить педагогам с утверждёнными и реализуемыми маршрутами о мероприятиях каталога по их
    дефицитам; кураторам — сводку за неделю (мероприятия педагогов и просроченное). Повторный запуск
    ничего не отправляет дважды."""
    settings = app.settings
    with single_run(settings.notify_lock_file) as mine:
        if not mine:
            click.echo(
                f"уведомления уже отправляются ({settings.notify_lock_file}): запуск пропущен", err=True
            )
            return
        lms = bootstrap.build_lms(settings)
        with progress_bar(TITLE, Console(stderr=True)) as progress:
            report = notify_events(
                lms,
                app.store,
                bootstrap.build_notice_store(app.store),
                today=today.date() if today else app.today(),
                days_before=settings.notify_days_before if days is None else days,
                options=options_from(settings, dry_run),
                progress=progress,
            )
    print_report(report, TITLE, Console())
    if report.failed:
        sys.exit(1)


@group.command("problems")
@click.option("--json", "as_json", is_flag=True, help="вывести JSON")
@click.pass_obj
def problems_cmd(app: AppContext, as_json: bool) -> None:
    """Кому сообщения не доставлены и больше не отправляются: нет в СДО, сообщения отключены, сбои."""
    notices = bootstrap.build_notice_store(app.store)
    rows = [
        {
            "kind": str(n.kind),
            "recipient": n.recipient,
            "subject": n.subject,
            "state": str(n.state),
            "attempts": n.attempts,
            "error": n.error,
        }
        for kind in NoticeKind
        for n in sorted(notices.list_notices(kind).values(), key=lambda n: n.key)
        if n.state in (NoticeState.REFUSED, NoticeState.GAVE_UP)
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        what = "мероприятие" if r["kind"] == NoticeKind.EVENT else "сводка за неделю"
        click.echo(f"{r['recipient']}  {what} {r['subject']}: {r['error']}")
    click.echo(f"не доставлено: {len(rows)}")
