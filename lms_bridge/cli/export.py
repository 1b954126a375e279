"""``routes export`` (one card: JSON, XML, DOCX) and ``routes export-registry`` (CSV, XLSX, JSON).

The commands belong to the ``routes`` group, which imports them lazily (``routes.EXPORTS``).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from lms_bridge.cli.context import AppContext
from lms_bridge.cli.options import parse_status, recipient_option
from lms_bridge.domain.access import Recipient, redact_for
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import RouteStatus
from lms_bridge.exporters.card_text import Issuer
from lms_bridge.exporters.docx_card import route_card_docx
from lms_bridge.exporters.json_card import route_summary, route_to_dict
from lms_bridge.exporters.registry import FORMATS, export_registry
from lms_bridge.exporters.xml_card import route_to_xml
from lms_bridge.ports import RouteFilter
from lms_bridge.services.codifier import deficit_names

CARD_FORMATS = ("json", "xml", "docx")
BINARY = frozenset({"docx", "xlsx"})


def card_bytes(route: Route, fmt: str, issuer: Issuer) -> bytes:
    """The card of ``route`` in ``fmt`` (json, xml or docx)."""
    if fmt == "docx":
        return route_card_docx(route, issuer)
    if fmt == "xml":
        return route_to_xml(route)
    return json.dumps(route_to_dict(route), ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def _write(data: bytes, target: str, fmt: str) -> None:
    if target == "-":
        if fmt in BINARY:
            raise click.UsageError(f"{fmt.upper()} не выводится на экран: укажите файл в -o")
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    Path(target).write_bytes(data)
    click.echo(f"записан файл {target} ({len(data)} байт)", err=True)


@click.command("export")
@click.argument("number")
@click.option(
    "--format", "fmt", type=click.Choice(CARD_FORMATS), default="docx", show_default=True, help="формат карты"
)
@click.option("-o", "--output", help="файл (по умолчанию ИОМ_<номер>.<формат>); «-» — вывести на экран")
@recipient_option
@click.pass_obj
def export_cmd(
    app: AppContext, number: str, fmt: str, output: str | None, recipient: Recipient | None
) -> None:
    """Выгрузить карту ИОМ NUMBER в JSON, XML или DOCX."""
    route = app.store.get_route(number)
    if recipient is not None:
        route = redact_for(route, recipient)
    names = deficit_names(app.store, app.settings.profile.name)
    data = card_bytes(route, fmt, Issuer.from_settings(app.settings, names))
    _write(data, output or f"ИОМ_{route.number}.{fmt}", fmt)


@click.command("export-registry")
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="xlsx", show_default=True, help="формат реестра"
)
@click.option("-o", "--output", help="файл (по умолчанию реестр_ИОМ_<дата>.<формат>); «-» — на экран")
@click.option("--status", callback=parse_status, help="статус: " + ", ".join(s.value for s in RouteStatus))
@click.option("--school", help="только эта образовательная организация")
@click.option("--municipality", help="только это муниципальное образование")
@click.pass_obj
def export_registry_cmd(
    app: AppContext,
    fmt: str,
    output: str | None,
    status: RouteStatus | None,
    school: str | None,
    municipality: str | None,
) -> None:
    """Выгрузить реестр маршрутов (без результатов диагностики) в CSV, XLSX или JSON."""
    today: date = app.today()
    flt = RouteFilter(status=status, school=school, municipality=municipality)
    rows = [route_summary(r, today) for r in app.store.iter_routes(flt)]
    _write(export_registry(rows, fmt), output or f"реестр_ИОМ_{today.isoformat()}.{fmt}", fmt)
    click.echo(f"маршрутов в реестре: {len(rows)}", err=True)
