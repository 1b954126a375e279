"""A click group whose commands are imported only when they run (or their own help is asked for).

``lms-bridge --help`` lists every command from a static table of one-line help texts, so answering it
imports none of the command modules (and none of SQLAlchemy, requests, flask, rich, openpyxl, docx).
``tests/cli/test_lazy_cli.py`` checks that each table entry matches the loaded command's own help.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, NamedTuple

import click


class Lazy(NamedTuple):
    """Where a command lives (``"package.module:attribute"``) and its one-line help for the listing."""

    target: str
    short_help: str


class LazyGroup(click.Group):
    """Commands given as ``{name: Lazy(...)}`` next to any added eagerly; a lazy one is imported on use."""

    def __init__(self, *args: Any, lazy: dict[str, Lazy] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            self.add_command(load(self.lazy[cmd_name].target), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = [(name, self._short_help(ctx, name, limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def _short_help(self, ctx: click.Context, name: str, limit: int) -> str:
        if name in self.lazy and name not in self.commands:
            # click shortens it as it would the loaded command's own help
            return click.Command(name, help=self.lazy[name].short_help).get_short_help_str(limit)
        command = super().get_command(ctx, name)
        return command.get_short_help_str(limit) if command is not None else ""


def load(target: str) -> click.Command:
    """Import ``"package.module:attribute"`` and return the click command it names."""
    module_name, _, attribute = target.partition(":")
    command = getattr(import_module(module_name), attribute)
    if not isinstance(command, click.Command):
        raise TypeError(f"{target} is not a click command")
    return command
