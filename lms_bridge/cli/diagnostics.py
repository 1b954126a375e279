from __future__ import annotations

import click

from lms_bridge.cli.context import AppContext
from lms_bridge.cli.options import input_file
from lms_bridge.errors import ValidationError
from lms_bridge.importers.diagnostics import FORMATS, READERS, parse_batches
from lms_bridge.importers.formats import format_of, open_table
from lms_bridge.importers.xml_reader import schema_text
from lms_bridge.profiles import import_rules
from lms_bridge.services.codifier import known_codes
from lms_bridge.services.imports import import_diagnostics


@click.group("diagnostics")
def group() -> None:
    """Результаты диагностики профессиональных дефицитов."""


@group.command("import")
@input_file(FORMATS)
@click.option(
    "--partial",
    is_flag=True,
    help="сохранить верные строки, даже если есть ошибочные (код выхода всё равно 1)",
)
@click.pass_obj
def import_cmd(app: AppContext, file: str, partial: bool, fmt: str | None) -> None:
    """Загрузить диагностику из FILE (CSV, XLSX или XML) в реестр.

    По умолчанию «всё или ничего»: одна ошибочная строка — и файл не загружается.
    Шкала уровней, уровень дефицитов и модели ИОМ проверяются по профилю региона
    (LMS_BRIDGE_REGION_PROFILE). Повторная загрузка того же файла ничего не меняет. Файл читается
    потоком: память не растёт с его размером.
    """
    with open_table(file, format_of(file, fmt, FORMATS), READERS) as table:
        profile = app.settings.profile
        rules = import_rules(profile, known_codes(app.store, profile.name))
        result = import_diagnostics(
            app.store, parse_batches(table, app.today(), rules=rules), partial=partial
        )
    click.echo(f"добавлено: {result.added}, без изменений: {result.unchanged}")
    for warning in result.warnings:
        click.echo(f"предупреждение: {warning}")
    if result.finals:
        click.echo(f"итоговая диагностика маршрутов ({len(result.finals)}): {', '.join(result.finals)}")
    if result.rejected:
        click.echo(f"отклонено строк: {result.rejected}")
        raise ValidationError(result.problems, source=file)


@group.command("schema")
def schema_cmd() -> None:
    """Напечатать XSD-схему XML-файла диагностики."""
    click.echo(schema_text(), nl=False)
