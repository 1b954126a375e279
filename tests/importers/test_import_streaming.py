"""The diagnostics import streams the file in batches and keeps its promises: all or nothing,
``--partial``, row-numbered problems (capped, with a count of the rest), repeats found across batches."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lms_bridge.cli import cli
from lms_bridge.errors import ValidationError
from lms_bridge.importers import diagnostics
from lms_bridge.importers.csv_reader import MAX_LINE_BYTES
from lms_bridge.importers.formats import open_table
from lms_bridge.services import imports
from lms_bridge.storage.store import SqlRouteStore, make_engine
from tests.importers.helpers import HEADER, TODAY, csv_bytes, row

Invoke = Callable[..., Result]


@pytest.fixture
def run(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    monkeypatch.setattr(diagnostics, "BATCH", 3)  # many batches from a small file
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, list(args), env={"LMS_BRIDGE_DATABASE_URL": db_url}, catch_exceptions=False)

    assert invoke("db", "upgrade").exit_code == 0
    return invoke


def stored(db_url: str) -> list[str]:
    engine = make_engine(db_url)
    try:
        return sorted(d.teacher_email for d in SqlRouteStore(engine).list_diagnostics())
    finally:
        engine.dispose()


def _file(tmp_path: Path, rows: list[dict[str, str]]) -> str:
    f = tmp_path / "d.csv"
    f.write_bytes(csv_bytes(rows))
    return str(f)


def test_a_bad_row_in_a_late_batch_rejects_what_earlier_batches_stored(
    run: Invoke, db_url: str, tmp_path: Path
) -> None:
    rows = [row(n) for n in range(1, 10)]
    rows[7] = row(8, email="нет-адреса")  # row 9 of the file, third batch
    result = run("diagnostics", "import", _file(tmp_path, rows))
    assert result.exit_code == 1
    assert "строка 9, поле «email»: «нет-адреса» — не адрес электронной почты" in result.output
    assert stored(db_url) == []


def test_partial_keeps_every_good_batch(run: Invoke, db_url: str, tmp_path: Path) -> None:
    rows = [row(n) for n in range(1, 10)]
    rows[1] = row(2, diagnostic_date="вчера")
    result = run("diagnostics", "import", _file(tmp_path, rows), "--partial")
    assert result.exit_code == 1
    assert "добавлено: 8, без изменений: 0" in result.output
    assert "отклонено строк: 1" in result.output
    assert len(stored(db_url)) == 8


def test_a_repeat_is_found_across_batches(run: Invoke, db_url: str, tmp_path: Path) -> None:
    rows = [row(n) for n in range(1, 8)] + [row(2)]  # row 9 repeats row 3, two batches later
    result = run("diagnostics", "import", _file(tmp_path, rows))
    assert result.exit_code == 1
    assert "строка 9, поле «email»: повтор строки 3" in result.output
    assert stored(db_url) == []


def test_problems_are_capped_with_a_count_of_the_rest(
    run: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "MAX_PROBLEMS", 4)
    rows = [row(n, email=f"bad{n}") for n in range(1, 11)]
    result = run("diagnostics", "import", _file(tmp_path, rows))
    assert result.exit_code == 1
    lines = [line.strip() for line in result.output.splitlines()[1:]]
    assert [line.split(",")[0] for line in lines[:4]] == ["строка 2", "строка 3", "строка 4", "строка 5"]
    assert lines[4:] == ["и ещё 6 ошибок (показаны первые 4)"]


def test_records_stream_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(csv_bytes([row(1), row(2)]) + b"\xff\xfe broken tail\r\n")
    with open_table(path, "csv") as table:
        records = iter(table.records)
        assert next(records).number == 2  # read before the broken tail is reached
        assert next(records).number == 3
        with pytest.raises(ValidationError, match="не в кодировке UTF-8"):
            next(records)


def test_a_line_without_end_is_refused_not_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(",".join(HEADER).encode() + b"\n" + b"a" * (MAX_LINE_BYTES + 10))
    with pytest.raises(ValidationError, match="строка файла длиннее 1 МБ"), open_table(path, "csv") as table:
        list(table.records)


def test_old_mac_line_ends_and_quoted_line_breaks_still_read() -> None:
    data = csv_bytes([row(1, recommendations="первая\r\nвторая"), row(2)]).replace(b"\r\n", b"\r")
    parsed = diagnostics.read_diagnostics(data, "d.csv", today=TODAY)
    assert parsed.problems == []
    assert [d.recommendations for _, d in parsed.rows] == ["первая\rвторая", ""]


def test_utf8_fault_is_reported_at_its_byte_in_the_file() -> None:
    good = csv_bytes([row(1)], bom=True)
    with pytest.raises(ValidationError) as e:
        diagnostics.read_diagnostics(good + b"x\xc3(\r\n", "d.csv", today=TODAY)
    assert f"байт {len(good) + 2}" in str(e.value)  # the BOM counted, as in the file
