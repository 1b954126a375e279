"""Printing rejected rows the same way for every import command («строка N, поле «X»: сообщение»)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from lms_bridge.errors import ValidationError


def show(e: ValidationError) -> None:
    click.echo(f"Ошибка: {e.source or 'данные'} отклонены ({len(e.problems)}):", err=True)
    for p in e.problems:
        click.echo(f"  {p}", err=True)


@contextmanager
def reported() -> Iterator[None]:
    """Inside: a ValidationError is printed row by row and the command exits with code 1."""
    try:
        yield
    except ValidationError as e:
        show(e)
        raise click.exceptions.Exit(1) from None
