"""``lms-bridge serve``: the web app (LTI tool, route cards, dashboards, JSON API) on gunicorn.

The command checks the settings, prints where it listens, and replaces itself by the server process
(``lms_bridge/serving.py``, which says why: gevent workers, bounded reads, a fresh interpreter).
"""

from __future__ import annotations

import click

from lms_bridge.cli.context import AppContext


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="адрес для входящих соединений")
@click.option("--port", default=5000, show_default=True, type=int, help="порт")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="процессы gunicorn")
@click.option(
    "--worker-class",
    type=click.Choice(["gevent", "gthread"]),
    default="gevent",
    show_default=True,
    help="gevent: медленные клиенты не занимают потоки; gthread: только за буферизующим прокси",
)
@click.option(
    "--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="потоки на процесс (gthread)"
)
@click.option(
    "--header-timeout",
    default=5,
    show_default=True,
    type=click.IntRange(1, 60),
    help="секунд на строку запроса и заголовки (и простой keep-alive)",
)
@click.option(
    "--body-timeout",
    default=10,
    show_default=True,
    type=click.IntRange(1, 300),
    help="секунд на тело запроса (gevent), затем 408",
)
@click.option("--access-log/--no-access-log", default=False, help="журнал запросов (без строки запроса)")
@click.pass_obj
def group(
    app: AppContext,
    host: str,
    port: int,
    workers: int,
    worker_class: str,
    threads: int,
    header_timeout: int,
    body_timeout: int,
    access_log: bool,
) -> None:
    """Запустить веб-приложение: LTI-инструмент, карты ИОМ, панели, JSON API."""
    from lms_bridge.bootstrap import build_lms, moodle_configured
    from lms_bridge.serving import exec_server, options

    settings = app.settings  # bad settings are reported here, before the server starts
    if moodle_configured(settings):
        build_lms(settings)  # a bad Moodle setting stops here with its message, not in every worker
    click.echo(
        f"lms-bridge: http://{host}:{port} (публичный адрес {settings.public_url}), "
        f"процессов: {workers} ({worker_class})"
    )
    exec_server(
        options(
            host,
            port,
            workers,
            worker_class=worker_class,
            threads=threads,
            header_timeout=header_timeout,
            body_timeout=body_timeout,
            access_log=access_log,
        )
    )
