"""/api/v1 endpoints of the teacher's choice and of enrolment applications (same rules as the pages):
the ДПП offered for an item and the choice, the applications in the caller's scope with the
prerequisites check per person, confirming any number at once, rejecting one with a reason.
Registered on the ``api`` blueprint."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from werkzeug.wrappers import Response

from lms_bridge.domain import access
from lms_bridge.domain.workflow import may
from lms_bridge.services import applications, choices
from lms_bridge.services.applications import Application
from lms_bridge.web.access import actor_of, get_visible_route
from lms_bridge.web.api import _body, _write, bp, card_json
from lms_bridge.web.api_models import ChoiceBody, ConfirmApplicationsBody, RejectBody
from lms_bridge.web.applications_view import _principal
from lms_bridge.web.auth import check_csrf, current_principal
from lms_bridge.web.context import web_context


def _app(a: Application) -> dict[str, Any]:
    return {
        "number": a.number,
        "key": a.key,
        "teacher": a.teacher,
        "school": a.school,
        "course": a.course,
        "title": a.title,
        "state": a.state,
        "head_confirmed_by": a.head_confirmed_by,
        "centre_confirmed_by": a.centre_confirmed_by,
        "rejection_reason": a.rejection_reason,
        "prerequisites_met": a.check.met,
        "prerequisites": list(a.check.reasons),
    }


@bp.get("/routes/<number>/choices")
def route_choices(number: str) -> Response:
    """The ДПП offered per item while the caller may choose (empty otherwise)."""
    ctx = web_context()
    p = current_principal()
    route = get_visible_route(ctx.store(), p, number)
    offered = choices.options(ctx.store(), route) if may(route, p.role, "choose", ctx.workflow) else {}
    return jsonify(
        {
            key: [
                {
                    "course": o.entry.lms_course,
                    "title": o.entry.title,
                    "hours": o.entry.hours,
                    "source": o.entry.origin.value,
                    "chosen": o.chosen,
                    "prerequisites_met": o.check.met,
                    "prerequisites": list(o.check.reasons),
                }
                for o in items
            ]
            for key, items in offered.items()
        }
    )


@bp.post("/routes/<number>/activities/<key>/choice")
def choose(number: str, key: str) -> Response:
    ctx = web_context()
    with ctx.store().transaction():
        p, _ = _write(number)
        route = choices.choose(ctx.store(), number, key, _body(ChoiceBody).course, actor_of(p), ctx.today())
    return jsonify(card_json(route, p))


@bp.get("/applications")
def list_applications() -> Response:
    p = _principal()
    items = applications.list_applications(web_context().store(), flt=access.scope_filter(p), checked=True)
    return jsonify(count=len(items), items=[_app(a) for a in items])


@bp.post("/applications/confirm")
def confirm_applications() -> Response:
    p = _principal()
    check_csrf(p)
    body = _body(ConfirmApplicationsBody)
    store = web_context().store()
    picks = [(a.number, a.key) for a in body.applications]
    with store.transaction():
        for number in {n for n, _ in picks}:
            get_visible_route(store, p, number)
        out = applications.confirm_selected(store, picks, actor_of(p))
    return jsonify(
        confirmed=[_app(a) for a in out.confirmed],
        refused=[{**_app(r.application), "reason": r.reason} for r in out.refused],
    )


@bp.post("/routes/<number>/activities/<key>/application/reject")
def reject_application(number: str, key: str) -> Response:
    ctx = web_context()
    with ctx.store().transaction():
        p, _ = _write(number)
        a = applications.reject(ctx.store(), number, key, actor_of(p), _body(RejectBody).reason)
    return jsonify(_app(a))
