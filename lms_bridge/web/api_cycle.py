"""/api/v1 endpoints of a route's fourth stage (same rules as the card page): final public events,
the educational product (JSON, or multipart with its file) and its file, the reflection, closing an
activity by a correction. Registered on the ``api`` blueprint."""

from __future__ import annotations

from urllib.parse import quote

from flask import jsonify, request
from werkzeug.wrappers import Response

from lms_bridge.domain.final_events import EventDraft
from lms_bridge.errors import Problem, ValidationError
from lms_bridge.services import route_actions, route_results
from lms_bridge.services.route_results import Upload
from lms_bridge.web.access import actor_of, get_visible_route
from lms_bridge.web.api import _body, _write, bp, card_json
from lms_bridge.web.api_models import CloseBody, EventBody, HeldBody, ProductBody, ReflectionBody
from lms_bridge.web.auth import current_principal
from lms_bridge.web.card_results import upload_rules
from lms_bridge.web.context import web_context


def _draft(body: EventBody) -> EventDraft:
    return EventDraft(body.form, body.title, body.level, body.start, body.end or body.start)


@bp.post("/routes/<number>/events")
def event_add(number: str) -> Response:
    ctx = web_context()
    with ctx.store().transaction():
        p, _ = _write(number)
        route = route_results.add_event(ctx.store(), number, actor_of(p), _draft(_body(EventBody)))
    return jsonify(card_json(route, p))


@bp.put("/routes/<number>/events/<key>")
def event_edit(number: str, key: str) -> Response:
    ctx = web_context()
    with ctx.store().transaction():
        p, _ = _write(number)
        route = route_results.edit_event(ctx.store(), number, actor_of(p), key, _draft(_body(EventBody)))
    return jsonify(card_json(route, p))


@bp.delete("/routes/<number>/events/<key>")
def event_remove(number: str, key: str) -> Response:
    ctx = web_context()
    with ctx.store().transaction():
        p, _ = _write(number)
        route = route_results.remove_event(ctx.store(), number, actor_of(p), key)
    return jsonify(card_json(route, p))


@bp.post("/routes/<number>/events/<key>/held")
def event_held(number: str, key: str) -> Response:
    ctx = web_context()
    today = ctx.today()
    with ctx.store().transaction():
        p, _ = _write(number)
        body = _body(HeldBody)
        route = route_results.mark_event_held(
            ctx.store(),
            number,
            actor_of(p),
            key,
            on=body.on or today,
            today=today,
            link=body.link,
            note=body.note,
        )
    return jsonify(card_json(route, p))


@bp.post("/routes/<number>/events/<key>/confirm")
def event_confirm(number: str, key: str) -> Response:
    ctx = web_context()
    with ctx.store().transaction():
        p, _ = _write(number)
        route = route_results.confirm_event(ctx.store(), number, actor_of(p), key)
    return jsonify(card_json(route, p))


@bp.put("/routes/<number>/product")
def product(number: str) -> Response:
    """JSON (``ProductBody``), or multipart/form-data with the same fields and ``file``."""
    ctx = web_context()
    if request.mimetype == "multipart/form-data":
        request.max_content_length = ctx.settings.product_max_bytes + (64 << 10)
        body = ProductBody.model_validate({k: v for k, v in request.form.items() if k != "csrf"})
        sent = request.files.get("file")
        upload = Upload(sent.filename or "", sent.read()) if sent and sent.filename else None
    else:
        body, upload = _body(ProductBody), None
    with ctx.store().transaction():
        p, _ = _write(number)
        route = route_results.save_product(
            ctx.store(),
            number,
            actor_of(p),
            ctx.today(),
            kind=body.kind,
            title=body.title,
            description=body.description,
            link=body.link,
            upload=upload,
            rules=upload_rules(ctx.settings),
        )
    return jsonify(card_json(route, p))


@bp.get("/routes/<number>/product/file")
def product_file(number: str) -> Response:
    ctx = web_context()
    route = get_visible_route(ctx.store(), current_principal(), number)
    file, data = ctx.store().get_product_file(route.number)
    resp = Response(data, mimetype=file.content_type)
    resp.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(file.name)}"
    return resp


@bp.put("/routes/<number>/reflection")
def reflection(number: str) -> Response:
    ctx = web_context()
    with ctx.store().transaction():
        p, _ = _write(number)
        body = _body(ReflectionBody)
        route = route_results.save_reflection(
            ctx.store(), number, actor_of(p), ctx.today(), body.model_dump()
        )
    return jsonify(card_json(route, p))


@bp.post("/routes/<number>/activities/<key>/close")
def close(number: str, key: str) -> Response:
    ctx = web_context()
    with ctx.store().transaction():
        p, _ = _write(number)
        body = _body(CloseBody)
        if not body.reason.strip():
            raise ValidationError([Problem("укажите причину корректировки", field="reason")])
        route = route_actions.close(ctx.store(), number, key, actor_of(p), ctx.clock(), reason=body.reason)
    return jsonify(card_json(route, p))
