"""``routes event ...``, ``routes product``, ``routes product-file``, ``routes reflection``: the
reflective-analytical stage of a route (final public events, educational product, reflection)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import click

from lms_bridge.cli.context import AppContext
from lms_bridge.cli.options import DATE, parse_actor
from lms_bridge.domain.final_events import EventDraft
from lms_bridge.domain.people import Actor
from lms_bridge.domain.results import REFLECTION_QUESTIONS
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import ActivityLevel, ProductKind
from lms_bridge.services import route_results
from lms_bridge.services.route_results import Upload, UploadRules

ACTOR = click.option("--actor", required=True, callback=parse_actor, help="РОЛЬ:ИМЯ (teacher, curator)")


def _level(_ctx: click.Context, _param: click.Parameter, value: str) -> ActivityLevel:
    try:
        return ActivityLevel.parse(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from e


F = TypeVar("F", bound=Callable[..., object])


def _event_options(command: F) -> F:
    for option in reversed(
        (
            click.option(
                "--form", "form_", required=True, help="форма: открытый урок, мастер-класс, доклад…"
            ),
            click.option("--title", required=True, help="название (тема)"),
            click.option(
                "--level",
                default="school",
                show_default=True,
                callback=_level,
                help="уровень: federal, regional, municipal, school",
            ),
            click.option("--start", type=DATE, default=None, help="дата (начало)"),
            click.option("--end", type=DATE, default=None, help="окончание, если больше одного дня"),
        )
    ):
        command = option(command)
    return command


def _draft(
    form_: str, title: str, level: ActivityLevel, start: datetime | None, end: datetime | None
) -> EventDraft:
    first = start.date() if start else None
    return EventDraft(form_, title, level, first, end.date() if end else first)


def _events_line(route: Route) -> str:
    held = sum(e.held for e in route.final_events)
    return f"{route.number}: итоговых мероприятий {len(route.final_events)}, проведено {held}"


@click.group("event")
def event_group() -> None:
    """Итоговые публичные мероприятия маршрута: педагог предлагает, куратор подтверждает."""


@event_group.command("list")
@click.argument("number")
@click.pass_obj
def event_list(app: AppContext, number: str) -> None:
    """Итоговые мероприятия маршрута NUMBER."""
    route = app.store.get_route(number)
    for e in route.final_events:
        when = f"{e.start:%d.%m.%Y}" if e.start else "дата не назначена"
        click.echo(f"  {e.key}. {e.form} «{e.title}» ({e.level.label}, {when}) — {e.state_label}")
    click.echo(_events_line(route))


@event_group.command("add")
@click.argument("number")
@ACTOR
@_event_options
@click.pass_obj
def event_add(
    app: AppContext,
    number: str,
    actor: Actor,
    form_: str,
    title: str,
    level: ActivityLevel,
    start: datetime | None,
    end: datetime | None,
) -> None:
    """Запланировать (педагог — предложить) итоговое мероприятие маршрута NUMBER."""
    route = route_results.add_event(app.store, number, actor, _draft(form_, title, level, start, end))
    click.echo(f"{_events_line(route)}; добавлено № {route.final_events[-1].key}")


@event_group.command("edit")
@click.argument("number")
@click.argument("key")
@ACTOR
@_event_options
@click.pass_obj
def event_edit(
    app: AppContext,
    number: str,
    key: str,
    actor: Actor,
    form_: str,
    title: str,
    level: ActivityLevel,
    start: datetime | None,
    end: datetime | None,
) -> None:
    """Изменить итоговое мероприятие KEY (пока оно не проведено)."""
    route = route_results.edit_event(app.store, number, actor, key, _draft(form_, title, level, start, end))
    click.echo(f"{_events_line(route)}; № {key} изменено")


@event_group.command("remove")
@click.argument("number")
@click.argument("key")
@ACTOR
@click.pass_obj
def event_remove(app: AppContext, number: str, key: str, actor: Actor) -> None:
    """Удалить итоговое мероприятие KEY (пока оно не проведено)."""
    route = route_results.remove_event(app.store, number, actor, key)
    click.echo(f"{_events_line(route)}; № {key} удалено")


@event_group.command("held")
@click.argument("number")
@click.argument("key")
@ACTOR
@click.option("--on", type=DATE, default=None, help="дата проведения (по умолчанию сегодня)")
@click.option("--link", default="", help="ссылка на материалы (запись, публикация, программа)")
@click.option("--note", default="", help="примечание: где и как проведено")
@click.pass_obj
def event_held(
    app: AppContext, number: str, key: str, actor: Actor, on: datetime | None, link: str, note: str
) -> None:
    """Отметить проведение мероприятия KEY (педагог сообщает, куратор подтверждает)."""
    today = app.today()
    route = route_results.mark_event_held(
        app.store, number, actor, key, on=on.date() if on else today, today=today, link=link, note=note
    )
    click.echo(f"{_events_line(route)}; № {key}: {route.get_final_event(key).state_label}")


@event_group.command("confirm")
@click.argument("number")
@click.argument("key")
@ACTOR
@click.pass_obj
def event_confirm(app: AppContext, number: str, key: str, actor: Actor) -> None:
    """Куратор подтверждает предложенное педагогом мероприятие или его проведение."""
    route = route_results.confirm_event(app.store, number, actor, key)
    click.echo(f"{_events_line(route)}; № {key}: {route.get_final_event(key).state_label}")


def _kind(_ctx: click.Context, _param: click.Parameter, value: str) -> ProductKind:
    try:
        return ProductKind.parse(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from e


@click.command("product")
@click.argument("number")
@ACTOR
@click.option("--kind", required=True, callback=_kind, help="вид: " + ", ".join(k.value for k in ProductKind))
@click.option("--title", required=True, help="название продукта")
@click.option("--description", default="", help="краткое описание")
@click.option("--link", default="", help="ссылка на продукт")
@click.option(
    "--file", "path", type=click.Path(dir_okay=False, exists=True), help="файл продукта (хранится в реестре)"
)
@click.pass_obj
def product_cmd(
    app: AppContext,
    number: str,
    actor: Actor,
    kind: ProductKind,
    title: str,
    description: str,
    link: str,
    path: str | None,
) -> None:
    """Образовательный продукт педагога по маршруту NUMBER (ссылка и/или файл)."""
    s = app.settings
    upload = Upload(Path(path).name, Path(path).read_bytes()) if path else None
    route = route_results.save_product(
        app.store,
        number,
        actor,
        app.today(),
        kind=kind,
        title=title,
        description=description,
        link=link,
        upload=upload,
        rules=UploadRules(s.product_max_bytes, tuple(s.product_file_types)),
    )
    p = route.product
    assert p is not None
    file = f"; файл {p.file.name} ({p.file.size} байт)" if p.file else ""
    click.echo(f"{number}: образовательный продукт сохранён — {p.kind.label} «{p.title}»{file}")


@click.command("product-file")
@click.argument("number")
@click.option(
    "--out", type=click.Path(dir_okay=False, writable=True), help="куда сохранить (по умолчанию — имя файла)"
)
@click.pass_obj
def product_file_cmd(app: AppContext, number: str, out: str | None) -> None:
    """Сохранить файл образовательного продукта маршрута NUMBER."""
    file, data = app.store.get_product_file(number)
    target = Path(out or file.name)
    target.write_bytes(data)
    click.echo(f"{number}: {target} ({file.size} байт)")


@click.command("reflection")
@click.argument("number")
@ACTOR
@click.option("--overcome", default="", help=REFLECTION_QUESTIONS[0][1])
@click.option("--helped", default="", help=REFLECTION_QUESTIONS[1][1])
@click.option("--remains", default="", help=REFLECTION_QUESTIONS[2][1])
@click.option("--needs-met", "needs_met", default="", help=REFLECTION_QUESTIONS[3][1])
@click.pass_obj
def reflection_cmd(
    app: AppContext, number: str, actor: Actor, overcome: str, helped: str, remains: str, needs_met: str
) -> None:
    """Рефлексия (самоанализ) педагога по итогам маршрута NUMBER."""
    answers = {"overcome": overcome, "helped": helped, "remains": remains, "needs_met": needs_met}
    route_results.save_reflection(app.store, number, actor, app.today(), answers)
    click.echo(f"{number}: самоанализ сохранён")
