"""The one table from the exception tree to HTTP status codes, and the handlers that use it.

Bodies carry a short Russian message and nothing else: never route data, never a traceback.
``/api/`` answers JSON ``{"error": {"status", "code", "message"}}``, pages answer an HTML page.
"""

from __future__ import annotations

import logging
from typing import Any

import pydantic
from flask import Flask, Response, g, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from lms_bridge import errors as e
from lms_bridge.domain.limits import too_long

MAX_REQUEST_BYTES = 1 << 20  # a request body (JSON or form); the longest text field is far shorter

log = logging.getLogger(__name__)


class SessionRequired(e.LaunchError):
    """No (or an expired) launch session and no service token."""


class CsrfError(e.PermissionDenied):
    """A state-changing request without the session's CSRF token."""


# Most specific first; ``status_for`` walks the MRO, so subclasses inherit their parent's row.
STATUS: dict[type[BaseException], int] = {
    e.ValidationError: 422,
    pydantic.ValidationError: 422,
    e.WorkflowError: 409,
    e.PermissionDenied: 403,
    e.NotFound: 404,
    e.LaunchError: 401,
    e.ConfigError: 500,
    e.LmsUnavailable: 503,
    e.LmsError: 502,
    e.BridgeError: 400,
}


def status_for(exc: BaseException) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def _pydantic_message(err: Any) -> str:
    where = ".".join(str(x) for x in err["loc"])
    if err["type"] == "string_too_long":  # the domain's limits (domain/limits.py), said in Russian
        return f"{where}: {too_long(err['ctx']['max_length'], len(err['input']))}"
    return f"{where}: {err['msg']}"


def _message(exc: BaseException, status: int) -> str:
    if isinstance(exc, pydantic.ValidationError):
        return "; ".join(_pydantic_message(err) for err in exc.errors())
    if status >= 500:
        return "внутренняя ошибка сервиса; обратитесь к администратору"
    return str(exc)


def _respond(status: int, code: str, message: str) -> Response:
    if request.path.startswith("/api/"):
        resp = jsonify(error={"status": status, "code": code, "message": message})
    else:
        resp = Response(
            render_template("error.html", status=status, message=message, back=_back_link(status)),
            mimetype="text/html",
        )
    resp.status_code = status
    return resp


def _back_link(status: int) -> str | None:
    """After a refused action (409/422/403 on a card form) offer the way back to the card."""
    number = (request.view_args or {}).get("number")
    lid = g.get("lid")
    if request.method != "POST" or not number or not lid or status not in (403, 409, 422):
        return None
    return url_for("pages.card", number=number, lid=lid)


def register(app: Flask) -> None:
    @app.errorhandler(e.BridgeError)
    @app.errorhandler(pydantic.ValidationError)
    def _bridge(exc: Exception) -> Response:
        status = status_for(exc)
        if status >= 500:
            log.error("%s: %s", type(exc).__name__, exc)
        return _respond(status, type(exc).__name__, _message(exc, status))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        text = {
            404: "страница не найдена",
            405: "метод не поддерживается",
            413: f"запрос слишком велик: не более {MAX_REQUEST_BYTES // (1 << 20)} МБ",
        }.get(status, exc.name)
        resp = _respond(status, exc.name.replace(" ", ""), text)
        if status == 405 and exc.get_response().headers.get("Allow"):
            resp.headers["Allow"] = exc.get_response().headers["Allow"]
        return resp

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.path)
        return _respond(500, "InternalError", _message(exc, 500))
