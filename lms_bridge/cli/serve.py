"""``lms-bridge serve``: the web app (LTI tool, route cards, dashboards, JSON API) on gunicorn."""

from __future__ import annotations

import click

from lms_bridge.cli.context import AppContext


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="адрес для входящих соединений")
@click.option("--port", default=5000, show_default=True, type=int, help="порт")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="процессы gunicorn")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="потоки на процесс")
@click.option(
    "--worker-class",
    type=click.Choice(["gthread", "sync"]),
    default="gthread",
    show_default=True,
    help="gthread: keep-alive и потоки; sync: один запрос на процесс",
)
@click.option("--access-log/--no-access-log", default=False, help="журнал запросов (без строки запроса)")
@click.pass_obj
def group(
    app: AppContext, host: str, port: int, workers: int, threads: int, worker_class: str, access_log: bool
) -> None:
    """Запустить веб-приложение: LTI-инструмент, карты ИОМ, панели, JSON API."""
    from lms_bridge.bootstrap import build_lms, build_web_app, moodle_configured
    from lms_bridge.web.server import BridgeServer, options

    settings = app.settings
    if moodle_configured(settings):
        build_lms(settings)  # a bad Moodle setting stops here with its message, not in every worker
    click.echo(
        f"lms-bridge: http://{host}:{port} (публичный адрес {settings.public_url}), процессов: {workers}"
    )
    # Built in each worker after the fork: the engine and Moodle's HTTP session are the worker's own.
    BridgeServer(
        lambda: build_web_app(settings), options(host, port, workers, threads, access_log, worker_class)
    ).run()
