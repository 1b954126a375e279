"""``lms-bridge demo``: everything on one machine, no external LMS (docs/demo.md)."""

from __future__ import annotations

import os
import signal
import sys
import threading
import webbrowser
from pathlib import Path
from types import FrameType

import click

from lms_bridge.cli.context import AppContext
from moodle_sim.lti import DEMO_ROLE_LABELS


def parse_ports(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[int, int]:
    try:
        sim, web = (int(p) for p in value.split(","))
    except ValueError:
        raise click.BadParameter(
            "ожидается два порта через запятую: СИМУЛЯТОР,ИНСТРУМЕНТ, например 8081,8000"
        ) from None
    if not (0 <= sim < 65536 and 0 <= web < 65536) or (sim == web != 0):
        raise click.BadParameter("порты 0–65535, разные (0 = любой свободный)")
    return sim, web


def _can_open_browser() -> bool:
    # On a server without a display webbrowser.open() may start a text browser in the terminal.
    return sys.platform in ("darwin", "win32") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )


def _stop_on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True, help="адрес, на котором слушают оба сервера")
@click.option(
    "--ports",
    default="8081,8000",
    show_default=True,
    callback=parse_ports,
    help="порты симулятора Moodle и инструмента (0 = любой свободный)",
)
@click.option(
    "--sim-host", default="127.0.0.1", show_default=True, help="имя сайта симулятора Moodle в ссылках"
)
@click.option(
    "--web-host",
    default="localhost",
    show_default=True,
    help="имя сайта инструмента в ссылках (другой сайт, чем симулятор: встраивание как в жизни)",
)
@click.option("--no-sync", is_flag=True, help="не запускать синхронизацию с симулятором")
@click.option("--no-browser", is_flag=True, help="не открывать браузер")
@click.option(
    "--workdir", default="var", show_default=True, type=click.Path(file_okay=False), help="где база демо"
)
@click.option(
    "--examples",
    default="examples",
    show_default=True,
    type=click.Path(file_okay=False),
    help="файлы примеров",
)
@click.pass_obj
def group(
    app: AppContext,
    host: str,
    ports: tuple[int, int],
    sim_host: str,
    web_host: str,
    no_sync: bool,
    no_browser: bool,
    workdir: str,
    examples: str,
) -> None:
    """Демонстрация без внешней СДО: реестр из examples/, симулятор Moodle с LTI 1.3 и инструмент.

    Создаёт свежую базу в var/, загружает примеры, строит и утверждает маршруты, запускает симулятор
    Moodle и веб-приложение, связывает их по LTI 1.3, синхронизирует и печатает ссылки для входа
    педагогом, куратором и руководителем. Работает до Ctrl+C.
    """
    # Imported here: the demo wires the whole application, the CLI package included (sync jobs).
    from lms_demo.stack import DemoConfig, DemoStack

    config = DemoConfig(
        workdir=Path(workdir),
        examples=Path(examples),
        bind=host,
        sim_host=sim_host,
        sim_port=ports[0],
        web_host=web_host,
        web_port=ports[1],
        sync=not no_sync,
        today=app.today(),
    )
    try:
        stack = DemoStack(config, say=lambda text: click.echo(text))
    except OSError as e:
        raise click.ClickException(
            f"не удалось занять порт ({e.strerror}); укажите другие: --ports 0,0"
        ) from e
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        stack.start()
        click.echo("")
        click.echo(f"Moodle (симулятор): {stack.sim_url}   инструмент lms-bridge: {stack.web_url}")
        click.echo(f"Маршрут для показа: № {stack.route_number}")
        click.echo("Откройте курс в Moodle от имени:")
        for role, url in stack.urls.items():
            person = stack.people[role]
            click.echo(f"  {DEMO_ROLE_LABELS[role]:<17} {person.full_name:<32} {url}")
        click.echo("Готово. Остановить: Ctrl+C", err=False)
        if not no_browser and _can_open_browser():
            webbrowser.open(stack.urls["teacher"])
        threading.Event().wait()
    except KeyboardInterrupt:
        click.echo("остановлено")
    finally:
        stack.stop()
