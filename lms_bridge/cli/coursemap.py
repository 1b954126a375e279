from __future__ import annotations

import json

import click

from course_map.loading import FORMATS, load_course_map
from course_map.recommend import uncovered_codes
from lms_bridge.cli.context import AppContext
from lms_bridge.cli.options import input_file
from lms_bridge.domain.codifier import labelled
from lms_bridge.domain.people import Actor
from lms_bridge.importers.formats import read_file
from lms_bridge.services.codifier import deficit_names
from lms_bridge.services.imports import replace_course_map
from lms_bridge.storage.codec import entry_row


def _actor(_ctx: click.Context, _param: click.Parameter, value: str) -> Actor:
    try:
        return Actor.parse(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from e


@click.group("course-map")
def group() -> None:
    """Карта курсов: какие курсы ДПП и мероприятия устраняют какие дефициты."""


@group.command("import")
@input_file(FORMATS)
@click.option(
    "--actor",
    default="course_admin:lms-bridge",
    show_default=True,
    callback=_actor,
    help="кто загружает карту, РОЛЬ:ИМЯ (попадает в журнал)",
)
@click.pass_obj
def import_cmd(app: AppContext, file: str, fmt: str | None, actor: Actor) -> None:
    """Заменить карту курсов содержимым FILE (CSV или XLSX). Одна ошибочная строка — карта не меняется."""
    entries = load_course_map(read_file(file), file, fmt=fmt)
    replace_course_map(app.store, entries, actor)
    courses = sum(1 for e in entries if e.formal)
    click.echo(f"карта курсов загружена: курсов ДПП {courses}, мероприятий {len(entries) - courses}")


@group.command("show")
@click.option("--json", "as_json", is_flag=True, help="вывести JSON")
@click.pass_obj
def show_cmd(app: AppContext, as_json: bool) -> None:
    """Показать карту курсов."""
    entries = app.store.list_course_map()
    if as_json:
        click.echo(json.dumps([entry_row(e) for e in entries], ensure_ascii=False, indent=2))
        return
    for e in entries:
        kind = "курс" if e.formal else "мероприятие"
        blocks = ", ".join(b.label for b in e.blocks) or "—"
        click.echo(
            f"{e.lms_course}  {e.title} ({kind}, {e.hours} ч, {e.level.label}); "
            f"дефициты: {', '.join(e.deficit_codes)}; блоки: {blocks}"
        )
    click.echo(f"всего: {len(entries)}")


@group.command("coverage")
@click.option("--json", "as_json", is_flag=True, help="вывести JSON")
@click.pass_obj
def coverage_cmd(app: AppContext, as_json: bool) -> None:
    """Дефициты из диагностики, которые не закрывает ни один курс или мероприятие («банк запросов»)."""
    store = app.store
    with store.transaction():
        need = uncovered_codes(store.list_diagnostics(), store.list_course_map())
        names = deficit_names(store, app.settings.profile.name)
    ordered = sorted(need.items(), key=lambda kv: (-kv[1], kv[0]))
    rows = [{"code": code, "name": names.get(code, ""), "people": n} for code, n in ordered]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("все дефициты из диагностики закрыты картой курсов")
        return
    click.echo("не закрыты картой курсов (дефицит: сколько человек):")
    for r in rows:
        click.echo(f"  {labelled(str(r['code']), names)}: {r['people']}")
