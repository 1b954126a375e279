"""``lms-bridge serve``: the app on gunicorn, started from code (a custom BaseApplication).

Workers are ``gthread`` (keep-alive, a few threads each). The app is built inside every worker
after the fork (no preload), so each worker has its own database engine. The access log, when
on, logs the path without the query string: the launch id rides in the query and is a credential.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

ACCESS_FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'


class BridgeServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, factory: Callable[[], Flask], options: dict[str, Any]):
        self._factory = factory
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            if value is not None:
                self.cfg.set(key, value)

    def load(self) -> Flask:
        return self._factory()


def options(
    host: str, port: int, workers: int, threads: int, access_log: bool, worker_class: str = "gthread"
) -> dict[str, Any]:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": worker_class,
        "threads": threads,
        "keepalive": 5,
        "timeout": 60,
        "graceful_timeout": 10,
        "accesslog": "-" if access_log else None,
        "access_log_format": ACCESS_FORMAT,
        "errorlog": "-",
        "proc_name": "lms-bridge",
        "control_socket_disable": True,  # several servers (tests, benchmarks) may run side by side
    }
