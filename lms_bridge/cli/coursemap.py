from __future__ import annotations

import json
from pathlib import Path

import click

from course_map.loading import FORMATS, load_course_map, load_sites
from lms_bridge.cli.context import AppContext
from lms_bridge.cli.options import input_file
from lms_bridge.domain.people import Actor
from lms_bridge.importers.formats import read_file
from lms_bridge.services.imports import replace_course_map, replace_sites
from lms_bridge.storage.codec import entry_row


def _actor(_ctx: click.Context, _param: click.Parameter, value: str) -> Actor:
    try:
        return Actor.parse(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from e


@click.group("course-map")
def group() -> None:
    """Каталог мероприятий: курсы ДПП, мероприятия, стажировки; реестр стажировочных площадок."""


def _output(data: bytes, output: str | None, default: str) -> None:
    path = output or default
    with open(path, "wb") as f:
        f.write(data)
    click.echo(f"записано: {path}", err=True)


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
    """Заменить каталог содержимым FILE (CSV или XLSX). Одна ошибочная строка — каталог не меняется.
    Стажировки ссылаются на площадки реестра: сначала `course-map sites import`."""
    sites = {s.code for s in app.store.list_sites()}
    entries = load_course_map(read_file(file), file, fmt=fmt, sites=sites)
    replace_course_map(app.store, entries, actor)
    courses = sum(1 for e in entries if e.formal)
    internships = sum(1 for e in entries if e.internship_site)
    click.echo(
        f"каталог загружен: курсов ДПП {courses}, мероприятий {len(entries) - courses - internships}, "
        f"стажировок {internships}"
    )


@group.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="xlsx", show_default=True)
@click.option("-o", "--output", help="файл (по умолчанию каталог.<формат>)")
@click.pass_obj
def export_cmd(app: AppContext, fmt: str, output: str | None) -> None:
    """Выгрузить каталог в CSV или XLSX — в формате загрузки (его можно править и загрузить снова)."""
    from lms_bridge.exporters.catalogue import export_catalogue

    entries = app.store.list_course_map()
    _output(export_catalogue(entries, fmt), output, f"каталог.{fmt}")
    click.echo(f"мероприятий в каталоге: {len(entries)}", err=True)


@group.group("sites")
def sites_group() -> None:
    """Реестр региональных стажировочных площадок (прил. 4 к приказу 003)."""


@sites_group.command("import")
@input_file(FORMATS)
@click.option(
    "--actor", default="course_admin:lms-bridge", show_default=True, callback=_actor, help="РОЛЬ:ИМЯ"
)
@click.pass_obj
def sites_import_cmd(app: AppContext, file: str, fmt: str | None, actor: Actor) -> None:
    """Заменить реестр площадок содержимым FILE (CSV или XLSX). Одна ошибочная строка — реестр не меняется."""
    sites = load_sites(read_file(file), file, fmt=fmt)
    replace_sites(app.store, sites, actor)
    click.echo(f"реестр стажировочных площадок загружен: площадок {len(sites)}")


@sites_group.command("show")
@click.option("--json", "as_json", is_flag=True, help="вывести JSON")
@click.pass_obj
def sites_show_cmd(app: AppContext, as_json: bool) -> None:
    """Показать реестр стажировочных площадок."""
    from lms_bridge.storage.codec import site_row

    sites = app.store.list_sites()
    if as_json:
        click.echo(json.dumps([site_row(s) for s in sites], ensure_ascii=False, indent=2, default=str))
        return
    for s in sites:
        click.echo(
            f"{s.code}  {s.school}: {'; '.join(s.topics)}; мест {s.places}; "
            f"дефициты: {', '.join(s.deficit_codes) or '—'}; тьюторы: {', '.join(s.tutors) or '—'}"
        )
    click.echo(f"всего: {len(sites)}")


@sites_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="xlsx", show_default=True)
@click.option("-o", "--output", help="файл (по умолчанию площадки.<формат>)")
@click.pass_obj
def sites_export_cmd(app: AppContext, fmt: str, output: str | None) -> None:
    """Выгрузить реестр площадок в CSV или XLSX (в формате загрузки)."""
    from lms_bridge.exporters.catalogue import export_sites

    _output(export_sites(app.store.list_sites(), fmt), output, f"площадки.{fmt}")


@group.command("show")
@click.option("--json", "as_json", is_flag=True, help="вывести JSON")
@click.pass_obj
def show_cmd(app: AppContext, as_json: bool) -> None:
    """Показать каталог."""
    entries = app.store.list_course_map()
    if as_json:
        click.echo(json.dumps([entry_row(e) for e in entries], ensure_ascii=False, indent=2, default=str))
        return
    kinds = {"course": "курс", "event": "мероприятие", "internship": "стажировка"}
    for e in entries:
        blocks = ", ".join(b.label for b in e.blocks) or "—"
        extra = f"; требования: {e.prerequisites.label}" if e.prerequisites else ""
        places = f", мест {e.capacity}" if e.capacity else ""
        click.echo(
            f"{e.lms_course}  {e.title} ({kinds[e.kind.value]}, {e.hours} ч, {e.level.label}, "
            f"{e.origin.label}{places}); дефициты: {', '.join(e.deficit_codes)}; блоки: {blocks}{extra}"
        )
    click.echo(f"всего: {len(entries)}")


@group.command("coverage")
@click.option("--json", "as_json", is_flag=True, help="вывести JSON")
@click.option(
    "--xlsx",
    "xlsx_out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="сохранить банк запросов в XLSX (техническое задание на новые ДПП)",
)
@click.pass_obj
def coverage_cmd(app: AppContext, as_json: bool, xlsx_out: Path | None) -> None:
    """Банк запросов: дефициты из последней диагностики педагогов, которые не закрывает ни один курс или
    мероприятие каталога (число педагогов менее 5 не показывается)."""
    from lms_bridge.services.demand import demand_xlsx, people_label, region_bank

    bank = region_bank(app.store, app.settings.report_min_group, app.settings.profile.name)
    if xlsx_out is not None:
        xlsx_out.write_bytes(demand_xlsx(bank))
        click.echo(f"банк запросов сохранён: {xlsx_out}", err=True)
    rows = [{"code": r.code, "name": r.name, "block": r.block, "people": r.people} for r in bank.rows]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("все дефициты из диагностики закрыты каталогом")
        return
    click.echo(f"не закрыты каталогом (код дефицита — сколько педагогов из {bank.population}):")
    for r in bank.rows:
        name = f" {r.name}" if r.name else ""
        click.echo(f"  {r.code}{name} — {people_label(r, bank.min_group)}")
