"""Blueprint ``api``: the JSON API under /api/v1 for the caller's scope (same rules as the pages).

Auth: a launch session (``X-Launch-Id`` header, ``lid`` parameter or the cookie; writes also need
``X-CSRF-Token`` from ``GET /api/v1/me``) or the service token (``Authorization: Bearer …``,
acting as a ЦНППМ specialist). The OpenAPI 3.1 document is served at /api/v1/openapi.json.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, TypeVar

from flask import Blueprint, jsonify, request
from pydantic import BaseModel
from werkzeug.wrappers import Response

from lms_bridge.domain.access import redact_for, sees_reports
from lms_bridge.domain.completion import completion_gaps
from lms_bridge.domain.route import Route
from lms_bridge.domain.workflow import allowed_actions, may
from lms_bridge.errors import PermissionDenied, Problem, ValidationError
from lms_bridge.exporters.json_card import route_summary, route_to_dict
from lms_bridge.ports import Principal
from lms_bridge.services import proposals, route_actions
from lms_bridge.services.reports import report_to_dict, summary_report
from lms_bridge.web.access import (
    actor_of,
    get_visible_route,
    requested_filter,
    requested_grouping,
    requested_status,
)
from lms_bridge.web.api_models import (
    ConclusionBody,
    CorrectionBody,
    MarkBody,
    NoteBody,
    ProposalBody,
    SignatureBody,
    TransitionBody,
)
from lms_bridge.web.auth import check_csrf, current_principal
from lms_bridge.web.context import web_context
from lms_bridge.web.openapi import document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
B = TypeVar("B", bound=BaseModel)


def _body(model: type[B]) -> B:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError([Problem("ожидается JSON-объект", field="body")])
    return model.model_validate(data)


def card_json(route: Route, p: Principal) -> dict[str, Any]:
    """The card as ``p`` may see it (``domain.access.redact_for``, the same as the page and the DOCX)."""
    data = route_to_dict(redact_for(route, p))
    data["allowed_actions"] = [t.action for t in allowed_actions(route, p.role, web_context().workflow)]
    # what completion still needs, for whoever may complete the route (the refusal lists the same)
    data["completion_missing"] = completion_gaps(route) if may(route, p.role, "complete") else None
    return data


def _write(number: str) -> tuple[Principal, Route]:
    p = current_principal()
    check_csrf(p)
    return p, get_visible_route(web_context().store(), p, number)


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document(web_context().settings.public_url))


@bp.get("/me")
def me() -> Response:
    p = current_principal()
    return jsonify(
        role=p.role.value,
        role_label=p.role.label,
        name=p.name,
        email=p.email,
        school=p.school,
        csrf_token=None if p.via_token else p.csrf,
    )


@bp.get("/routes")
def list_routes() -> Response:
    ctx = web_context()
    p = current_principal()
    a = request.args
    flt = replace(
        requested_filter(p, a), status=requested_status(a), archived=a.get("archived") in ("1", "true")
    )
    today = ctx.today()
    items = [route_summary(r, today) for r in ctx.store().iter_routes(flt)]
    if a.get("overdue") in ("1", "true"):
        items = [i for i in items if i["overdue"]]
    return jsonify(count=len(items), items=items)


@bp.get("/routes/<number>")
def get_route(number: str) -> Response:
    p = current_principal()
    store = web_context().store()
    data = card_json(get_visible_route(store, p, number), p)
    data["proposals"] = [
        {"at": a.at, "author": a.actor, "text": a.details} for a in proposals.list_proposals(store, number)
    ]
    return jsonify(data)


@bp.post("/routes/<number>/activities/<key>/mark")
def mark(number: str, key: str) -> Response:
    ctx = web_context()
    with ctx.store().transaction():
        p, _ = _write(number)
        body = _body(MarkBody)
        route = route_actions.mark(
            ctx.store(),
            number,
            key,
            actor_of(p),
            ctx.today(),
            on=body.on,
            done=body.done,
            result=body.result,
            result_form=body.result_form,
            reason=body.reason,
        )
    return jsonify(card_json(route, p))


@bp.post("/routes/<number>/activities/<key>/note")
def note(number: str, key: str) -> Response:
    ctx = web_context()
    with ctx.store().transaction():
        p, _ = _write(number)
        body = _body(NoteBody)
        route = route_actions.note(ctx.store(), number, key, actor_of(p), body.text)
    return jsonify(card_json(route, p))


@bp.post("/routes/<number>/corrections")
def correct(number: str) -> Response:
    ctx = web_context()
    with ctx.store().transaction():
        p, current = _write(number)
        body = _body(CorrectionBody)
        new = body.new.to_activity(current.next_activity_key()) if body.new else None
        route = route_actions.correct(
            ctx.store(), number, actor_of(p), ctx.clock(), new=new, replaces=body.replaces, reason=body.reason
        )
    return jsonify(card_json(route, p))


@bp.post("/routes/<number>/proposals")
def propose(number: str) -> tuple[Response, int]:
    ctx = web_context()
    with ctx.store().transaction():
        p, route = _write(number)
        body = _body(ProposalBody)
        proposals.propose(ctx.store(), route, actor_of(p), body.text)
    return jsonify(accepted=True), 201


@bp.post("/routes/<number>/conclusion")
def conclude(number: str) -> Response:
    ctx = web_context()
    with ctx.store().transaction():
        p, _ = _write(number)
        body = _body(ConclusionBody)
        route = route_actions.conclude(
            ctx.store(),
            number,
            actor_of(p),
            ctx.today(),
            final_levels=dict(body.final_levels),
            conclusion=body.conclusion,
            next_diagnostic_on=body.next_diagnostic_on,
        )
    return jsonify(card_json(route, p))


@bp.post("/routes/<number>/transitions")
def move(number: str) -> Response:
    ctx = web_context()
    with ctx.store().transaction():
        p, _ = _write(number)
        body = _body(TransitionBody)
        route = route_actions.move(
            ctx.store(),
            number,
            body.action,
            actor_of(p),
            ctx.today(),
            ctx.workflow,
            new_end=body.end,
            max_months=ctx.settings.route_max_months,
        )
    return jsonify(card_json(route, p))


@bp.post("/routes/<number>/signatures")
def sign(number: str) -> Response:
    """The caller acknowledges a correction (``correction``: its number) or the conclusions."""
    ctx = web_context()
    with ctx.store().transaction():
        p, _ = _write(number)
        body = _body(SignatureBody)
        route_actions.sign(ctx.store(), number, actor_of(p), ctx.today(), correction=body.correction)
        route = ctx.store().get_route(number)
    return jsonify(card_json(route, p))


@bp.get("/reports")
def report() -> Response:
    """The aggregated report over the caller's scope (groups under 5 people never shown)."""
    p = current_principal()
    if not sees_reports(p):
        raise PermissionDenied("сводные отчёты педагогу не показываются")
    by = requested_grouping(request.args, "municipality")
    flt = requested_filter(p, request.args)
    return jsonify(report_to_dict(summary_report(web_context().store(), by=by, flt=flt)))


# the fourth stage's endpoints, the choice and the applications, registered on ``bp``
from lms_bridge.web import api_applications, api_cycle  # noqa: E402, F401
