"""Hostile workbooks are refused from the archive's directory, before anything is decompressed.

The bombs are generated here (a few hundred kB on disk, tens of MB to gigabytes declared); no big
file is committed.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from lms_bridge.cli import cli
from lms_bridge.errors import ValidationError
from lms_bridge.importers import xlsx_guard
from lms_bridge.importers.diagnostics import read_diagnostics
from lms_bridge.storage.store import SqlRouteStore, make_engine
from tests.importers.helpers import HEADER, TODAY, row, xlsx_bytes

SHEET = "xl/worksheets/sheet1.xml"


def _replace(workbook: bytes, name: str, content: bytes) -> bytes:
    """The workbook with part ``name`` replaced or added (deflated at the highest level)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as src, zipfile.ZipFile(out, "w") as dst:
        parts = {item.filename: src.read(item.filename) for item in src.infolist()}
        for part, data in {**parts, name: content}.items():
            dst.writestr(part, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def _declare(workbook: bytes, name: str, size: int) -> bytes:
    """The workbook whose central directory claims ``size`` uncompressed bytes for ``name``."""
    data = bytearray(workbook)
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_length] == name.encode():
            struct.pack_into("<I", data, at + 24, size)
        at += 4
    return bytes(data)


def _problem(data: bytes) -> str:
    with pytest.raises(ValidationError) as e:
        read_diagnostics(data, "d.xlsx", today=TODAY)
    (problem,) = e.value.problems
    return str(problem)


def test_a_sheet_that_inflates_a_thousand_times_is_refused() -> None:
    rows = b'<row><c t="inlineStr"><is><t>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</t></is></c></row>' * 400_000
    sheet = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    bomb = _replace(xlsx_bytes([list(HEADER)]), SHEET, sheet + rows + b"</sheetData></worksheet>")
    assert len(bomb) < 300_000  # ~30 MB of XML in a few hundred kB
    message = _problem(bomb)
    assert message.startswith(f"часть книги {SHEET} сжата в ")
    assert message.endswith(
        f"раз, допускается не более {xlsx_guard.MAX_RATIO}: похоже на «zip-бомбу», файл отклонён"
    )


def test_a_declared_size_of_gigabytes_is_refused_before_decompression() -> None:
    bomb = _declare(xlsx_bytes([list(HEADER), list(row(1).values())]), SHEET, 0xF000_0000)
    assert _problem(bomb) == (
        f"книга Excel распаковывается в {0xF000_0000 >> 20} МБ, допускается не более "
        f"{xlsx_guard.MAX_TOTAL_UNCOMPRESSED >> 20} МБ: файл отклонён"
    )


def test_shared_strings_too_big_to_hold_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_guard, "MAX_PART_IN_MEMORY", 1 << 20)
    strings = "".join(f"<si><t>{n:07d}-{n * 7919 % 100_003:06d}</t></si>" for n in range(80_000))
    part = f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{strings}</sst>'
    workbook = _replace(xlsx_bytes([list(HEADER)]), "xl/sharedStrings.xml", part.encode())
    assert _problem(workbook).endswith("допускается не более 1 МБ: файл отклонён")


def test_rows_and_columns_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_guard, "MAX_ROWS", 3)
    many = xlsx_bytes([list(HEADER), *(list(row(n).values()) for n in range(1, 6))])
    assert _problem(many) == "на листе больше 3 строк: файл отклонён"
    wide = xlsx_bytes([list(HEADER), [*row(1).values(), *([""] * 200), "x"]])
    assert _problem(wide) == f"строка 2: на листе больше {xlsx_guard.MAX_COLUMNS} столбцов: файл отклонён"


def test_the_import_command_refuses_a_bomb_and_stores_nothing(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "d.xlsx"
    path.write_bytes(_declare(xlsx_bytes([list(HEADER), list(row(1).values())]), SHEET, 0xF000_0000))
    env = {"LMS_BRIDGE_DATABASE_URL": db_url}
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"], env=env).exit_code == 0
    result = runner.invoke(cli, ["diagnostics", "import", str(path)], env=env)
    assert result.exit_code == 1
    assert "распаковывается в 3840 МБ, допускается не более 2000 МБ" in result.output
    engine = make_engine(db_url)
    assert SqlRouteStore(engine).list_diagnostics() == []
    engine.dispose()
