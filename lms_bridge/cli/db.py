from __future__ import annotations

import click

from lms_bridge.cli.context import AppContext
from lms_bridge.storage.migrate import upgrade


@click.group("db")
def group() -> None:
    """База данных реестра."""


@group.command("upgrade")
@click.pass_obj
def upgrade_cmd(app: AppContext) -> None:
    """Создать или обновить схему базы (миграции Alembic)."""
    upgrade(app.settings.database_url)
    click.echo("схема базы актуальна")
