"""The whole route cycle end to end through ``lms-bridge``: a re-diagnostic import, final events,
product and reflection, a refused and then an honest completion, the next route; prolonging."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from tests.cli.conftest import Run
from tests.cli.test_routes_cli import approve_and_start, seed_routes
from tests.importers.helpers import csv_bytes, row

NUMBER = "74-2026-000001"
CURATOR = "curator:Смирнова О.В."
TEACHER = "teacher:Иванова М.П."


def card(run: Run, number: str = NUMBER) -> dict:  # type: ignore[type-arg]
    return json.loads(run("routes", "show", number, "--json").output)  # type: ignore[no-any-return]


def test_refused_completion_then_the_honest_one_and_the_next_route(run: Run, tmp_path: Path) -> None:
    seed_routes(1)
    approve_and_start(run)
    today = date.today()
    r = run("routes", "transition", NUMBER, "complete", "--actor", CURATOR)
    assert r.exit_code == 1
    for missing in (
        "«Курс ПК»: нет результата итоговой аттестации в СДО",
        "итоговое публичное мероприятие не проведено",
        "нет итоговой диагностики",
        "не написаны выводы куратора",
    ):
        assert missing in r.output
    # a curator cannot mark the formal course done by hand; closes it by a correction instead
    r = run("routes", "mark", NUMBER, "1", "--actor", CURATOR)
    assert r.exit_code == 1
    assert "итоговой аттестации в СДО" in r.output
    assert run("routes", "close", NUMBER, "1", "--actor", CURATOR, "--reason", "набор отменён").exit_code == 0

    # the re-diagnostic imported: it becomes the final diagnostic
    rediag = tmp_path / "повторная.csv"
    rediag.write_bytes(
        csv_bytes(
            [row(1, diagnostic_date=today.isoformat(), level_subject="повышенный", deficit_codes="М2.3")]
        )
    )
    r = run("diagnostics", "import", str(rediag))
    assert r.exit_code == 0
    assert f"итоговая диагностика маршрутов (1): {NUMBER}" in r.output
    shown = card(run)
    assert (shown["final_source"], shown["deficits_gone"], shown["dynamics"]["subject"]) == (
        "import",
        ["П1.1"],
        2,
    )

    # the teacher proposes the final event and reports it held; the curator confirms
    add = (
        "routes",
        "event",
        "add",
        NUMBER,
        "--actor",
        TEACHER,
        "--form",
        "открытый урок",
        "--title",
        "Параметры",
    )
    assert run(*add, "--start", today.isoformat()).exit_code == 0
    r = run("routes", "event", "held", NUMBER, "1", "--actor", TEACHER, "--link", "https://school.ru/urok")
    assert r.exit_code == 0
    assert "ждёт подтверждения куратора" in r.output
    r = run("routes", "event", "confirm", NUMBER, "1", "--actor", CURATOR)
    assert r.exit_code == 0
    assert f"проведено {today:%d.%m.%Y}" in r.output
    r = run("routes", "event", "edit", NUMBER, "1", "--actor", CURATOR, "--form", "урок", "--title", "x")
    assert r.exit_code == 1
    assert "уже проведено" in r.output

    # the product with a file kept by the registry, and the reflection
    pdf = tmp_path / "карта урока.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + b"0" * 500)
    r = run("routes", "product", NUMBER, "--actor", TEACHER, "--kind", "конспект/технологическая карта урока",
            "--title", "Технологическая карта", "--file", str(pdf))  # fmt: skip
    assert r.exit_code == 0
    assert "файл карта урока.pdf (509 байт)" in r.output
    out = tmp_path / "копия.pdf"
    assert run("routes", "product-file", NUMBER, "--out", str(out)).exit_code == 0
    assert out.read_bytes() == pdf.read_bytes()
    r = run("routes", "reflection", NUMBER, "--actor", TEACHER, "--overcome", "П1.1", "--needs-met", "да")
    assert r.exit_code == 0

    r = run("routes", "conclude", NUMBER, "--actor", CURATOR, "--conclusion", "ИОМ пройден успешно")
    assert r.exit_code == 0
    assert "+2" in r.output
    r = run("routes", "transition", NUMBER, "complete", "--actor", CURATOR)
    assert r.exit_code == 0, r.output
    shown = card(run)
    assert (shown["status"], shown["completed_on"]) == ("completed", today.isoformat())
    assert shown["product"]["file"]["name"] == "карта урока.pdf"
    assert shown["reflection"]["needs_met"] == "да"

    # the next cycle: the re-diagnostic drafts the next route, linked to this one
    r = run("routes", "build")
    assert r.exit_code == 0
    assert "составлено маршрутов: 1" in r.output
    assert card(run, "74-2026-000002")["previous_number"] == NUMBER
    assert "составлено маршрутов: 0" in run("routes", "build").output


def test_prolong_takes_a_new_end_and_moves_the_deadline(run: Run) -> None:
    seed_routes(1)
    approve_and_start(run)
    r = run("routes", "transition", NUMBER, "prolong", "--actor", CURATOR)
    assert r.exit_code == 1
    assert "новой даты окончания" in r.output
    far = "2029-01-01"  # more than 24 months after the start (14.01.2026)
    r = run("routes", "transition", NUMBER, "prolong", "--actor", CURATOR, "--end", far)
    assert r.exit_code == 1
    assert "не более 24 мес" in r.output
    new_end = date(2027, 12, 31)
    r = run("routes", "transition", NUMBER, "prolong", "--actor", CURATOR, "--end", new_end.isoformat())
    assert r.exit_code == 0
    assert f"окончание {new_end:%d.%m.%Y}" in r.output
    listed = json.loads(run("routes", "list", "--json").output)
    assert listed[0]["deadline"] == new_end.isoformat()


def test_marks_take_the_date_done_not_in_the_future(run: Run) -> None:
    seed_routes(1)
    approve_and_start(run)
    # the seed map has one course only: the curator adds a non-formal activity starting 01.02.2026
    correction = ("--title", "Семинар", "--reason", "запрос педагога", "--start", "2026-02-01")
    r = run("routes", "correct", NUMBER, "--actor", CURATOR, *correction)
    assert r.exit_code == 0
    key = card(run)["activities"][-1]["key"]
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    r = run("routes", "mark", NUMBER, key, "--actor", TEACHER, "--on", tomorrow)
    assert r.exit_code == 1
    assert "ещё не наступила" in r.output
    r = run("routes", "mark", NUMBER, key, "--actor", TEACHER, "--on", "2026-01-31")
    assert r.exit_code == 1
    assert "раньше начала мероприятия" in r.output
    assert run("routes", "mark", NUMBER, key, "--actor", TEACHER, "--on", "2026-02-03").exit_code == 0
    assert card(run)["activities"][-1]["done_on"] == "2026-02-03"
