"""Reading the file formats: CSV dialects and encodings, XLSX, XML against the published XSD."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime

import pytest

from lms_bridge.errors import ValidationError
from lms_bridge.importers.diagnostics import read_diagnostics
from tests.importers.helpers import EXAMPLES, HEADER, TODAY, csv_bytes, row, xlsx_bytes

RUSSIAN_HEADER = (
    "Электронная почта",
    "Фамилия",
    "Имя",
    "Отчество",
    "Образовательная организация",
    "Муниципалитет",
    "Должность",
    "Предмет",
    "Квалификационная категория",
    "Роль",
    "Вид диагностики",
    "Дата диагностики",
    "Предметные",
    "Методические",
    "Управление кадрами",
    "Коды дефицитов",
    "Рекомендации",
)


@pytest.mark.parametrize("delimiter", [",", ";"])
@pytest.mark.parametrize("bom", [False, True])
def test_csv_comma_or_semicolon_with_or_without_bom(delimiter: str, bom: bool) -> None:
    data = csv_bytes([row(1), row(2)], delimiter=delimiter, bom=bom)
    parsed = read_diagnostics(data, "d.csv", today=TODAY)
    assert parsed.problems == []
    assert [t.email for t, _ in parsed.rows] == ["teacher1@school.ru", "teacher2@school.ru"]
    assert parsed.rows[0][1].deficit_codes == ("П1.1", "М2.3")


def test_excel_separator_hint_line_is_honoured_and_not_counted() -> None:
    data = b"sep=;\r\n" + csv_bytes([row(1), row(2, email="bad")], delimiter=";")
    parsed = read_diagnostics(data, "d.csv", today=TODAY)
    assert len(parsed.rows) == 1
    assert [(p.row, p.field) for p in parsed.problems] == [(3, "email")]


def test_date_with_a_time_of_day_counts_as_the_date() -> None:
    data = csv_bytes(
        [row(1, diagnostic_date="15.09.2026 10:30"), row(2, diagnostic_date="2026-09-16 00:00:00")]
    )
    assert [d.date for _, d in read_diagnostics(data, "d.csv", today=TODAY).rows] == [
        date(2026, 9, 15),
        date(2026, 9, 16),
    ]


def test_russian_headers_read_like_english_keys() -> None:
    english = read_diagnostics(csv_bytes([row(1)]), "d.csv", today=TODAY)
    russian = read_diagnostics(
        csv_bytes([row(1)], header=RUSSIAN_HEADER, delimiter=";", bom=True), "d.csv", today=TODAY
    )
    assert russian.rows == english.rows


def test_problems_name_the_column_as_the_file_writes_it() -> None:
    data = csv_bytes([row(1, email="bad")], header=RUSSIAN_HEADER, delimiter=";")
    (problem,) = read_diagnostics(data, "d.csv", today=TODAY).problems
    assert str(problem) == "строка 2, поле «Электронная почта»: «bad» — не адрес электронной почты"


def test_windows_1251_file_is_rejected_with_advice() -> None:
    data = "\r\n".join([",".join(HEADER), ",".join(row(1).values())]).encode("cp1251")
    with pytest.raises(ValidationError) as err:
        read_diagnostics(data, "d.csv", today=TODAY)
    assert "UTF-8" in err.value.problems[0].message


def test_blank_lines_are_skipped_but_still_counted() -> None:
    data = csv_bytes([row(1)]) + b"\r\n,,,\r\n" + csv_bytes([row(2, email="bad")]).split(b"\r\n", 1)[1]
    (problem,) = read_diagnostics(data, "d.csv", today=TODAY).problems
    assert problem.row == 5


def test_xlsx_reads_dates_and_numbers_typed_by_excel() -> None:
    values = row(1)
    cells: list[object] = [values[h] for h in HEADER]
    cells[HEADER.index("diagnostic_date")] = datetime(2026, 9, 15)
    data = xlsx_bytes([HEADER, cells, [], [values[h] if h != "email" else "bad" for h in HEADER]])
    parsed = read_diagnostics(data, "d.xlsx", today=TODAY)
    assert parsed.rows[0][1].date == date(2026, 9, 15)
    assert [(p.row, p.field) for p in parsed.problems] == [(4, "email")]


def test_xlsx_with_a_wrong_dimension_record_is_read_whole() -> None:
    data = xlsx_bytes([HEADER, *([row(n)[h] for h in HEADER] for n in range(1, 6))])
    zin = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            body = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":  # as some exporters write it: too small
                body = re.sub(rb'<dimension ref="[^"]+"/>', b'<dimension ref="A1:B2"/>', body)
            zout.writestr(item, body)
    parsed = read_diagnostics(out.getvalue(), "d.xlsx", today=TODAY)
    assert parsed.problems == []
    assert len(parsed.rows) == 5


@pytest.mark.parametrize("name", ["diagnostics.xlsx", "diagnostics.xml"])
def test_example_files_in_every_format_hold_the_same_rows(name: str) -> None:
    csv_rows = read_diagnostics((EXAMPLES / "diagnostics.csv").read_bytes(), "x.csv", today=TODAY)
    other = read_diagnostics((EXAMPLES / name).read_bytes(), name, today=TODAY)
    assert other.problems == []
    assert csv_rows.problems == []
    assert other.rows == csv_rows.rows
    assert len(other.rows) >= 24


def test_format_option_overrides_the_extension() -> None:
    data = (EXAMPLES / "diagnostics.xml").read_bytes()
    assert read_diagnostics(data, "export.txt", today=TODAY, fmt="xml").rows


def test_unknown_extension_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as err:
        read_diagnostics(b"x", "d.pdf", today=TODAY)
    assert "pdf" in err.value.problems[0].message


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"", "d.csv"),
        (b"\x00\x01\x02garbage", "d.csv"),
        (b'email,"unterminated\n', "d.csv"),
        (b"not a zip", "d.xlsx"),
        (b"PK\x03\x04broken zip", "d.xlsx"),
        (b"", "d.xml"),
        (b"<diagnostics><diagnostic>", "d.xml"),
        (b"<other/>", "d.xml"),
        (b'<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><diagnostics>&x;</diagnostics>', "d.xml"),
    ],
)
def test_broken_files_raise_validation_error(data: bytes, name: str) -> None:
    with pytest.raises(ValidationError):
        read_diagnostics(data, name, today=TODAY)
