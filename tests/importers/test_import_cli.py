"""The import commands end to end through click, on a fresh SQLite registry."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lms_bridge.cli import cli
from lms_bridge.storage.store import SqlRouteStore, make_engine
from tests.importers.helpers import EXAMPLES, ROOT, csv_bytes, row

Invoke = Callable[..., Result]


@pytest.fixture
def run(db_url: str) -> Invoke:
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, list(args), env={"LMS_BRIDGE_DATABASE_URL": db_url}, catch_exceptions=False)

    assert invoke("db", "upgrade").exit_code == 0
    return invoke


def count_diagnostics(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        return len(SqlRouteStore(engine).list_diagnostics())
    finally:
        engine.dispose()


@pytest.mark.parametrize("name", ["diagnostics.csv", "diagnostics.xlsx", "diagnostics.xml"])
def test_import_then_reimport_changes_nothing(run: Invoke, db_url: str, name: str) -> None:
    first = run("diagnostics", "import", str(EXAMPLES / name))
    assert first.exit_code == 0, first.output
    assert "добавлено: 26, без изменений: 0" in first.output
    again = run("diagnostics", "import", str(EXAMPLES / "diagnostics.csv"))
    assert again.exit_code == 0
    assert "добавлено: 0, без изменений: 26" in again.output
    assert count_diagnostics(db_url) == 26


def test_bad_row_rejects_the_whole_file_and_prints_row_and_column(
    run: Invoke, db_url: str, tmp_path: Path
) -> None:
    f = tmp_path / "d.csv"
    f.write_bytes(csv_bytes([row(1), row(2, diagnostic_date="31.02.2026"), row(3)]))
    result = run("diagnostics", "import", str(f))
    assert result.exit_code == 1
    assert "строка 3, поле «diagnostic_date»: «31.02.2026» — не дата" in result.output
    assert count_diagnostics(db_url) == 0  # all or nothing


def test_partial_stores_good_rows_and_still_exits_1(run: Invoke, db_url: str, tmp_path: Path) -> None:
    f = tmp_path / "d.csv"
    f.write_bytes(csv_bytes([row(1), row(2, email="bad"), row(3)]))
    result = run("diagnostics", "import", "--partial", str(f))
    assert result.exit_code == 1
    assert "добавлено: 2, без изменений: 0" in result.output
    assert "отклонено строк: 1" in result.output
    assert "строка 3, поле «email»" in result.output
    assert count_diagnostics(db_url) == 2


def test_format_option_reads_a_file_with_another_extension(run: Invoke, tmp_path: Path) -> None:
    f = tmp_path / "export.dat"
    shutil.copy(EXAMPLES / "diagnostics.xml", f)
    assert run("diagnostics", "import", str(f)).exit_code == 1
    assert run("diagnostics", "import", "--format", "xml", str(f)).exit_code == 0


def test_bad_option_is_a_usage_error(run: Invoke) -> None:
    assert run("diagnostics", "import", "--format", "pdf", "x.pdf").exit_code == 2


def test_schema_prints_the_xsd(run: Invoke) -> None:
    result = run("diagnostics", "schema")
    assert result.exit_code == 0
    assert result.output.startswith("<?xml")
    assert "xs:schema" in result.output


def test_course_map_import_show_and_coverage(run: Invoke) -> None:
    assert run("course-map", "import", str(EXAMPLES / "course_map.csv")).exit_code == 0
    shown = json.loads(run("course-map", "show", "--json").output)
    assert {"DPP-MET-01", "DPP-DIG-02", "DPP-QUA-03"} <= {e["lms_course"] for e in shown}
    assert run("diagnostics", "import", str(EXAMPLES / "diagnostics.csv")).exit_code == 0
    coverage = json.loads(run("course-map", "coverage", "--json").output)
    # 4 and 1 of 26 people: fewer than 5, so the bank names the deficits without the numbers
    assert coverage == [
        {"code": "Пс3.4", "name": "", "block": "", "people": None},
        {"code": "У7.3", "name": "", "block": "", "people": None},
    ]
    text = run("course-map", "coverage").output
    assert "Пс3.4 — менее 5" in text


def test_course_map_with_a_bad_row_leaves_the_stored_map(run: Invoke, tmp_path: Path) -> None:
    assert run("course-map", "import", str(EXAMPLES / "course_map.csv")).exit_code == 0
    bad = tmp_path / "map.csv"
    lines = (EXAMPLES / "course_map.csv").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",36,", ",-36,")
    bad.write_text("\n".join(lines), encoding="utf-8")
    result = run("course-map", "import", str(bad))
    assert result.exit_code == 1
    assert "строка 3, поле «hours»" in result.output
    assert len(json.loads(run("course-map", "show", "--json").output)) == 23


def test_curators_import_then_routes_get_curators(run: Invoke) -> None:
    result = run("curators", "import", str(EXAMPLES / "curators.csv"))
    assert result.exit_code == 0
    assert "сохранено кураторов: 9" in result.output
    run("course-map", "import", str(EXAMPLES / "course_map.csv"))
    run("diagnostics", "import", str(EXAMPLES / "diagnostics.csv"))
    built = run("routes", "build")
    assert "составлено маршрутов: 26" in built.output
    assert "без куратора: 0" in built.output


@pytest.mark.parametrize(
    "args",
    [
        ("diagnostics", "--help"),
        ("diagnostics", "import", "--help"),
        ("diagnostics", "schema", "--help"),
        ("course-map", "import", "--help"),
        ("course-map", "show", "--help"),
        ("course-map", "coverage", "--help"),
        ("curators", "import", "--help"),
    ],
)
def test_every_command_has_russian_help(run: Invoke, args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.exit_code == 0
    assert any("а" <= ch <= "я" for ch in result.output.lower())


def test_installed_entry_point_exits_1_on_rejected_rows(db_url: str, tmp_path: Path) -> None:
    f = tmp_path / "d.csv"
    f.write_bytes(csv_bytes([row(1, email="bad")]))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LMS_BRIDGE_DATABASE_URL": db_url}
    done = subprocess.run(
        [sys.executable, "-m", "lms_bridge", "diagnostics", "import", str(f)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "строка 2, поле «email»" in done.stderr
