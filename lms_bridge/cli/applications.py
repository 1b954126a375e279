"""``lms-bridge applications``: enrolment applications for ДПП courses (000 §2.1, §2.2)."""

from __future__ import annotations

import json
from dataclasses import replace

import click

from lms_bridge.cli.context import AppContext
from lms_bridge.cli.options import parse_actor
from lms_bridge.domain.people import Actor
from lms_bridge.domain.vocabulary import Role
from lms_bridge.services.applications import Application, confirm, confirm_school, list_applications


def _row(a: Application) -> dict[str, str]:
    return {
        "number": a.number,
        "teacher": a.teacher,
        "school": a.school,
        "activity": a.key,
        "course": a.course,
        "title": a.title,
        "head_confirmed_by": a.head_confirmed_by,
        "centre_confirmed_by": a.centre_confirmed_by,
        "state": a.state,
    }


def _echo(apps: list[Application]) -> None:
    for a in apps:
        click.echo(f"{a.number}  {a.key}  {a.course:<16} {a.teacher} ({a.school}): {a.state}")


@click.group("applications")
def group() -> None:
    """Заявки на обучение по ДПП: подтверждают руководитель ОО и специалист ЦНППМ."""


@group.command("list")
@click.option("--pending", is_flag=True, help="только неподтверждённые")
@click.option("--school", help="только эта образовательная организация")
@click.option("--json", "as_json", is_flag=True, help="вывести JSON")
@click.pass_obj
def list_cmd(app: AppContext, pending: bool, school: str | None, as_json: bool) -> None:
    """Заявки по курсам ДПП утверждённых маршрутов и маршрутов в работе."""
    apps = list_applications(app.store, pending_only=pending, school=school)
    if as_json:
        click.echo(json.dumps([_row(a) for a in apps], ensure_ascii=False, indent=2))
        return
    _echo(apps)
    click.echo(f"заявок: {len(apps)}")


@group.command("confirm")
@click.argument("number")
@click.option("--activity", "key", help="ключ мероприятия (по умолчанию все курсы ДПП маршрута)")
@click.option("--actor", required=True, callback=parse_actor, help="head:ФИО или centre:ФИО")
@click.option("--school", help="организация руководителя ОО (для роли head)")
@click.pass_obj
def confirm_cmd(app: AppContext, number: str, key: str | None, actor: Actor, school: str | None) -> None:
    """Подтвердить заявку(и) маршрута: сначала руководитель ОО, затем специалист ЦНППМ."""
    if school:
        actor = replace(actor, school=school)
    done = confirm(app.store, number, actor, key=key)
    _echo(done)
    click.echo(f"подтверждено заявок: {len(done)}")


@group.command("confirm-school")
@click.argument("school")
@click.option("--actor", required=True, callback=parse_actor, help="head:ФИО или centre:ФИО")
@click.pass_obj
def confirm_school_cmd(app: AppContext, school: str, actor: Actor) -> None:
    """Все заявки организации сразу: руководитель ОО (000 §2.2), затем специалист ЦНППМ."""
    if actor.role is Role.HEAD:
        actor = replace(actor, school=school)
    done = confirm_school(app.store, school, actor)
    _echo(done)
    click.echo(f"подтверждено заявок: {len(done)}")
