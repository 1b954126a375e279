"""Options and parsers shared by several commands."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import click

from lms_bridge.domain.access import Recipient
from lms_bridge.domain.people import Actor
from lms_bridge.domain.vocabulary import Role, RouteStatus

F = TypeVar("F", bound=Callable[..., object])


def input_file(formats: Sequence[str]) -> Callable[[F], F]:
    """FILE and ``--format`` of the import commands (the format comes from the extension by default)."""

    def wrap(command: F) -> F:
        command = click.option(
            "--format",
            "fmt",
            type=click.Choice(formats, case_sensitive=False),
            help="формат файла; по умолчанию — по расширению",
        )(command)
        return click.argument("file", type=click.Path(dir_okay=False))(command)

    return wrap


def parse_actor(_ctx: click.Context, _param: click.Parameter, value: str) -> Actor:
    try:
        return Actor.parse(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from e


def parse_status(_ctx: click.Context, _param: click.Parameter, value: str | None) -> RouteStatus | None:
    try:
        return RouteStatus.parse(value) if value else None
    except ValueError as e:
        raise click.BadParameter(str(e)) from e


def parse_recipient(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Recipient | None:
    if not value:
        return None
    try:
        return Recipient(Role.parse(value))
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


recipient_option = click.option(
    "--for",
    "recipient",
    callback=parse_recipient,
    metavar="РОЛЬ",
    help="карта для этой роли: head (руководитель ОО) — без результатов диагностики",
)


DATE = click.DateTime(["%Y-%m-%d", "%d.%m.%Y"])
