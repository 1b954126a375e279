"""The simulator's Flask app: Moodle's REST endpoint plus /sim/stats.

Request handling follows Moodle's REST server: format (exactly ``json``, else XML), token, function name,
function exists, function in the service, strict parameters, then the handler. Every Moodle-level error is
HTTP 200. PHP's ``max_input_vars`` cap silently drops the extra form fields. Other blueprints (the LTI
platform) can be passed in and reach the shared state through ``sim_context(app)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from flask import Blueprint, Flask, Response, current_app, request

from moodle_sim import competency, functions, gradebook, messages, plans  # noqa: F401  (register handlers)
from moodle_sim.costs import FaultInjector, SimConfig, Stats, call_cost_ms
from moodle_sim.params import (
    enabled_functions,
    parse_php_form,
    return_description,
    service_functions,
    validate,
)
from moodle_sim.registry import HANDLERS, Call
from moodle_sim.state import SimState
from moodle_sim.views import Site
from moodle_sim.wserrors import (
    WsError,
    access_exception,
    invalid_parameter,
    invalid_token,
    missing_record,
    moodle_error,
    php_json,
    xml_error,
    xml_response,
)

ENDPOINT = "/webservice/rest/server.php"
EXTENSION = "lms_bridge_sim"
# Functions that exist in Moodle but are not in the recorded service 'integration' → accessexception.
# Any other unknown name → invalidrecordunknown (there is no such function).
OUTSIDE_SERVICE = frozenset(
    {
        "core_course_delete_courses",
        "core_user_delete_users",
        "core_course_delete_modules",
        "core_course_delete_categories",
        "core_enrol_submit_user_enrolment_form",
        "core_grades_grader_gradingpanel",
    }
)
_JSON_HEADERS = {
    "Cache-Control": "private, must-revalidate, pre-check=0, post-check=0, max-age=0",
    "Expires": "Thu, 01 Jan 1970 00:00:00 GMT",
    "Pragma": "no-cache",
    "Access-Control-Allow-Origin": "*",
}
_NOT_FOUND = (
    "<!doctype html><html><head><title>404 Not Found</title><style>\n"
    "body { background-color: #fcfcfc; color: #333333; margin: 0; padding:0; }\n"
    "h1 { font-size: 1.5em; font-weight: normal; background-color: #9999cc; min-height:2em; line-height:2em; "
    "border-bottom: 1px inset black; margin: 0; }\n"
    "h1, p { padding-left: 10px; }\n"
    "code.url { background-color: #eeeeee; font-family:monospace; padding:0 2px;}\n"
    '</style>\n</head><body><h1>Not Found</h1><p>The requested resource <code class="url">{path}</code> '
    "was not found on this server.</p></body></html>"
)
_UNAVAILABLE = (
    "<html><head><title>503 Service Unavailable</title></head>"
    "<body><h1>Service Unavailable</h1></body></html>"
)
# What a PHP fatal error (memory, time limit) behind Moodle looks like: HTTP 500 and an HTML page.
_ERROR_PAGE = (
    "<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head><body>"
    "<br />\n<b>Fatal error</b>:  Allowed memory size of 134217728 bytes exhausted in "
    "<b>/var/www/moodle/lib/dml/moodle_read_slave_trait.php</b> on line <b>293</b><br />\n</body></html>"
)


@dataclass
class SimContext:
    config: SimConfig
    state: SimState
    stats: Stats = field(default_factory=Stats)
    faults: FaultInjector | None = None

    @property
    def site(self) -> Site:
        return Site(self.config.site_url.rstrip("/"))


def sim_context(app: Flask | None = None) -> SimContext:
    ctx: SimContext = (app or current_app).extensions[EXTENSION]
    return ctx


def create_sim_app(
    config: SimConfig, state: SimState | None = None, *, blueprints: Sequence[Blueprint] = ()
) -> Flask:
    from moodle_sim.seed import seed_staff

    if state is None:
        state = SimState()
        seed_staff(state)
    app = Flask("moodle_sim")
    app.config["MAX_FORM_MEMORY_SIZE"] = 64 * 1024 * 1024  # PHP's post_max_size is the only body limit
    ctx = SimContext(config, state)
    ctx.faults = FaultInjector(config)
    app.extensions[EXTENSION] = ctx
    app.add_url_rule(ENDPOINT, "rest", _rest, methods=["GET", "POST"])
    app.add_url_rule("/sim/stats", "stats", _stats, methods=["GET"])
    app.add_url_rule("/sim/reset-stats", "reset_stats", _reset_stats, methods=["POST"])
    for bp in blueprints:
        app.register_blueprint(bp)
    app.register_error_handler(404, _not_found)
    return app


def _not_found(_: Exception) -> Response:
    html = _NOT_FOUND.replace("{path}", request.path)
    return Response(html, status=404, content_type="text/html; charset=UTF-8")


def _stats() -> Response:
    ctx = sim_context()
    with ctx.state.lock:
        site = {
            "users": len(ctx.state.users),
            "courses": len(ctx.state.courses),
            "enrolments": len(ctx.state.enrolments),
            "grades": len(ctx.state.grades),
            "course_completions": len(ctx.state.course_completions),
            "messages": len(ctx.state.messages),
        }
    body = ctx.stats.snapshot() | {"site": site}
    return Response(php_json(body).replace("\\/", "/"), content_type="application/json")


def _reset_stats() -> Response:
    sim_context().stats.reset()
    return Response("{}", content_type="application/json")


def _pairs() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    query = parse_qsl(request.query_string.decode("latin-1"), keep_blank_values=True, encoding="utf-8")
    body: list[tuple[str, str]] = []
    if request.method == "POST":
        if request.mimetype == "application/x-www-form-urlencoded":
            raw = request.get_data(cache=True).decode("utf-8", errors="replace")
            body = parse_qsl(raw, keep_blank_values=True, encoding="utf-8", errors="replace")
        elif request.mimetype == "multipart/form-data":
            body = list(request.form.items(multi=True))
        # Any other body (JSON) is not parsed by PHP: Moodle sees no parameters at all.
    return query, body


def _rest() -> Response:
    ctx = sim_context()
    ctx.stats.enter()
    try:
        return _serve_rest(ctx)
    finally:
        ctx.stats.leave()


def _serve_rest(ctx: SimContext) -> Response:
    query, body = _pairs()
    cap = ctx.config.max_input_vars
    get_params, dropped_get = parse_php_form(query, cap)
    post_params, dropped_post = parse_php_form(body, cap)
    if dropped_get or dropped_post:
        ctx.stats.dropped(dropped_get + dropped_post)
    params: dict[str, Any] = get_params | post_params  # array_merge($_GET, $_POST): POST wins
    fmt = post_params.get("moodlewsrestformat", get_params.get("moodlewsrestformat", "xml"))
    as_json = fmt == "json"
    fault = ctx.faults.draw() if ctx.faults else None
    if fault is not None:
        ctx.stats.fault(fault)
        if fault == "http_503":
            return Response(_UNAVAILABLE, status=503, content_type="text/html; charset=iso-8859-1")
        if fault == "html_error":
            return Response(_ERROR_PAGE, status=500, content_type="text/html; charset=utf-8")
    wsfunction = params.get("wsfunction")
    call = Call(ctx.state, ctx.site)
    try:
        result = _dispatch(ctx, params, call)
    except WsError as error:
        _account(ctx, str(wsfunction or "-"), call.rows, fault)
        if as_json:
            return Response(php_json(error.body()), content_type="application/json", headers=_JSON_HEADERS)
        return Response(xml_error(error), content_type="application/xml; charset=utf-8")
    _account(ctx, str(wsfunction), call.rows, fault)
    if not as_json:
        desc = return_description(str(wsfunction))
        return Response(xml_response(result, desc), content_type="application/xml; charset=utf-8")
    text = php_json(result)
    if call.notes:  # PHP notices printed before the result: the body is no longer JSON
        return Response("".join(f"{n}\n" for n in call.notes) + text, content_type="text/html; charset=utf-8")
    return Response(text, content_type="application/json", headers=_JSON_HEADERS)


def _dispatch(ctx: SimContext, params: dict[str, Any], call: Call) -> Any:
    token = params.get("wstoken")
    if not isinstance(token, str) or not token or token != ctx.config.token:
        raise invalid_token()
    wsfunction = params.get("wsfunction")
    if not isinstance(wsfunction, str) or not wsfunction:
        raise invalid_parameter()
    if wsfunction not in enabled_functions(ctx.state):
        known = wsfunction in OUTSIDE_SERVICE or wsfunction in service_functions()
        raise access_exception() if known else missing_record()
    args = {k: v for k, v in params.items() if k not in ("wstoken", "wsfunction", "moodlewsrestformat")}
    cleaned = validate(wsfunction, args)
    handler = HANDLERS.get(wsfunction)
    if handler is None:
        raise moodle_error("notimplemented", f"The simulator does not implement {wsfunction}")
    with ctx.state.lock:
        return handler(call, cleaned)


def _account(ctx: SimContext, wsfunction: str, rows: int, fault: str | None) -> None:
    """Charge the call's simulated cost and spend it (outside the state lock)."""
    cost = call_cost_ms(ctx.config, wsfunction, rows)
    if fault == "slow":
        cost *= ctx.config.slow_factor
    ctx.stats.record(wsfunction, cost, rows)
    if cost > 0:
        ctx.config.sleep(cost / 1000)
    if fault == "timeout":
        ctx.config.sleep(ctx.config.timeout_sleep_s)  # the call ran; the client gives up before the answer
