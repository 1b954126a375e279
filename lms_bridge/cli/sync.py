"""``lms-bridge sync``: the group and the table of its commands (cli/sync_jobs.py), each imported only when
it runs, so ``sync --help`` loads neither the jobs, rich, nor the Moodle adapter (issue 7, start-up cost).
``tests/cli/test_lazy_cli.py`` checks each line against the loaded command's own help.
"""

from __future__ import annotations

import click

from lms_bridge.cli.lazy import Lazy, LazyGroup

COMMANDS: dict[str, Lazy] = {
    "attach": Lazy(
        "lms_bridge.cli.sync_jobs:attach_cmd",
        "Найти педагогов и кураторов в СДО, передать ссылку на карту ИОМ.",
    ),
    "enrol": Lazy(
        "lms_bridge.cli.sync_jobs:enrol_cmd",
        "Зачислить на курсы ДПП по подтверждённым заявкам (руководитель ОО + ЦНППМ).",
    ),
    "results": Lazy(
        "lms_bridge.cli.sync_jobs:results_cmd", "Перенести результаты итоговой аттестации из СДО в маршруты."
    ),
    "progress": Lazy(
        "lms_bridge.cli.sync_jobs:progress_cmd",
        "Передать прохождение ИОМ (доля выполненных мероприятий, 0–100) в журнал оценок Moodle по LTI AGS.",
    ),
    "all": Lazy(
        "lms_bridge.cli.sync_jobs:all_cmd",
        "attach → enrol → results → progress (каждые 15 минут по cron или таймеру systemd).",
    ),
    "disagreements": Lazy(
        "lms_bridge.cli.sync_jobs:disagreements_cmd",
        "Зачёты из СДО, которые СДО позже опровергла (отметка не снимается: решает человек).",
    ),
    "resolve": Lazy(
        "lms_bridge.cli.sync_jobs:resolve_cmd",
        "Закрыть расхождение по мероприятию KEY маршрута NUMBER (отметку при необходимости меняет куратор).",
    ),
}


@click.group("sync", cls=LazyGroup, lazy=COMMANDS)
def group() -> None:
    """Обмен с СДО: привязка учётных записей, зачисление, результаты (для cron)."""
