"""``lms-bridge lms``: the LMS sites (Moodle): ``sites`` lists them, ``check`` checks them."""

from __future__ import annotations

import json

import click

from lms_bridge.adapters.moodle.lms import REQUIRED_FUNCTIONS
from lms_bridge.bootstrap import build_site_lms
from lms_bridge.cli.context import AppContext
from lms_bridge.config import Settings
from lms_bridge.domain.sites import LmsSite
from lms_bridge.errors import ConfigError, LmsAuthError, LmsError, LmsUnavailable
from lms_bridge.ports import Lms
from lms_bridge.site_config import load_sites, select_sites, site_token

HINTS: dict[type[LmsError], str] = {
    LmsAuthError: "проверьте токен (LMS_BRIDGE_MOODLE_TOKEN) и что веб-службы и протокол REST включены",
    LmsUnavailable: "Moodle не отвечает: проверьте адрес (LMS_BRIDGE_MOODLE_URL) и сеть",
}


def pick_sites(settings: Settings, names: tuple[str, ...]) -> list[LmsSite]:
    """The sites ``--site`` names (all when none); an unknown name is a usage error (exit 2)."""
    sites = load_sites(settings)
    try:
        return select_sites(sites, names)
    except ConfigError as e:
        raise click.BadParameter(str(e), param_hint="--site") from None


@click.group("lms")
def group() -> None:
    """Подключение к СДО (Moodle)."""


@group.command("sites")
@click.option("--json", "as_json", is_flag=True, help="вывести JSON")
@click.pass_obj
def sites_cmd(app: AppContext, as_json: bool) -> None:
    """Сайты СДО: адрес, откуда токен, max_input_vars, часовой пояс, предел вызовов, кого обслуживает."""
    sites = load_sites(app.settings)
    if as_json:
        rows = [
            {
                "name": s.name,
                "url": s.url,
                "token": f"file:{s.token_file}" if s.token_file else f"env:{s.token_env}",
                "token_present": bool(site_token(s))
                if app.settings.sites_file.strip()
                else _default_token(app),
                "max_input_vars": s.max_input_vars,
                "timezone": s.timezone,
                "cap": s.cap,
                "schools": sorted(s.schools),
                "municipalities": sorted(s.municipalities),
                "teachers": len(s.teachers),
                "default": s.default,
            }
            for s in sites
        ]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for s in sites:
        token = f"файл {s.token_file}" if s.token_file else f"переменная {s.token_env}"
        click.echo(
            f"{s.name}\t{s.url or '(адрес не задан)'}\tтокен: {token}\tmax_input_vars {s.max_input_vars}\t"
            f"{s.timezone}\tодновременных вызовов до {s.cap}\t{s.describe()}"
        )
    click.echo(f"сайтов: {len(sites)}")


def _default_token(app: AppContext) -> bool:
    return bool(app.settings.moodle_token.get_secret_value().strip())


@group.command("check")
@click.option("--site", "names", multiple=True, metavar="ИМЯ", help="только этот сайт (по умолчанию все)")
@click.pass_obj
def check_cmd(app: AppContext, names: tuple[str, ...]) -> None:
    """Проверить адрес, токен и доступ ко всем нужным функциям веб-служб Moodle (на каждом сайте)."""
    sites = pick_sites(app.settings, names)
    several = app.settings.sites_file.strip() != ""
    bad = 0
    for site in sites:
        if several:
            click.echo(f"== сайт {site.name} ({site.url})")
        try:
            lms = build_site_lms(app.settings, site)
        except ConfigError as e:
            if not several:
                raise
            click.echo(f"Ошибка: {e}", err=True)
            bad += 1
            continue
        bad += 0 if _check(lms) else 1
    _lti_grades(app)
    if bad:
        if several:
            click.echo(f"сайтов с ошибками: {bad} из {len(sites)}", err=True)
        raise SystemExit(1)


def _check(lms: Lms) -> bool:
    try:
        info = lms.get_site_info()
    except LmsError as e:
        click.echo(f"Ошибка: Moodle не ответил на проверку: {e}", err=True)
        hint = next((h for cls, h in HINTS.items() if isinstance(e, cls)), "")
        if hint:
            click.echo(f"  {hint}", err=True)
        return False
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
        return False
    click.echo(f"Все нужные функции доступны ({len(REQUIRED_FUNCTIONS)}).")
    return True


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
