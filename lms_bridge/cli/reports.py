"""``reports summary``: aggregated, non-personal figures by region, municipality or school.

Withheld numbers (``None``: they would be computed from 1–4 people, see ``services.disclosure``) print
as «скрыто»; withheld deficit codes are not named.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import click

from lms_bridge.cli.context import AppContext
from lms_bridge.domain.codifier import labelled
from lms_bridge.services.codifier import deficit_names
from lms_bridge.services.reports import (
    GROUP_LABELS,
    GROUPINGS,
    GroupBy,
    GroupStats,
    report_to_dict,
    summary_report,
)


@click.group("reports")
def group() -> None:
    """Сводные отчёты (обезличенные, группы не менее 5 человек)."""


WITHHELD = "скрыто"


def _n(value: int | None) -> str:
    return WITHHELD if value is None else str(value)


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f} %"


def _lines(g: GroupStats, names: Mapping[str, str]) -> list[str]:
    statuses = ", ".join(f"{s.label} {_n(n)}" for s, n in g.by_status.items() if n != 0)
    blocks = ", ".join(f"{b.label} {_n(n)}" for b, n in g.deficits_by_block.items()) or "—"
    codes = ", ".join(f"{labelled(c, names)} ({n})" for c, n in g.top_deficits) or "—"
    return [
        f"{g.name}: педагогов {g.people}, маршрутов {_n(g.routes)}",
        f"  педагоги по статусу последнего маршрута: {statuses or '—'}",
        f"  завершено: {_n(g.completed)} из {_n(g.started)} начатых ({_percent(g.completion_rate)}); "
        f"мероприятий выполнено {_n(g.activities_done)} из {_n(g.activities_total)}",
        f"  дефициты по блокам (низкий/базовый уровень), чел.: {blocks}",
        f"  частые дефициты, чел.: {codes}",
    ]


@group.command("summary")
@click.option(
    "--by",
    type=click.Choice(GROUPINGS),
    default="school",
    show_default=True,
    help="группировка: region, municipality, school",
)
@click.option("--json", "as_json", is_flag=True, help="вывести JSON")
@click.pass_obj
def summary_cmd(app: AppContext, by: GroupBy, as_json: bool) -> None:
    """Сводка: маршруты по статусам, доля завершённых, дефициты по блокам компетенций."""
    report = summary_report(app.store, by=by, min_group=app.settings.report_min_group)
    if as_json:
        click.echo(json.dumps(report_to_dict(report), ensure_ascii=False, indent=2))
        return
    click.echo(
        f"Сводка по группировке «{GROUP_LABELS[by]}» "
        f"(группы менее {report.min_group} человек не показываются отдельно; «{WITHHELD}» — число, "
        f"которое относилось бы менее чем к {report.min_group} педагогам)"
    )
    if report.total is None:
        click.echo(
            f"Недостаточно данных: педагогов с маршрутами {report.hidden_people}, меньше {report.min_group}."
        )
        return
    names = deficit_names(app.store, app.settings.profile.name)
    for g in report.groups:
        click.echo("\n".join(_lines(g, names)))
    click.echo("\n".join(["", *_lines(report.total, names)]))
    if report.merged_groups:
        click.echo(f"объединено в «прочие» групп: {report.merged_groups}")


DAY = click.DateTime(formats=["%Y-%m-%d", "%d.%m.%Y"])


@group.command("study-office")
@click.option("--from", "start", type=DAY, required=True, help="начало периода (ГГГГ-ММ-ДД или ДД.ММ.ГГГГ)")
@click.option("--to", "end", type=DAY, required=True, help="конец периода")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="файл")
@click.pass_obj
def study_office_cmd(app: AppContext, start: datetime, end: datetime, fmt: str, output: Path) -> None:
    """Отчёт для отдела учебной работы (000 §2.7): слушатели ДПП в рамках ИОМ за период — по программам и
    по слушателям (персональный: только для специалистов ЦНППМ)."""
    from lms_bridge.domain.access import RouteFilter
    from lms_bridge.services import study_office

    if end < start:
        raise click.BadParameter("конец периода раньше начала", param_hint="--to")
    rows = study_office.report_rows(app.store, RouteFilter(), start.date(), end.date())
    if fmt == "csv":
        output.write_bytes(study_office.report_csv(rows))
    else:
        output.write_bytes(study_office.report_xlsx(rows, start.date(), end.date()))
    click.echo(f"слушателей: {len(rows)}; файл: {output}")
