"""WSGI apps served from background threads, stopped cleanly (demo and browser tests)."""

from __future__ import annotations

import socket
import threading
from types import TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server


class ServerThread:
    """One app on ``host:port`` (port 0 = a free one) in a daemon thread; ``stop()`` ends it.

    Threaded, because one page of the demo makes the browser talk to both servers at once
    (the simulator's course page embeds the tool, whose launch calls back the simulator's JWKS).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, name: str = "server"):
        # Bound first, app mounted later: the app's settings need the port (its public URL).
        self.app: Any = None
        # Bound here rather than by werkzeug, which answers a busy port with sys.exit(1):
        # a plain OSError lets the caller say what to do.
        family, kind, proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
            sock.listen(128)
            # werkzeug takes its own duplicate of the descriptor.
            self._server: BaseWSGIServer = make_server(
                host, port, self._dispatch, threaded=True, fd=sock.fileno()
            )
        self._thread = threading.Thread(target=self._server.serve_forever, name=name, daemon=True)

    def _dispatch(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.app is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8")])
            return ["запускается…".encode()]
        return self.app(environ, start_response)

    @property
    def port(self) -> int:
        return int(self._server.socket.getsockname()[1])

    def start(self, app: Any = None) -> ServerThread:
        if app is not None:
            self.app = app
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout)
        self._server.server_close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
