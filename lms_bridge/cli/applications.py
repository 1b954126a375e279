"""``lms-bridge applications``: enrolment applications for ДПП courses (000 §2.1, §2.2)."""

from __future__ import annotations

import json
from dataclasses import replace

import click

from lms_bridge.cli.context import AppContext
from lms_bridge.cli.options import parse_actor
from lms_bridge.domain.people import Actor
from lms_bridge.domain.vocabulary import Role
from lms_bridge.services.applications import (
    Application,
    Outcome,
    confirm,
    confirm_school,
    list_applications,
    reject,
)


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
        "prerequisites": a.check.label,
    }


def _echo(apps: list[Application]) -> None:
    for a in apps:
        unmet = "" if a.check.met else f"; {a.check.label}"
        click.echo(f"{a.number}  {a.key}  {a.course:<16} {a.teacher} ({a.school}): {a.state}{unmet}")


def _report(out: Outcome) -> None:
    _echo(out.confirmed)
    click.echo(f"подтверждено заявок: {len(out.confirmed)}")
    for r in out.refused:
        a = r.application
        click.echo(f"не подтверждена: {a.number}  {a.key}  {a.course} {a.teacher}: {r.reason}")
    if out.refused:
        raise SystemExit(1)


@click.group("applications")
def group() -> None:
    """Заявки на обучение по ДПП: подтверждают руководитель ОО и специалист ЦНППМ."""


@group.command("list")
@click.option("--pending", is_flag=True, help="только неподтверждённые")
@click.option("--school", help="только эта образовательная организация")
@click.option("--json", "as_json", is_flag=True, help="вывести JSON")
@click.pass_obj
def list_cmd(app: AppContext, pending: bool, school: str | None, as_json: bool) -> None:
    """Заявки по курсам ДПП утверждённых маршрутов и маршрутов в работе (с проверкой требований)."""
    apps = list_applications(app.store, pending_only=pending, school=school, checked=True)
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
    _report(confirm(app.store, number, actor, key=key))


@group.command("confirm-school")
@click.argument("school")
@click.option("--actor", required=True, callback=parse_actor, help="head:ФИО или centre:ФИО")
@click.pass_obj
def confirm_school_cmd(app: AppContext, school: str, actor: Actor) -> None:
    """Все заявки организации сразу: руководитель ОО (000 §2.2), затем специалист ЦНППМ."""
    if actor.role is Role.HEAD:
        actor = replace(actor, school=school)
    _report(confirm_school(app.store, school, actor))


@group.command("reject")
@click.argument("number")
@click.option("--activity", "key", required=True, help="ключ мероприятия (курса ДПП) маршрута")
@click.option("--reason", required=True, help="причина: её увидят руководитель ОО и педагог")
@click.option("--actor", required=True, callback=parse_actor, help="centre:ФИО")
@click.pass_obj
def reject_cmd(app: AppContext, number: str, key: str, reason: str, actor: Actor) -> None:
    """Отклонить заявку с указанием причины (специалист ЦНППМ)."""
    a = reject(app.store, number, key, actor, reason)
    click.echo(f"{a.number}  {a.key}  {a.course} {a.teacher}: {a.state}")
