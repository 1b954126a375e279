"""``lms-bridge lti …``: the LTI 1.3 tool's keys, platforms, heads of schools and identities."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from lms_bridge.cli.context import AppContext
from lms_bridge.domain.platforms import PlatformScope
from lms_bridge.errors import NotFound
from lms_bridge.ports import Head, LaunchStore, Platform
from lms_bridge.web.lti.keys import load_private_pem, public_jwks, write_private_key


def _launches(app: AppContext) -> LaunchStore:
    from lms_bridge.bootstrap import build_launch_store

    return build_launch_store(app.store)


@click.group("lti")
def group() -> None:
    """LTI 1.3: ключи инструмента, платформы (Moodle), руководители ОО."""


@group.command("keygen")
@click.option(
    "--path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="по умолчанию LMS_BRIDGE_LTI_PRIVATE_KEY_PATH",
)
@click.option("--force", is_flag=True, help="заменить существующий ключ")
@click.pass_obj
def keygen(app: AppContext, path: Path | None, force: bool) -> None:
    """Создать RSA-ключ инструмента (PEM, права 600). Не храните его в репозитории."""
    target = path or Path(app.settings.lti_private_key_path)
    write_private_key(target, force=force)
    kid = public_jwks(target.read_bytes())["keys"][0]["kid"]
    click.echo(f"ключ записан: {target} (kid {kid}); открытый ключ публикуется на /lti/jwks")


def _site_scope(app: AppContext, name: str) -> PlatformScope:
    """An LTI platform of an LMS site speaks for the people that site serves (issue 12, §1)."""
    from lms_bridge.site_config import load_sites, select_sites

    (site,) = select_sites(load_sites(app.settings), (name,))
    return site.scope


@group.command("add-platform")
@click.option("--issuer", required=True, help="адрес Moodle (issuer), например https://sdo.example.ru")
@click.option("--client-id", required=True, help="Client ID, выданный Moodle")
@click.option(
    "--deployment-id", "deployment_ids", multiple=True, required=True, help="Deployment ID (можно несколько)"
)
@click.option("--auth-url", help="по умолчанию ISSUER/mod/lti/auth.php")
@click.option("--jwks-url", help="по умолчанию ISSUER/mod/lti/certs.php")
@click.option("--token-url", help="по умолчанию ISSUER/mod/lti/token.php")
@click.option("--region", is_flag=True, help="платформа говорит за весь регион (все ОО реестра)")
@click.option("--school", "schools", multiple=True, help="ОО, чьи педагоги и руководители входят через неё")
@click.option(
    "--municipality", "municipalities", multiple=True, help="муниципалитет, чьи ОО входят через неё"
)
@click.option("--site", help="сайт СДО (lms-bridge lms sites): платформа говорит за тех, кого он обслуживает")
@click.pass_obj
def add_platform(
    app: AppContext,
    issuer: str,
    client_id: str,
    deployment_ids: tuple[str, ...],
    auth_url: str | None,
    jwks_url: str | None,
    token_url: str | None,
    region: bool,
    schools: tuple[str, ...],
    municipalities: tuple[str, ...],
    site: str | None,
) -> None:
    """Зарегистрировать платформу LTI (Moodle) в базе и указать, за кого она говорит."""
    scope = PlatformScope.of(region=region, schools=schools, municipalities=municipalities)
    if site:
        if not scope.empty:
            raise click.UsageError(
                "--site задаёт область сам: не сочетайте его с --region, --school, --municipality"
            )
        scope = _site_scope(app, site)
    if scope.empty:
        raise click.UsageError(
            "укажите, чьи пользователи входят через эту платформу: --region, --school или --municipality"
        )
    base = issuer.rstrip("/")
    platform = Platform(
        issuer=base,
        client_id=client_id,
        deployment_ids=deployment_ids,
        auth_url=auth_url or f"{base}/mod/lti/auth.php",
        jwks_url=jwks_url or f"{base}/mod/lti/certs.php",
        token_url=token_url or f"{base}/mod/lti/token.php",
        scope=scope,
    )
    _launches(app).add_platform(platform)
    click.echo(f"платформа {platform.issuer} (client_id {client_id}) зарегистрирована: {scope.describe()}")


@group.command("platforms")
@click.option("--json", "as_json", is_flag=True, help="в формате JSON")
@click.pass_obj
def platforms(app: AppContext, as_json: bool) -> None:
    """Зарегистрированные платформы: из настроек (LMS_BRIDGE_LTI_PLATFORMS) и из базы."""
    configured = app.settings.lti_platforms
    from lms_bridge.services.progress_sync import ags_status
    from lms_bridge.web.context import platform_of

    launches = _launches(app)
    rows = [(platform_of(c), "настройки") for c in configured]
    rows += [(p, "база") for p in launches.list_platforms()]
    items = launches.list_line_items()
    if as_json:
        out = [
            {
                **asdict(p),
                "deployment_ids": list(p.deployment_ids),
                "scope": {
                    "region": p.scope.region,
                    "schools": sorted(p.scope.schools),
                    "municipalities": sorted(p.scope.municipalities),
                },
                "services": None if p.services is None else list(p.services),
                "grades": ags_status(p, items),
                "source": src,
            }
            for p, src in rows
        ]
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("платформ нет: lms-bridge lti registration-url или lms-bridge lti add-platform")
    for p, src in rows:
        deployments = ",".join(p.deployment_ids)
        click.echo(f"{p.issuer}\t{p.client_id}\t{deployments}\t{p.scope.describe()}\t({src})")
        click.echo(f"  {ags_status(p, items)}")


@group.command("remove-platform")
@click.argument("issuer")
@click.option("--client-id", help="только этот Client ID (по умолчанию все платформы с этим issuer)")
@click.pass_obj
def remove_platform(app: AppContext, issuer: str, client_id: str | None) -> None:
    """Удалить платформу из базы (платформы из настроек удаляются в настройках)."""
    removed = _launches(app).remove_platform(issuer.rstrip("/"), client_id)
    if not removed:
        what = f"{issuer} (client_id {client_id})" if client_id else issuer
        raise NotFound(f"платформа {what} не найдена в базе")
    click.echo(f"удалено платформ: {removed}")


@group.command("registration-url")
@click.option(
    "--valid-minutes",
    type=click.IntRange(1, 7 * 24 * 60),
    default=60,
    show_default=True,
    help="сколько минут действует код",
)
@click.option("--region", is_flag=True, help="платформа будет говорить за весь регион (все ОО реестра)")
@click.option("--school", "schools", multiple=True, help="ОО, чьи педагоги и руководители входят через неё")
@click.option(
    "--municipality", "municipalities", multiple=True, help="муниципалитет, чьи ОО входят через неё"
)
@click.pass_obj
def registration_url(
    app: AppContext,
    valid_minutes: int,
    region: bool,
    schools: tuple[str, ...],
    municipalities: tuple[str, ...],
) -> None:
    """Адрес для динамической регистрации в Moodle (одноразовый код): Администрирование › Плагины ›
    Модули деятельности › Внешний инструмент › Управление инструментами › Tool URL › «Add LTI Advantage».
    --region / --school / --municipality: за кого будет говорить зарегистрированная платформа; без них
    она не говорит ни за кого, пока `lti add-platform` не задаст это."""
    scope = PlatformScope.of(region=region, schools=schools, municipalities=municipalities)
    code, expires = _launches(app).new_registration_code(valid_minutes, scope)
    base = app.settings.public_url.rstrip("/")
    click.echo(f"{base}/lti/register?code={code}")
    click.echo(
        f"действует до {expires:%d.%m.%Y %H:%M}, один раз; вставьте его в Moodle в поле Tool URL "
        "и нажмите «Add LTI Advantage», затем «Activate» на карточке инструмента",
        err=True,
    )
    if scope.empty:
        click.echo(
            "внимание: платформа не будет говорить ни за кого, пока не задан охват "
            "(--region | --school | --municipality здесь или в lms-bridge lti add-platform)",
            err=True,
        )
    else:
        click.echo(f"платформа будет говорить за: {scope.describe()}", err=True)


@group.command("config")
@click.pass_obj
def config(app: AppContext) -> None:
    """Что ввести в Moodle: Администрирование › Плагины › Внешний инструмент › Управление инструментами ›
    настроить инструмент вручную."""
    base = app.settings.public_url.rstrip("/")
    pem = load_private_pem(app.settings)
    lines = [
        ("Tool name", "ИОМ педагога (lms-bridge)"),
        ("Tool URL", f"{base}/lti/launch"),
        ("LTI version", "LTI 1.3"),
        ("Public key type", "Keyset URL"),
        ("Public keyset URL", f"{base}/lti/jwks"),
        ("Initiate login URL", f"{base}/lti/login"),
        ("Redirection URI(s)", f"{base}/lti/launch"),
        ("Default launch container", "Embed, without blocks"),
        ("Share launcher's name with tool", "Always"),
        ("Share launcher's email with tool", "Always"),
    ]
    width = max(len(k) for k, _ in lines)
    for key, value in lines:
        click.echo(f"{key.ljust(width)}  {value}")
    if pem is None:
        click.echo("\nвнимание: ключ инструмента не создан — выполните `lms-bridge lti keygen`", err=True)
    click.echo(
        "\nЗатем зарегистрируйте платформу: lms-bridge lti add-platform --issuer <адрес Moodle> "
        "--client-id <Client ID> --deployment-id <Deployment ID>"
    )


@group.command("add-head")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True, help="ФИО")
@click.option("--school", required=True, help="образовательная организация, как в реестре")
@click.option("--municipality", default="")
@click.pass_obj
def add_head(app: AppContext, email: str, full_name: str, school: str, municipality: str) -> None:
    """Внести руководителя ОО: он видит и утверждает маршруты педагогов своей организации."""
    _launches(app).add_head(
        Head(email.strip().lower(), full_name.strip(), school.strip(), municipality.strip())
    )
    click.echo(f"руководитель {full_name} ({school}) внесён")


@group.command("link-user")
@click.option("--issuer", required=True, help="платформа (адрес Moodle)")
@click.option("--user-id", required=True, help="id пользователя в Moodle (sub в LTI)")
@click.option("--email", required=True, help="e-mail педагога в реестре")
@click.option("--idnumber", default="", help="idnumber пользователя в Moodle")
@click.pass_obj
def link_user(app: AppContext, issuer: str, user_id: str, email: str, idnumber: str) -> None:
    """Связать пользователя Moodle с педагогом реестра, если Moodle не передаёт e-mail."""
    _launches(app).link_identity(issuer.rstrip("/"), user_id, email.strip().lower(), idnumber)
    click.echo(f"пользователь {user_id} платформы {issuer} связан с {email}")
