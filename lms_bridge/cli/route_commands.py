"""The commands of ``lms-bridge routes`` (building, the registry, the card, the workflow), loaded only when
one of them runs (cli/routes.py lists them)."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import datetime

import click

from lms_bridge.bootstrap import draft_rules, keeping_policy, workflow_policy
from lms_bridge.cli.context import AppContext
from lms_bridge.cli.options import DATE, parse_actor, parse_status, recipient_option
from lms_bridge.domain.access import Recipient, redact_for
from lms_bridge.domain.people import SYSTEM, Actor
from lms_bridge.domain.route import Activity, signed_by
from lms_bridge.domain.signatures import correction_signatures, signature_line
from lms_bridge.domain.vocabulary import (
    ActivityCategory,
    ActivityLevel,
    Block,
    Level,
    RouteStatus,
    SignatureParty,
)
from lms_bridge.domain.workflow import ACTIONS
from lms_bridge.exporters.json_card import route_summary, route_to_dict
from lms_bridge.ports import RouteFilter
from lms_bridge.services import proposals, route_actions
from lms_bridge.services.build import build_routes


@click.command("build")
@click.option(
    "--actor",
    default="developer:lms-bridge",
    callback=parse_actor,
    show_default=True,
    help="кто составляет маршруты, РОЛЬ:ИМЯ",
)
@click.option("--json", "as_json", is_flag=True, help="вывести JSON")
@click.pass_obj
def build_cmd(app: AppContext, actor: Actor, as_json: bool) -> None:
    """Составить проект ИОМ для каждого продиагностированного педагога без маршрута.

    Диагностика старше срока актуальности (000 §1.8: до конца следующего календарного года)
    маршрута не даёт: такие педагоги перечисляются с причиной.
    """
    s = app.settings
    summary = build_routes(
        app.store,
        region=s.region,
        today=app.today(),
        actor=actor if actor else SYSTEM,
        rules=draft_rules(s),
        keeping=keeping_policy(s),
    )
    if as_json:
        data = asdict(summary)
        data["skipped"] = [
            {**asdict(k), "diagnostic_on": k.diagnostic_on.isoformat()} for k in summary.skipped
        ]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(
        f"составлено маршрутов: {summary.built}; без подходящих курсов: {summary.without_courses}; "
        f"без куратора: {summary.without_curator}; пропущено: {len(summary.skipped)}"
    )
    for k in summary.skipped:
        click.echo(f"  пропущен: {k.teacher} <{k.email}> ({k.school or '—'}) — {k.reason}")


@click.command("list")
@click.option("--status", callback=parse_status, help="статус: " + ", ".join(s.value for s in RouteStatus))
@click.option("--overdue", is_flag=True, help="только с нарушенным сроком")
@click.option("--school", help="только эта образовательная организация")
@click.option(
    "--archived", is_flag=True, help="архив (маршруты после срока хранения) вместо рабочего реестра"
)
@click.option("--json", "as_json", is_flag=True, help="вывести JSON")
@click.pass_obj
def list_cmd(
    app: AppContext,
    status: RouteStatus | None,
    overdue: bool,
    school: str | None,
    archived: bool,
    as_json: bool,
) -> None:
    """Реестр маршрутов (маршруты в архиве — только с --archived)."""
    today = app.today()
    flt = RouteFilter(status=status, school=school, archived=archived)
    rows = [route_summary(r, today) for r in app.store.iter_routes(flt)]
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


@click.command("show")
@click.argument("number")
@click.option("--json", "as_json", is_flag=True, help="вывести JSON")
@recipient_option
@click.pass_obj
def show_cmd(app: AppContext, number: str, as_json: bool, recipient: Recipient | None) -> None:
    """Карта маршрута NUMBER."""
    route = app.store.get_route(number)
    if recipient is not None:
        route = redact_for(route, recipient)
    if as_json:
        click.echo(json.dumps(route_to_dict(route), ensure_ascii=False, indent=2))
        return
    t = route.teacher
    done, total = route.progress()
    click.echo(f"ИОМ № {route.number} — {route.status.label}")
    click.echo(f"Педагог: {t.full_name}, {t.position}, {t.school} ({t.municipality})")
    click.echo(f"Куратор: {route.curator_name or '—'}")
    deficits = route.withheld or f"дефициты: {', '.join(route.diagnostic.deficit_codes) or '—'}"
    click.echo(f"Диагностика: {route.diagnostic.kind.label}, {route.diagnostic.date:%d.%m.%Y}; {deficits}")
    click.echo(f"Сроки: {route.start or '—'} — {route.end or '—'}; выполнено {done} из {total}")
    for a in route.activities:
        mark = "✓" if a.done else " "
        course = f" [курс {a.lms_course}]" if a.formal else ""
        click.echo(f"  [{mark}] {a.key}. {a.title}{course} — {a.category.label}")
    for i, c in enumerate(route.corrections, start=1):
        click.echo(f"  корректировка № {i} {c.at:%d.%m.%Y}: {c.reason} ({c.author})")
        for party, line in correction_signatures(c):
            click.echo(f"      {party.label}: {line or 'не подписано'}")
    if route.conclusion:
        ack = signed_by(route.conclusion_signatures, SignatureParty.TEACHER)
        click.echo(f"Выводы: {route.conclusion}")
        click.echo(f"  С выводами ознакомлен(а): {signature_line(ack) or 'не подписано'}")
    if route.archived_on:
        click.echo(f"В архиве с {route.archived_on:%d.%m.%Y}")


@click.command("transition")
@click.argument("number")
@click.argument("action", type=click.Choice(list(ACTIONS)))
@click.option("--actor", required=True, callback=parse_actor, help='РОЛЬ:ИМЯ, например head:"Петрова А.А."')
@click.option("--end", "new_end", type=DATE, default=None, help="новая дата окончания (для prolong)")
@click.pass_obj
def transition_cmd(app: AppContext, number: str, action: str, actor: Actor, new_end: datetime | None) -> None:
    """Перевести маршрут NUMBER: submit, return, finalise, agree, approve, start, complete, prolong,
    resume, cancel.

    finalise — окончательное оформление и регистрация разработчиком (003 §4.3.7–4.3.8);
    agree — согласование руководителем ЦНППМ (004 §2; при LMS_BRIDGE_CENTRE_HEAD_AGREEMENT=true);
    complete отказывает, перечисляя всё, чего не хватает; prolong требует --end.
    """
    before = app.store.get_route(number).status
    moved = route_actions.move(
        app.store,
        number,
        action,
        actor,
        app.today(),
        workflow_policy(app.settings),
        new_end=new_end.date() if new_end else None,
        max_months=app.settings.route_max_months,
    )
    end = f" (окончание {moved.end:%d.%m.%Y})" if action == "prolong" and moved.end else ""
    click.echo(f"{number}: {before.label} → {moved.status.label}{end}")


@click.command("mark")
@click.argument("number")
@click.argument("key")
@click.option("--actor", required=True, callback=parse_actor, help="РОЛЬ:ИМЯ (педагог, куратор)")
@click.option("--result", default="", help="результат (продукт)")
@click.option("--form", "result_form", default="", help="форма представления результата")
@click.option("--not-done", is_flag=True, help="отметить как невыполненное (нужна --reason)")
@click.option("--reason", default="", help="причина невыполнения")
@click.option("--on", type=DATE, default=None, help="дата выполнения (по умолчанию сегодня)")
@click.pass_obj
def mark_cmd(
    app: AppContext,
    number: str,
    key: str,
    actor: Actor,
    result: str,
    result_form: str,
    not_done: bool,
    reason: str,
    on: datetime | None,
) -> None:
    """Отметить выполнение мероприятия KEY маршрута NUMBER (курс ДПП отмечается только по СДО)."""
    route = route_actions.mark(
        app.store,
        number,
        key,
        actor,
        app.today(),
        on=on.date() if on else None,
        done=not not_done,
        result=result,
        result_form=result_form,
        reason=reason,
    )
    done, total = route.progress()
    click.echo(f"{number}: мероприятие {key} отмечено; выполнено {done} из {total}")


@click.command("note")
@click.argument("number")
@click.argument("key")
@click.argument("text")
@click.option("--actor", required=True, callback=parse_actor, help="curator:ИМЯ")
@click.pass_obj
def note_cmd(app: AppContext, number: str, key: str, text: str, actor: Actor) -> None:
    """Промежуточный результат куратора по мероприятию KEY."""
    route_actions.note(app.store, number, key, actor, text)
    click.echo(f"{number}: запись куратора сохранена")


@click.command("propose")
@click.argument("number")
@click.argument("text")
@click.option("--actor", required=True, callback=parse_actor, help="teacher:ИМЯ")
@click.pass_obj
def propose_cmd(app: AppContext, number: str, text: str, actor: Actor) -> None:
    """Предложение педагога о корректировке маршрута NUMBER (TEXT; «-» — прочитать из stdin)."""
    if text == "-":
        text = sys.stdin.read()
    proposals.propose(app.store, app.store.get_route(number), actor, text)
    click.echo(f"{number}: предложение передано куратору")


@click.command("correct")
@click.argument("number")
@click.option("--actor", required=True, callback=parse_actor, help="РОЛЬ:ИМЯ")
@click.option("--reason", default="", help="причина (обязательна после утверждения)")
@click.option("--replace", "replaces", default=None, help="ключ заменяемого (или удаляемого) мероприятия")
@click.option("--remove", is_flag=True, help="удалить мероприятие --replace без замены")
@click.option("--title", default="", help="название нового мероприятия")
@click.option(
    "--category",
    default="exchange",
    show_default=True,
    help="категория: " + ", ".join(c.value for c in ActivityCategory),
)
@click.option(
    "--level", default="regional", show_default=True, help="уровень: federal, regional, municipal, school"
)
@click.option("--organiser", default="", help="организатор")
@click.option("--start", type=click.DateTime(["%Y-%m-%d", "%d.%m.%Y"]), default=None, help="дата начала")
@click.option("--end", type=click.DateTime(["%Y-%m-%d", "%d.%m.%Y"]), default=None, help="дата окончания")
@click.option("--deficits", default="", help="коды дефицитов через ;")
@click.option("--course", default=None, help="курс СДО (idnumber) — для формального мероприятия")
@click.pass_obj
def correct_cmd(
    app: AppContext,
    number: str,
    actor: Actor,
    reason: str,
    replaces: str | None,
    remove: bool,
    title: str,
    category: str,
    level: str,
    organiser: str,
    start: datetime | None,
    end: datetime | None,
    deficits: str,
    course: str | None,
) -> None:
    """Добавить, заменить или удалить мероприятие (после утверждения — корректировка с причиной)."""
    if remove == bool(title):
        raise click.UsageError("укажите либо --title нового мероприятия, либо --remove с --replace")
    if remove and not replaces:
        raise click.UsageError("--remove требует --replace КЛЮЧ")
    new = None
    if not remove:
        route = app.store.get_route(number)
        try:
            new = Activity(
                key=route.next_activity_key(),
                category=ActivityCategory.parse(category),
                title=title.strip(),
                level=ActivityLevel.parse(level),
                organiser=organiser,
                start=start.date() if start else None,
                end=end.date() if end else None,
                deficit_codes=tuple(c.strip() for c in deficits.split(";") if c.strip()),
                lms_course=course,
            )
        except ValueError as e:
            raise click.BadParameter(str(e)) from e
    route = route_actions.correct(
        app.store, number, actor, app.now(), new=new, replaces=replaces, reason=reason
    )
    click.echo(
        f"{number}: дорожная карта изменена; мероприятий {len(route.activities)}, "
        f"корректировок {len(route.corrections)}"
    )


@click.command("close")
@click.argument("number")
@click.argument("key")
@click.option("--actor", required=True, callback=parse_actor, help="curator:ИМЯ")
@click.option("--reason", required=True, help="почему мероприятие не будет выполнено (корректировка)")
@click.pass_obj
def close_cmd(app: AppContext, number: str, key: str, actor: Actor, reason: str) -> None:
    """Закрыть мероприятие KEY без выполнения корректировкой (причина остаётся в карте)."""
    route = route_actions.close(app.store, number, key, actor, app.now(), reason=reason)
    click.echo(f"{number}: мероприятие {key} закрыто корректировкой; корректировок {len(route.corrections)}")


@click.command("conclude")
@click.argument("number")
@click.option("--actor", required=True, callback=parse_actor, help="curator:ИМЯ")
@click.option(
    "--level",
    "levels",
    multiple=True,
    metavar="БЛОК=УРОВЕНЬ",
    help="итоговый уровень блока, например subject=повышенный (повторяемый)",
)
@click.option("--conclusion", required=True, help="выводы куратора")
@click.option(
    "--next-diagnostic",
    type=DATE,
    default=None,
    help="дата следующей диагностики",
)
@click.pass_obj
def conclude_cmd(
    app: AppContext,
    number: str,
    actor: Actor,
    levels: tuple[str, ...],
    conclusion: str,
    next_diagnostic: datetime | None,
) -> None:
    """Выводы куратора по маршруту NUMBER; --level вносит итоговые уровни вручную, если повторная
    диагностика не загружена."""
    final = {}
    for item in levels:
        block, sep, level = item.partition("=")
        try:
            if not sep:
                raise ValueError(f"«{item}»: ожидается БЛОК=УРОВЕНЬ")
            final[Block.parse(block)] = Level.parse(level)
        except ValueError as e:
            raise click.BadParameter(str(e), param_hint="--level") from e
    route = route_actions.conclude(
        app.store,
        number,
        actor,
        app.today(),
        final_levels=final,
        conclusion=conclusion,
        next_diagnostic_on=next_diagnostic.date() if next_diagnostic else None,
    )
    changes = ", ".join(f"{b.label} {d:+d}" for b, d in route.dynamics().items()) or "—"
    click.echo(f"{number}: выводы записаны; динамика: {changes}")


@click.command("history")
@click.argument("number")
@click.option("--json", "as_json", is_flag=True, help="вывести JSON")
@click.pass_obj
def history_cmd(app: AppContext, number: str, as_json: bool) -> None:
    """Журнал действий по маршруту NUMBER: кто, что и когда изменил."""
    app.store.get_route(number)  # a clear error for an unknown number
    entries = app.store.list_audit(number)
    if as_json:
        click.echo(json.dumps([e.__dict__ for e in entries], ensure_ascii=False, indent=2))
        return
    for e in entries:
        click.echo(f"{e.at}  {e.action:<12} {e.actor}  {e.details}")


@click.command("sign")
@click.argument("number")
@click.option("--actor", required=True, callback=parse_actor, help="curator:ИМЯ, head:ИМЯ или teacher:ИМЯ")
@click.option("--correction", type=click.IntRange(min=1), default=None, help="номер корректировки в листе")
@click.option("--conclusion", is_flag=True, help="ознакомление с выводами")
@click.pass_obj
def sign_cmd(app: AppContext, number: str, actor: Actor, correction: int | None, conclusion: bool) -> None:
    """Подписать (ознакомиться): корректировку --correction N или выводы --conclusion.

    Корректировки подписывают куратор ИОМ, руководитель ОО и педагогический работник (003 §5.11);
    выводы — куратор и руководитель, педагог отмечает «С выводами ознакомлен(а)».
    """
    if (correction is None) == (not conclusion):
        raise click.UsageError("укажите либо --correction НОМЕР, либо --conclusion")
    today = app.today()
    fresh = route_actions.sign(app.store, number, actor, today, correction=correction)
    what = f"корректировка № {correction}" if correction else "выводы"
    if fresh:
        click.echo(f"{number}: {what} — ознакомлен(а) {actor.name}, {today:%d.%m.%Y}")
    else:
        click.echo(f"{number}: {what} — уже подписано, подпись не изменена")
