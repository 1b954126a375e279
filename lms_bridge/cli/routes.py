"""``lms-bridge routes``: the group and the table of its commands, each imported only when it runs.

``lms-bridge routes --help`` lists the commands from the one-line help texts below and loads none of them
(nor the services, exporters, SQLAlchemy or the wiring they need): issue 7, start-up cost.
``tests/cli/test_lazy_cli.py`` checks each line against the loaded command's own help.
"""

from __future__ import annotations

import click

from lms_bridge.cli.lazy import Lazy, LazyGroup

COMMANDS: dict[str, Lazy] = {
    # building, the registry, the card and the workflow (cli/route_commands.py)
    "build": Lazy(
        "lms_bridge.cli.route_commands:build_cmd",
        "Составить проект ИОМ для каждого продиагностированного педагога без маршрута.",
    ),
    "list": Lazy(
        "lms_bridge.cli.route_commands:list_cmd",
        "Реестр маршрутов (маршруты в архиве — только с --archived).",
    ),
    "show": Lazy("lms_bridge.cli.route_commands:show_cmd", "Карта маршрута NUMBER."),
    "transition": Lazy(
        "lms_bridge.cli.route_commands:transition_cmd",
        "Перевести маршрут NUMBER: submit, return, finalise, agree, approve, start, complete, prolong, "
        "resume, cancel.",
    ),
    "mark": Lazy(
        "lms_bridge.cli.route_commands:mark_cmd",
        "Отметить выполнение мероприятия KEY маршрута NUMBER (курс ДПП отмечается только по СДО).",
    ),
    "note": Lazy(
        "lms_bridge.cli.route_commands:note_cmd", "Промежуточный результат куратора по мероприятию KEY."
    ),
    "propose": Lazy(
        "lms_bridge.cli.route_commands:propose_cmd",
        "Предложение педагога о корректировке маршрута NUMBER (TEXT; «-» — прочитать из stdin).",
    ),
    "correct": Lazy(
        "lms_bridge.cli.route_commands:correct_cmd",
        "Добавить, заменить или удалить мероприятие (после утверждения — корректировка с причиной).",
    ),
    "close": Lazy(
        "lms_bridge.cli.route_commands:close_cmd",
        "Закрыть мероприятие KEY без выполнения корректировкой (причина остаётся в карте).",
    ),
    "conclude": Lazy(
        "lms_bridge.cli.route_commands:conclude_cmd",
        "Выводы куратора по маршруту NUMBER; --level вносит итоговые уровни вручную, если повторная "
        "диагностика не загружена.",
    ),
    "history": Lazy(
        "lms_bridge.cli.route_commands:history_cmd",
        "Журнал действий по маршруту NUMBER: кто, что и когда изменил.",
    ),
    "sign": Lazy(
        "lms_bridge.cli.route_commands:sign_cmd",
        "Подписать (ознакомиться): корректировку --correction N или выводы --conclusion.",
    ),
    # ``routes export`` and ``export-registry`` (cli/export.py), ``routes archive`` (cli/route_keeping.py)
    "archive": Lazy(
        "lms_bridge.cli.route_keeping:archive_cmd",
        "Перенести в архив завершённые и отменённые маршруты после срока хранения.",
    ),
    "details": Lazy(
        "lms_bridge.cli.route_details:details_cmd",
        "Сведения карты ИОМ NUMBER по региональному макету (регион, учебный год, тьютор, задачи, этапы).",
    ),
    "export": Lazy("lms_bridge.cli.export:export_cmd", "Выгрузить карту ИОМ NUMBER в JSON, XML или DOCX."),
    "export-registry": Lazy(
        "lms_bridge.cli.export:export_registry_cmd",
        "Выгрузить реестр маршрутов (без результатов диагностики) в CSV, XLSX или JSON.",
    ),
    # the reflective-analytical stage (cli/route_results.py)
    "event": Lazy(
        "lms_bridge.cli.route_results:event_group",
        "Итоговые публичные мероприятия маршрута: педагог предлагает, куратор подтверждает.",
    ),
    "product": Lazy(
        "lms_bridge.cli.route_results:product_cmd",
        "Образовательный продукт педагога по маршруту NUMBER (ссылка и/или файл).",
    ),
    "product-file": Lazy(
        "lms_bridge.cli.route_results:product_file_cmd",
        "Сохранить файл образовательного продукта маршрута NUMBER.",
    ),
    "reflection": Lazy(
        "lms_bridge.cli.route_results:reflection_cmd",
        "Рефлексия (самоанализ) педагога по итогам маршрута NUMBER.",
    ),
}


@click.group("routes", cls=LazyGroup, lazy=COMMANDS)
def group() -> None:
    """Маршруты (ИОМ): построение, реестр, карта, переходы."""
