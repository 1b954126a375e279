"""``lms-bridge lms``: the connection to the LMS (Moodle)."""

from __future__ import annotations

import click

from lms_bridge.adapters.moodle.lms import REQUIRED_FUNCTIONS
from lms_bridge.bootstrap import build_lms
from lms_bridge.cli.context import AppContext
from lms_bridge.errors import LmsAuthError, LmsError, LmsUnavailable

HINTS: dict[type[LmsError], str] = {
    LmsAuthError: "проверьте токен (LMS_BRIDGE_MOODLE_TOKEN) и что веб-службы и протокол REST включены",
    LmsUnavailable: "Moodle не отвечает: проверьте адрес (LMS_BRIDGE_MOODLE_URL) и сеть",
}


@click.group("lms")
def group() -> None:
    """Подключение к СДО (Moodle)."""


@group.command("check")
@click.pass_obj
def check_cmd(app: AppContext) -> None:
    """Проверить адрес, токен и доступ ко всем нужным функциям веб-служб Moodle."""
    lms = build_lms(app.settings)
    try:
        info = lms.get_site_info()
    except LmsError as e:
        click.echo(f"Ошибка: Moodle не ответил на проверку: {e}", err=True)
        hint = next((h for cls, h in HINTS.items() if isinstance(e, cls)), "")
        if hint:
            click.echo(f"  {hint}", err=True)
        raise SystemExit(1) from None
    click.echo(f"Сайт: {info.site_name}")
    click.echo(f"Версия Moodle: {info.release} ({info.version})")
    click.echo(f"Пользователь токена: id {info.user_id}")
    missing = [f for f in REQUIRED_FUNCTIONS if f not in info.functions]
    if missing:
        click.echo(
            f"Токену недоступны нужные функции ({len(missing)} из {len(REQUIRED_FUNCTIONS)}):", err=True
        )
        for name in missing:
            click.echo(f"  {name}", err=True)
        click.echo(
            "  добавьте их во внешнюю службу токена (Администрирование › Сервер › Веб-службы)", err=True
        )
        raise SystemExit(1)
    click.echo(f"Все нужные функции доступны ({len(REQUIRED_FUNCTIONS)}).")
    _lti_grades(app)


def _lti_grades(app: AppContext) -> None:
    """Whether each LTI platform grants the grade service (route progress in the gradebook)."""
    from sqlalchemy.exc import SQLAlchemyError

    from lms_bridge import bootstrap
    from lms_bridge.services.progress_sync import ags_status

    launches = bootstrap.build_launch_store(app.store)
    try:
        items = launches.list_line_items()
        platforms = bootstrap.all_platforms(app.settings, launches)
    except SQLAlchemyError as e:
        click.echo(f"LTI: база не прочитана ({type(e).__name__}) — выполните `lms-bridge db upgrade`")
        return
    for p in platforms:
        click.echo(f"LTI {p.issuer} (client_id {p.client_id}): {ags_status(p, items)}")
