"""Blueprint ``pages``: the route card (view + actions) and the dashboards. Views stay thin:
resolve the caller, check scope, call a service, redirect back to the card."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from urllib.parse import quote

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WResponse

from lms_bridge.domain import access
from lms_bridge.domain.codifier import labelled
from lms_bridge.domain.completion import completion_gaps
from lms_bridge.domain.final_stage import IMPLEMENTING
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import ActivityCategory, ActivityLevel, Block, Level, Role, RouteStatus
from lms_bridge.domain.workflow import may
from lms_bridge.errors import Problem, ValidationError
from lms_bridge.exporters.card_text import Issuer
from lms_bridge.exporters.json_card import route_summary
from lms_bridge.ports import Principal, RouteStore
from lms_bridge.services import choices, demand, proposals, route_actions
from lms_bridge.services.codifier import deficit_names
from lms_bridge.services.events import upcoming_events
from lms_bridge.services.reports import GROUP_LABELS, GROUPINGS, report_to_dict, summarise
from lms_bridge.web import card_results
from lms_bridge.web.access import (
    actor_of,
    get_visible_route,
    requested_filter,
    requested_grouping,
    requested_status,
)
from lms_bridge.web.auth import check_csrf, current_principal
from lms_bridge.web.card_view import card_document, view
from lms_bridge.web.context import web_context

bp = Blueprint("pages", __name__)
ROWS_SHOWN = 500  # the registry table; the full list is in the API and the registry export

MESSAGES = {
    "mark": "Отметка сохранена.",
    "note": "Промежуточный результат сохранён.",
    "correct": "Маршрут изменён.",
    "propose": "Предложение передано куратору.",
    "conclude": "Выводы сохранены.",
    "transition": "Статус маршрута изменён.",
    "sign": "Отметка об ознакомлении сохранена.",
    "choose": "Курс выбран: заявку на обучение подаёт руководитель ОО.",
    **card_results.MESSAGES,
}


def _date(field: str, required: bool = False) -> date | None:
    raw = request.form.get(field, "").strip()
    if not raw:
        if required:
            raise ValidationError([Problem("укажите дату", field=field)])
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError([Problem(f"«{raw}» — не дата (ГГГГ-ММ-ДД)", field=field)]) from None


def _back(number: str, msg: str) -> WResponse:
    return redirect(url_for("pages.card", number=number, lid=g.lid or None, msg=msg), code=303)


@bp.get("/card/<number>")
def card(number: str) -> str:
    ctx = web_context()
    p = current_principal()
    msg = request.args.get("msg", "")
    # A repeat view of an unchanged card by the same session is served from this worker's cache:
    # the key holds the route's version (any save or audit line changes it) and today's date.
    key = None
    if ctx.cards.enabled and g.lid:
        key = (g.lid, number, msg, ctx.today(), ctx.store().route_version(number))
        if (html := ctx.cards.get(key)) is not None:
            return html
    html = _render_card(number, p, msg)
    if key is not None:
        ctx.cards.put(key, html)
    return html


def _render_card(number: str, p: Principal, msg: str) -> str:
    ctx = web_context()
    store = ctx.store()
    route = get_visible_route(store, p, number)
    courses = ctx.course_ids([a.lms_course for a in route.activities if a.lms_course])
    past = store.list_teacher_routes(route.teacher.email)
    model = view(route, p, ctx.today(), ctx.settings.moodle_url, courses, ctx.workflow, past)
    names = deficit_names(store, ctx.settings.profile.name)
    offered = choices.options(store, route) if may(route, p.role, "choose", ctx.workflow) else {}
    return render_template(
        "card.html",
        deficit=lambda code: labelled(code, names),
        layout=ctx.settings.profile.card.layout,
        p=p,
        offered=offered,
        proposals=proposals.list_proposals(store, route.number),
        message=MESSAGES.get(msg),
        categories=list(ActivityCategory),
        activity_levels=list(ActivityLevel),
        **model,
    )


@bp.post("/card/<number>/<action>")
def act(number: str, action: str) -> WResponse:
    ctx = web_context()
    if action == "product":  # the product's file: its own size limit (before the form is read)
        request.max_content_length = ctx.settings.product_max_bytes + (64 << 10)
    p = current_principal()
    check_csrf(p)
    store = ctx.store()
    actor = actor_of(p)
    with store.transaction():
        route = get_visible_route(store, p, number)
        _apply(store, route, actor, action)
    return _back(number, action)


# long: one branch per card action form, each a line or two
def _apply(store: RouteStore, route: Route, actor: Actor, action: str) -> None:
    ctx = web_context()
    f = request.form
    number, today = route.number, ctx.today()
    if action in card_results.HANDLERS:
        card_results.HANDLERS[action](store, route, actor, today, ctx.settings)
    elif action == "mark":
        route_actions.mark(
            store,
            number,
            f.get("key", ""),
            actor,
            today,
            on=card_results.form_date("done_on"),
            done=f.get("done", "1") == "1",
            result=f.get("result", ""),
            result_form=f.get("result_form", ""),
            reason=f.get("reason", ""),
        )
    elif action == "note":
        route_actions.note(store, number, f.get("key", ""), actor, f.get("note", ""))
    elif action == "choose":
        choices.choose(store, number, f.get("key", ""), f.get("course", ""), actor, today)
    elif action == "propose":
        proposals.propose(store, route, actor, f.get("text", ""))
    elif action == "correct":
        route_actions.correct(
            store,
            number,
            actor,
            ctx.clock(),
            new=None if f.get("remove") else _new_activity(route.next_activity_key()),
            replaces=f.get("replaces") or None,
            reason=f.get("reason", ""),
        )
    elif action == "conclude":
        levels = {b: Level.parse(f[f"level_{b.value}"]) for b in Block if f.get(f"level_{b.value}")}
        route_actions.conclude(
            store,
            number,
            actor,
            today,
            final_levels=levels,
            conclusion=f.get("conclusion", ""),
            next_diagnostic_on=_date("next_diagnostic_on"),
        )
    elif action == "transition":
        route_actions.move(
            store,
            number,
            f.get("action", ""),
            actor,
            today,
            ctx.workflow,
            new_end=card_results.form_date("new_end"),
            max_months=ctx.settings.route_max_months,
        )
    elif action == "sign":
        route_actions.sign(store, number, actor, today, correction=_correction_no(f.get("correction", "")))
    else:
        raise ValidationError([Problem(f"неизвестное действие «{action}»", field="action")])


def _correction_no(raw: str) -> int | None:
    """The form's ``correction``: a correction's number, or empty for the conclusions."""
    if not raw.strip():
        return None
    if not raw.strip().isdigit():
        raise ValidationError([Problem(f"«{raw}» — не номер корректировки", field="correction")])
    return int(raw)


def _new_activity(key: str) -> Activity:
    f = request.form
    title = f.get("title", "").strip()
    if not title:
        raise ValidationError([Problem("укажите название мероприятия", field="title")])
    try:
        category = ActivityCategory.parse(f.get("category", ""))
        level = ActivityLevel.parse(f.get("level", "regional"))
    except ValueError as e:
        raise ValidationError([Problem(str(e), field="category")]) from None
    codes = tuple(c.strip() for c in f.get("deficit_codes", "").split(",") if c.strip())
    return Activity(
        key=key,
        category=category,
        title=title,
        level=level,
        organiser=f.get("organiser", "").strip(),
        start=_date("start"),
        end=_date("end"),
        deficit_codes=codes,
        lms_course=f.get("lms_course", "").strip() or None,
    )


@bp.get("/card/<number>/card.docx")
def card_docx(number: str) -> WResponse:
    ctx = web_context()
    p = current_principal()
    route = get_visible_route(ctx.store(), p, number)
    names = deficit_names(ctx.store(), ctx.settings.profile.name)
    data, filename = card_document(route, p, Issuer.from_settings(ctx.settings, names))
    resp = WResponse(data, mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    resp.headers["Content-Disposition"] = f"attachment; filename={filename}"
    return resp


@bp.get("/card/<number>/product-file")
def product_file(number: str) -> WResponse:
    """The educational product's file, for whoever may see the card."""
    ctx = web_context()
    route = get_visible_route(ctx.store(), current_principal(), number)
    file, data = ctx.store().get_product_file(route.number)
    resp = WResponse(data, mimetype=file.content_type)
    resp.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(file.name)}"
    return resp


def _registry_row(route: Route, today: date) -> dict[str, object]:
    """A registry line, with what a route being implemented still lacks for completion (the list the
    refusal of ``complete`` gives) and the day a completed route was completed."""
    row: dict[str, object] = route_summary(route, today)
    row["missing"] = completion_gaps(route) if route.status in IMPLEMENTING else []
    row["completed_on"] = route.completed_on
    return row


@bp.get("/dashboard")
def dashboard() -> str:
    """The registry in the caller's scope (filters for ЦНППМ staff) and the aggregated report."""
    ctx = web_context()
    p = current_principal()
    a = request.args
    # the archive (003 §4.5.4) is out of the working list: ЦНППМ staff open it with ``archived=1``,
    # a teacher sees their archived cards as the portfolio (004) under the list
    archive_view = bool(a.get("archived")) and access.may_filter_by_place(p)
    flt = replace(requested_filter(p, a), archived=archive_view)
    status = requested_status(a)
    by = requested_grouping(a, "school" if p.role is Role.HEAD else "municipality")
    routes = list(ctx.store().iter_routes(flt))
    today = ctx.today()
    rows = [_registry_row(r, today) for r in routes if status is None or r.status is status]
    if a.get("overdue"):
        rows = [r for r in rows if r["overdue"]]
    report = None
    if access.sees_reports(p) and not archive_view:
        report = report_to_dict(summarise(routes, by=by))
    bank = None
    if access.sees_region_demand(p) and not archive_view:
        bank = demand.region_bank(ctx.store(), ctx.settings.report_min_group, ctx.settings.profile.name)
    portfolio = []
    if p.role is Role.TEACHER:
        portfolio = [route_summary(r, today) for r in ctx.store().iter_routes(replace(flt, archived=True))]
    return render_template(
        "dashboard.html",
        p=p,
        rows=rows[:ROWS_SHOWN],
        total_rows=len(rows),
        report=report,
        by=by,
        groupings=[(g, GROUP_LABELS[g]) for g in GROUPINGS],
        statuses=list(RouteStatus),
        filters=a,
        sees_all=access.may_filter_by_place(p),
        archive_view=archive_view,
        portfolio=portfolio,
        demand=bank,
        study_office=access.sees_study_office(p),
    )


@bp.get("/events")
def events() -> str:
    """Upcoming events of the routes in the caller's scope (services/events.py: no names, no counts)."""
    ctx = web_context()
    p = current_principal()
    today = ctx.today()
    found = upcoming_events(ctx.store().iter_routes(requested_filter(p, {})), today)
    return render_template("events.html", p=p, events=found, today=today)
