"""The ``lms-bridge serve`` process: gunicorn with gevent workers, in an interpreter of its own.

Why gevent (issue 10, item 5). A ``gthread`` worker gives a thread to a connection as soon as its
first bytes arrive and keeps it while the request line, headers and body trickle in: 24 clients
that send headers slowly, or promise a body and never send it, held every thread and ``/healthz``
stopped answering. A gevent worker gives each connection a greenlet (a few KB) on one event loop,
so a slow socket costs memory, not a thread; up to ``CONNECTIONS`` per worker. Reads are bounded:

* request line and headers: within ``--header-timeout`` seconds in total (gunicorn's async worker
  reads them under ``gevent.Timeout(keepalive)``), then the connection is closed;
* body: read in full by ``BodyDeadline`` within ``--body-timeout`` seconds before the app sees it
  (bodies are at most 1 MB, the app's ``MAX_CONTENT_LENGTH``), else 408 and the connection closes;
* sizes: gunicorn's limits on the request line (4094 bytes) and headers (100 fields of 8190 bytes).

``gthread`` stays available for a deployment behind a buffering reverse proxy, which then absorbs
slow clients itself (docs/web.md).

Why an interpreter of its own: gevent must patch the standard library before anything that holds on
to ``socket``/``ssl`` (requests, urllib3) is imported, and the CLI has imported those already. So
``serve`` execs ``python -m lms_bridge.serving <options as JSON>``: this module imports only
gunicorn at the top, the worker patches on start, and the app is imported and built in each worker
after that (no preload; each worker has its own database engine and LMS session).

The access log, when on, logs the path without the query string: the launch id rides in the query
and is a credential.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from gunicorn.app.base import BaseApplication

if TYPE_CHECKING:
    from flask import Flask

    from lms_bridge.config import Settings


ACCESS_FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
WORKER_CLASSES = ("gevent", "gthread")
CONNECTIONS = 1000  # per gevent worker
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def options(
    host: str,
    port: int,
    workers: int,
    *,
    worker_class: str = "gevent",
    threads: int = 4,
    header_timeout: int = 5,
    body_timeout: int = 10,
    access_log: bool = False,
) -> dict[str, Any]:
    """gunicorn settings (plus ``body_timeout``, which ``BridgeServer`` takes for itself)."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": worker_class,
        "threads": threads,
        "worker_connections": CONNECTIONS,
        # On async workers the keep-alive time also bounds reading a request's line and headers.
        "keepalive": header_timeout,
        "body_timeout": body_timeout,
        "timeout": 60,
        "graceful_timeout": 10,
        "accesslog": "-" if access_log else None,
        "access_log_format": ACCESS_FORMAT,
        "errorlog": "-",
        "proc_name": "lms-bridge",
        "control_socket_disable": True,  # several servers (tests, benchmarks) may run side by side
    }


def exec_server(opts: dict[str, Any]) -> None:
    """Replace this process by the server (same pid, so signals to it reach gunicorn's master)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", "lms_bridge.serving", json.dumps(opts)])


class BridgeServer(BaseApplication):  # type: ignore[misc]
    """gunicorn started from code; ``settings`` are read from the environment in each worker unless given."""

    def __init__(self, opts: dict[str, Any], settings: Settings | None = None):
        self._settings = settings
        self._options = dict(opts)
        self._body_timeout = float(self._options.pop("body_timeout", 10))
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            if value is not None:
                self.cfg.set(key, value)

    def load(self) -> WsgiApp:
        app = build_app(self._settings)
        if self.cfg.worker_class_str != "gevent":
            return app
        limit = int(app.config.get("MAX_CONTENT_LENGTH") or 1 << 20)
        return BodyDeadline(app, self._body_timeout, limit)


def build_app(settings: Settings | None = None) -> Flask:
    """The app, built in each worker after the fork (and, on gevent, after the patching): the engine
    and Moodle's HTTP session are the worker's own."""
    from lms_bridge.bootstrap import build_web_app
    from lms_bridge.config import load_settings

    return build_web_app(settings or load_settings())


class BodyDeadline:
    """WSGI middleware for gevent workers: read the whole request body within ``seconds``.

    Without it a client that promises ``Content-Length: 100000`` and sends nothing keeps its
    greenlet (and the app's database work for that request) waiting for ever. The body is at most
    ``limit + 1`` bytes here (a larger one is left to the app, which answers 413 without reading it).
    """

    def __init__(self, app: WsgiApp, seconds: float, limit: int):
        self.app, self.seconds, self.limit = app, seconds, limit

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        import gevent

        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        length = _content_length(environ)
        if not chunked and (length <= 0 or length > self.limit):
            return self.app(environ, start_response)
        want = self.limit + 1 if chunked else length
        try:
            with gevent.Timeout(self.seconds):
                body = environ["wsgi.input"].read(want)
        except gevent.Timeout:
            return _too_slow(start_response, self.seconds)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["wsgi.input_terminated"] = True
        if chunked:
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)


def _content_length(environ: dict[str, Any]) -> int:
    try:
        return int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _too_slow(start_response: Callable[..., Any], seconds: float) -> list[bytes]:
    # gunicorn drops a Connection header from the app; it closes the connection itself, since the
    # unread rest of the body cannot be parsed as the next request within the header timeout.
    body = f"Тело запроса не получено за {seconds:g} с.\n".encode()
    start_response(
        "408 Request Timeout",
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    return [body]


def main(argv: list[str]) -> None:
    BridgeServer(json.loads(argv[0])).run()


if __name__ == "__main__":
    main(sys.argv[1:])
