"""The ``lms-bridge`` command. Exit codes: 0 ok, 1 rejected rows or failed items, 2 usage."""

from __future__ import annotations

from typing import Any

import click

from lms_bridge.cli.context import AppContext
from lms_bridge.errors import BridgeError, ValidationError


class BridgeGroup(click.Group):
    """Turns the project's errors into a Russian message on stderr and exit code 1 (no traceback)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ValidationError as e:
            click.echo(f"Ошибка: {e.source or 'данные'} отклонены ({len(e.problems)}):", err=True)
            for p in e.problems:
                click.echo(f"  {p}", err=True)
            ctx.exit(1)
        except BridgeError as e:
            click.echo(f"Ошибка: {e}", err=True)
            ctx.exit(1)


@click.group(
    cls=BridgeGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110}
)
@click.version_option(package_name="lms-bridge")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """lms-bridge: индивидуальные образовательные маршруты (ИОМ) педагогов в СДО."""
    ctx.obj = AppContext()


def _register() -> None:
    from lms_bridge.cli import (
        applications,
        coursemap,
        curators,
        db,
        demo,
        diagnostics,
        export,
        lms,
        lti,
        reports,
        route_results,
        routes,
        serve,
        sim,
        sync,
    )

    modules = (
        db,
        routes,
        diagnostics,
        coursemap,
        curators,
        sim,
        lms,
        reports,
        demo,
        lti,
        serve,
        applications,
        sync,
    )
    for module in modules:
        cli.add_command(module.group)
    for command in (*export.commands, *route_results.commands):  # routes export, routes event ...
        routes.group.add_command(command)


_register()


def main() -> None:
    cli()
