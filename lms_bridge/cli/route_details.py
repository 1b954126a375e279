"""``routes details``: what the region's card layout adds to a route (docs/profiles.md)."""

from __future__ import annotations

import click

from lms_bridge.cli.context import AppContext
from lms_bridge.cli.options import parse_actor
from lms_bridge.domain.card_details import DetailsChange, Stage
from lms_bridge.domain.people import Actor
from lms_bridge.importers.rows import parse_date


def _tasks(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> dict[str, str] | None:
    if not values:
        return None
    out = {}
    for value in values:
        code, sep, text = value.partition("=")
        if not sep or not code.strip():
            raise click.BadParameter(f"«{value}»: ожидается КОД=ЗАДАЧИ, например П1.2=Освоить…")
        out[code.strip()] = text
    return out


def _stages(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> tuple[Stage, ...] | None:
    if not values:
        return None
    out = []
    for value in values:
        parts = [p.strip() for p in value.split("|")]
        if len(parts) != 3:
            raise click.BadParameter(f"«{value}»: ожидается НАЗВАНИЕ|НАЧАЛО|ОКОНЧАНИЕ (даты ДД.ММ.ГГГГ)")
        dates = [parse_date(p) if p else None for p in parts[1:]]
        bad = [p for p, d in zip(parts[1:], dates, strict=True) if p and d is None]
        if bad:
            raise click.BadParameter(f"«{bad[0]}» — не дата; ожидается ДД.ММ.ГГГГ или ГГГГ-ММ-ДД")
        out.append(Stage(parts[0], dates[0], dates[1]))
    return tuple(out)


@click.command("details")
@click.argument("number")
@click.option("--actor", required=True, callback=parse_actor, help="РОЛЬ:ИМЯ (developer, curator, centre)")
@click.option("--region", default=None, help="регион (004: «Название учебного заведения, регион»)")
@click.option("--additional", default=None, help="«Дополнительные сведения» (004)")
@click.option("--academic-year", default=None, help="«Год реализации ИОМ (учебный)», например 2026/2027")
@click.option("--tutor", "tutor_email", default="", help="e-mail тьютора (второго куратора) из реестра")
@click.option("--no-tutor", is_flag=True, help="снять тьютора")
@click.option("--task", "tasks", multiple=True, callback=_tasks, help="КОД=образовательные задачи (001)")
@click.option(
    "--stage",
    "stages",
    multiple=True,
    callback=_stages,
    help="НАЗВАНИЕ|НАЧАЛО|ОКОНЧАНИЕ (001); все этапы сразу",
)
@click.pass_obj
def details_cmd(
    app: AppContext,
    number: str,
    actor: Actor,
    region: str | None,
    additional: str | None,
    academic_year: str | None,
    tutor_email: str,
    no_tutor: bool,
    tasks: dict[str, str] | None,
    stages: tuple[Stage, ...] | None,
) -> None:
    """Сведения карты ИОМ NUMBER по региональному макету (регион, учебный год, тьютор, задачи, этапы).

    Регион, «Дополнительные сведения», «Год реализации ИОМ (учебный)» и тьютор печатает карта 004;
    образовательные задачи по дефицитам и этапы со сроками — таблица 001.
    """
    from lms_bridge.services.card_details import set_details

    change = DetailsChange(region, additional, academic_year, None, no_tutor, tasks, stages)
    set_details(app.store, number, actor, change, tutor_email)
    click.echo(f"{number}: сведения карты сохранены")
