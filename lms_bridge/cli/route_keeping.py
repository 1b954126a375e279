"""``routes archive``: the keeping period of finished routes (003 §4.5.4) and depersonalising."""

from __future__ import annotations

import json
from dataclasses import asdict

import click

from lms_bridge.bootstrap import keeping_policy
from lms_bridge.cli.context import AppContext
from lms_bridge.cli.options import parse_actor
from lms_bridge.domain.people import Actor
from lms_bridge.services import keeping
from lms_bridge.services.keeping import Due


def _line(d: Due) -> str:
    closed = f"{d.closed_on:%d.%m.%Y}" if d.closed_on else "—"
    return f"  {d.number}  {d.status.label}, закрыт {closed}; срок наступил {d.due_on:%d.%m.%Y}"


@click.command("archive")
@click.option("--purge", is_flag=True, help="также обезличить маршруты архива после срока хранения в архиве")
@click.option("--apply", is_flag=True, help="выполнить (без флага — только показать, что будет сделано)")
@click.option(
    "--actor",
    default="centre:lms-bridge",
    show_default=True,
    callback=parse_actor,
    help="кто выполняет, РОЛЬ:ИМЯ",
)
@click.option("--json", "as_json", is_flag=True, help="вывести JSON")
@click.pass_obj
def archive_cmd(app: AppContext, purge: bool, apply: bool, actor: Actor, as_json: bool) -> None:
    """Перенести в архив завершённые и отменённые маршруты после срока хранения.

    Срок хранения — LMS_BRIDGE_KEEP_YEARS лет с завершения (003 §4.5.4: 1 год). Маршрут в архиве
    пропадает из рабочих списков и отчётов, а карта остаётся доступной педагогу (портфолио) и ЦНППМ.
    С --purge маршруты архива через LMS_BRIDGE_PURGE_AFTER_YEARS лет обезличиваются: удаляются
    персональные данные, сводные показатели остаются. Повторный запуск ничего не повторяет.
    """
    run = keeping.run(
        app.store,
        today=app.today(),
        policy=keeping_policy(app.settings),
        actor=actor,
        purge=purge,
        apply=apply,
    )
    if as_json:
        data = {
            "applied": run.applied,
            "archived": [_plain(d) for d in run.archived],
            "purged": [_plain(d) for d in run.purged],
        }
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    verb = ("перенесено в архив", "обезличено") if apply else ("будет перенесено в архив", "будет обезличено")
    click.echo(f"{verb[0]}: {len(run.archived)}")
    for d in run.archived:
        click.echo(_line(d))
    if purge:
        click.echo(f"{verb[1]}: {len(run.purged)}")
        for d in run.purged:
            click.echo(_line(d))
    if not apply and (run.archived or run.purged):
        click.echo("пробный запуск: ничего не изменено; для выполнения добавьте --apply")


def _plain(d: Due) -> dict[str, object]:
    data = asdict(d)
    data.update(
        status=d.status.value,
        closed_on=d.closed_on.isoformat() if d.closed_on else None,
        due_on=d.due_on.isoformat(),
    )
    return data
