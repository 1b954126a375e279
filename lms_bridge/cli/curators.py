from __future__ import annotations

import click

from lms_bridge.cli.context import AppContext
from lms_bridge.cli.options import input_file
from lms_bridge.importers.curators import FORMATS, read_curators
from lms_bridge.importers.formats import read_file
from lms_bridge.services.imports import import_curators


@click.group("curators")
def group() -> None:
    """Кураторы (тьюторы) маршрутов."""


@group.command("import")
@input_file(FORMATS)
@click.pass_obj
def import_cmd(app: AppContext, file: str, fmt: str | None) -> None:
    """Загрузить кураторов из FILE (CSV или XLSX): новые добавляются, известные (по почте) обновляются."""
    items = read_curators(read_file(file), file, fmt=fmt)
    saved = import_curators(app.store, items)
    click.echo(f"сохранено кураторов: {saved}")
