"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import click

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
