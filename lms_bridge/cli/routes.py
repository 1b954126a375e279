from __future__ import annotations

import json

import click

from lms_bridge.cli.context import AppContext
from lms_bridge.domain.people import SYSTEM, Actor
from lms_bridge.domain.vocabulary import RouteStatus
from lms_bridge.domain.workflow import TRANSITIONS, transition
from lms_bridge.exporters.json_card import route_summary, route_to_dict
from lms_bridge.ports import RouteFilter
from lms_bridge.services.build import build_routes


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


@click.group("routes")
def group() -> None:
    """Маршруты (ИОМ): построение, реестр, карта, переходы."""


@group.command("build")
@click.option(
    "--actor",
    default="developer:lms-bridge",
    callback=parse_actor,
    show_default=True,
    help="кто составляет маршруты, РОЛЬ:ИМЯ",
)
@click.pass_obj
def build_cmd(app: AppContext, actor: Actor) -> None:
    """Составить проект ИОМ для каждого продиагностированного педагога без маршрута."""
    s = app.settings
    summary = build_routes(
        app.store,
        region=s.region,
        today=app.today(),
        actor=actor if actor else SYSTEM,
        months=s.route_months,
        max_hours=s.max_route_hours,
    )
    click.echo(
        f"составлено маршрутов: {summary.built}; без подходящих курсов: {summary.without_courses}; "
        f"без куратора: {summary.without_curator}"
    )


@group.command("list")
@click.option("--status", callback=parse_status, help="статус: " + ", ".join(s.value for s in RouteStatus))
@click.option("--overdue", is_flag=True, help="только с нарушенным сроком")
@click.option("--school", help="только эта образовательная организация")
@click.option("--json", "as_json", is_flag=True, help="вывести JSON")
@click.pass_obj
def list_cmd(
    app: AppContext, status: RouteStatus | None, overdue: bool, school: str | None, as_json: bool
) -> None:
    """Реестр маршрутов."""
    today = app.today()
    rows = [route_summary(r, today) for r in app.store.iter_routes(RouteFilter(status=status, school=school))]
    if overdue:
        rows = [r for r in rows if r["overdue"]]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        flag = " ПРОСРОЧЕН" if r["overdue"] else ""
        click.echo(
            f"{r['number']}  {r['status_label']:<20} {r['done']}/{r['total']}  {r['teacher']}  "
            f"({r['school']})  срок: {r['deadline'] or '—'}{flag}"
        )
    click.echo(f"всего: {len(rows)}")


@group.command("show")
@click.argument("number")
@click.option("--json", "as_json", is_flag=True, help="вывести JSON")
@click.pass_obj
def show_cmd(app: AppContext, number: str, as_json: bool) -> None:
    """Карта маршрута NUMBER."""
    route = app.store.get_route(number)
    if as_json:
        click.echo(json.dumps(route_to_dict(route), ensure_ascii=False, indent=2))
        return
    t = route.teacher
    done, total = route.progress()
    click.echo(f"ИОМ № {route.number} — {route.status.label}")
    click.echo(f"Педагог: {t.full_name}, {t.position}, {t.school} ({t.municipality})")
    click.echo(f"Куратор: {route.curator_name or '—'}")
    click.echo(
        f"Диагностика: {route.diagnostic.kind.label}, {route.diagnostic.date:%d.%m.%Y}; "
        f"дефициты: {', '.join(route.diagnostic.deficit_codes) or '—'}"
    )
    click.echo(f"Сроки: {route.start or '—'} — {route.end or '—'}; выполнено {done} из {total}")
    for a in route.activities:
        mark = "✓" if a.done else " "
        course = f" [курс {a.lms_course}]" if a.formal else ""
        click.echo(f"  [{mark}] {a.key}. {a.title}{course} — {a.category.label}")
    for c in route.corrections:
        click.echo(f"  корректировка {c.at:%d.%m.%Y}: {c.reason} ({c.author})")


@group.command("transition")
@click.argument("number")
@click.argument("action", type=click.Choice(list(TRANSITIONS)))
@click.option("--actor", required=True, callback=parse_actor, help='РОЛЬ:ИМЯ, например head:"Петрова А.А."')
@click.pass_obj
def transition_cmd(app: AppContext, number: str, action: str, actor: Actor) -> None:
    """Перевести маршрут NUMBER: submit, return, approve, start, complete, prolong, resume, cancel."""
    store = app.store
    with store.transaction():
        route = store.get_route(number)
        moved = transition(route, action, actor, app.today())
        store.save_route(moved, actor, action, f"{route.status.value} → {moved.status.value}")
    click.echo(f"{number}: {route.status.label} → {moved.status.label}")
