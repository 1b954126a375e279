"""The ``lms-bridge`` command. Exit codes: 0 ok, 1 rejected rows or failed items, 2 usage."""

from __future__ import annotations

from typing import Any

import click

from lms_bridge.cli.context import AppContext
from lms_bridge.cli.lazy import Lazy, LazyGroup
from lms_bridge.errors import BridgeError, SettingsInvalid, ValidationError

# Every command group, imported only when it runs; the help texts are what ``lms-bridge --help`` lists
# (tests/cli/test_lazy_cli.py checks each against the command's own). ``sim`` and ``demo`` live outside
# the product (moodle_sim/, lms_demo/): the product names them here and never imports them.
COMMANDS: dict[str, Lazy] = {
    "applications": Lazy(
        "lms_bridge.cli.applications:group",
        "Заявки на обучение по ДПП: подтверждают руководитель ОО и специалист ЦНППМ.",
    ),
    "codifier": Lazy(
        "lms_bridge.cli.codifier:group",
        "Кодификатор дефицитов профиля региона: код, наименование, блок компетенций.",
    ),
    "course-map": Lazy(
        "lms_bridge.cli.coursemap:group",
        "Каталог мероприятий: курсы ДПП, мероприятия, стажировки; реестр стажировочных площадок.",
    ),
    "curators": Lazy("lms_bridge.cli.curators:group", "Кураторы (тьюторы) маршрутов."),
    "db": Lazy("lms_bridge.cli.db:group", "База данных реестра."),
    "demo": Lazy(
        "lms_demo.cli:group",
        "Демонстрация без внешней СДО: реестр из examples/, симулятор Moodle с LTI 1.3 и инструмент.",
    ),
    "diagnostics": Lazy(
        "lms_bridge.cli.diagnostics:group", "Результаты диагностики профессиональных дефицитов."
    ),
    "lms": Lazy("lms_bridge.cli.lms:group", "Подключение к СДО (Moodle)."),
    "lti": Lazy(
        "lms_bridge.cli.lti:group", "LTI 1.3: ключи инструмента, платформы (Moodle), руководители ОО."
    ),
    "notify": Lazy(
        "lms_bridge.cli.notify:group",
        "Уведомления в СДО: педагогам о предстоящих мероприятиях, кураторам — сводка за неделю (для cron).",
    ),
    "queue": Lazy(
        "lms_bridge.cli.worker:queue_group",
        "Очередь задач синхронизации (PostgreSQL): создание таблиц, состояние, задачи с ошибкой.",
    ),
    "reports": Lazy(
        "lms_bridge.cli.reports:group", "Сводные отчёты (обезличенные, группы не менее 5 человек)."
    ),
    "routes": Lazy("lms_bridge.cli.routes:group", "Маршруты (ИОМ): построение, реестр, карта, переходы."),
    "serve": Lazy(
        "lms_bridge.cli.serve:group", "Запустить веб-приложение: LTI-инструмент, карты ИОМ, панели, JSON API."
    ),
    "sim": Lazy(
        "moodle_sim.cli:group", "Симулятор Moodle 5.1 (веб-сервисы REST) для демонстрации, тестов и замеров."
    ),
    "sync": Lazy(
        "lms_bridge.cli.sync:group",
        "Обмен с СДО: привязка учётных записей, зачисление, результаты (для cron).",
    ),
    "worker": Lazy(
        "lms_bridge.cli.worker:worker_cmd",
        "Воркер очереди задач: синхронизация с сайтами СДО по частям и расписание (каждые 15 минут).",
    ),
}


class BridgeGroup(LazyGroup):
    """Turns the project's errors into a Russian message on stderr and exit code 1 (no traceback);
    bad settings exit with 2 (a usage error: nothing was done), one line per bad variable."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SettingsInvalid as e:
            click.echo("Ошибка в настройках (переменные окружения или файл .env):", err=True)
            for line in e.lines:
                click.echo(f"  {line}", err=True)
            ctx.exit(2)
        except ValidationError as e:
            click.echo(f"Ошибка: {e.source or 'данные'} отклонены ({len(e.problems)}):", err=True)
            for p in e.problems:
                click.echo(f"  {p}", err=True)
            ctx.exit(1)
        except BridgeError as e:
            click.echo(f"Ошибка: {e}", err=True)
            ctx.exit(1)


@click.group(
    cls=BridgeGroup,
    lazy=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
)
@click.version_option(package_name="lms-bridge")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """lms-bridge: индивидуальные образовательные маршруты (ИОМ) педагогов в СДО."""
    ctx.obj = AppContext()


def main() -> None:
    cli()
