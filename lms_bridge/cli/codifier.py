"""``lms-bridge codifier``: the deficit codifier of the region's profile (docs/profiles.md)."""

from __future__ import annotations

import json

import click

from lms_bridge.cli.context import AppContext
from lms_bridge.cli.options import input_file
from lms_bridge.domain.people import Actor
from lms_bridge.importers.codifier import FORMATS, load_codifier
from lms_bridge.services.codifier import import_codifier


def _actor(_ctx: click.Context, _param: click.Parameter, value: str) -> Actor:
    try:
        return Actor.parse(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from e


@click.group("codifier")
def group() -> None:
    """Кодификатор дефицитов профиля региона: код, наименование, блок компетенций."""


@group.command("import")
@input_file(FORMATS)
@click.option(
    "--actor",
    default="centre:lms-bridge",
    show_default=True,
    callback=_actor,
    help="кто загружает кодификатор, РОЛЬ:ИМЯ (попадает в журнал)",
)
@click.pass_obj
def import_cmd(app: AppContext, file: str, fmt: str | None, actor: Actor) -> None:
    """Заменить кодификатор профиля (LMS_BRIDGE_REGION_PROFILE) содержимым FILE (CSV или XLSX).

    Столбцы: «Код», «Наименование», «Блок компетенций» (необязательный), «Родительский код»
    (необязательный). Одна ошибочная строка — кодификатор не меняется.
    """
    entries = load_codifier(file, fmt)
    profile = app.settings.profile.name
    count = import_codifier(app.store, profile, entries, actor)
    click.echo(f"кодификатор профиля «{profile}» загружен: кодов {count}")


@group.command("list")
@click.option("--json", "as_json", is_flag=True, help="вывести JSON")
@click.pass_obj
def list_cmd(app: AppContext, as_json: bool) -> None:
    """Показать кодификатор профиля региона."""
    profile = app.settings.profile.name
    with app.store.transaction():
        entries = app.store.list_codifier(profile)
    if as_json:
        rows = [
            {"code": e.code, "name": e.name, "block": e.block.value if e.block else None, "parent": e.parent}
            for e in entries
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not entries:
        click.echo(f"кодификатор профиля «{profile}» не загружен: lms-bridge codifier import FILE")
        return
    for e in entries:
        block = f" [{e.block.label}]" if e.block else ""
        parent = f" (раздел {e.parent})" if e.parent else ""
        click.echo(f"{e.code} — {e.name}{block}{parent}")
    click.echo(f"всего: {len(entries)}")
