"""The ``lms-bridge`` command. Exit codes: 0 ok, 1 rejected rows or failed items, 2 usage."""

from __future__ import annotations

import sys

import click

from lms_bridge.cli.context import AppContext
from lms_bridge.errors import BridgeError, ValidationError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(package_name="lms-bridge")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """lms-bridge: индивидуальные образовательные маршруты (ИОМ) педагогов в СДО."""
    ctx.obj = AppContext()


def _register() -> None:
    from lms_bridge.cli import db, export, reports, routes

    for module in (db, routes, reports):
        cli.add_command(module.group)
    for command in export.commands:  # routes export, routes export-registry
        routes.group.add_command(command)


_register()


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("прервано", err=True)
        sys.exit(1)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except ValidationError as e:
        click.echo(f"Ошибка: {e.source or 'данные'} отклонены ({len(e.problems)}):", err=True)
        for p in e.problems:
            click.echo(f"  {p}", err=True)
        sys.exit(1)
    except BridgeError as e:
        click.echo(f"Ошибка: {e}", err=True)
        sys.exit(1)
