"""Loading the course map from CSV/XLSX: values, Russian words, and every bad row reported."""

from __future__ import annotations

import csv
import io

import pytest

from course_map.loading import load_course_map
from course_map.models import DecidedBy, EntryKind
from lms_bridge.domain.vocabulary import ActivityLevel, Block
from lms_bridge.errors import ValidationError
from tests.importers.helpers import EXAMPLES, xlsx_bytes

HEADER = (
    "lms_course", "title", "kind", "deficit_codes", "blocks", "hours", "format", "level",
    "final_item", "decided_by", "pass_grade", "organiser",
)  # fmt: skip
RUSSIAN = (
    "Курс в СДО", "Название", "Вид", "Коды дефицитов", "Блоки компетенций", "Часы", "Формат", "Уровень",
    "Итоговая аттестация", "Зачёт по", "Проходной балл", "Организатор",
)  # fmt: skip


def entry(ref: str = "DPP-MET-01", **values: str) -> dict[str, str]:
    base = {
        "lms_course": ref,
        "title": "Методология проектирования образовательных программ",
        "kind": "course",
        "deficit_codes": "М2.1;М2.4",
        "blocks": "methodical",
        "hours": "72",
        "format": "дистанционная",
        "level": "regional",
        "final_item": "",
        "decided_by": "grade",
        "pass_grade": "60",
        "organiser": "ЦНППМ",
    }
    base.update(values)
    return base


def csv_map(rows: list[dict[str, str]], header: tuple[str, ...] = HEADER, delimiter: str = ",") -> bytes:
    out = io.StringIO()
    w = csv.writer(out, delimiter=delimiter)
    w.writerow(header)
    for r in rows:
        w.writerow([r[h] for h in HEADER])
    return out.getvalue().encode()


def test_example_map_loads() -> None:
    entries = load_course_map((EXAMPLES / "course_map.csv").read_bytes(), "course_map.csv")
    met = next(e for e in entries if e.lms_course == "DPP-MET-01")
    assert met.decided_by is DecidedBy.COMPLETION
    assert met.pass_grade is None
    assert met.hours == 72
    dig = next(e for e in entries if e.lms_course == "DPP-DIG-02")
    assert dig.pass_grade == 60
    assert dig.deficit_codes == ("Ц5.1", "Ц5.2", "Ц5.3")
    assert dig.blocks == (Block.ICT,)


def test_russian_headers_and_words_with_semicolons() -> None:
    row = entry(
        kind="Мероприятие", blocks="Методические; ИКТ-компетенции", level="муниципальный",
        decided_by="завершение", pass_grade="55,5", hours="4",
    )  # fmt: skip
    (e,) = load_course_map(csv_map([row], RUSSIAN, ";"), "map.csv")
    assert e.kind is EntryKind.EVENT
    assert e.blocks == (Block.METHODICAL, Block.ICT)
    assert e.level is ActivityLevel.MUNICIPAL
    assert e.decided_by is DecidedBy.COMPLETION
    assert e.pass_grade == 55.5


def test_xlsx_map_reads_numbers_typed_by_excel() -> None:
    values = entry()
    cells: list[object] = [values[h] for h in HEADER]
    cells[HEADER.index("hours")] = 72
    cells[HEADER.index("pass_grade")] = 60.0
    (e,) = load_course_map(xlsx_bytes([HEADER, cells]), "map.xlsx")
    assert e.hours == 72
    assert e.pass_grade == 60.0


def test_empty_decided_by_means_grade() -> None:
    (e,) = load_course_map(csv_map([entry(decided_by="")]), "map.csv")
    assert e.decided_by is DecidedBy.GRADE


@pytest.mark.parametrize(
    ("values", "field", "needle"),
    [
        ({"lms_course": ""}, "lms_course", "не заполнено"),
        ({"title": ""}, "title", "не заполнено"),
        ({"kind": "вебинар"}, "kind", "недопустимое значение"),
        ({"deficit_codes": ""}, "deficit_codes", "хотя бы один код"),
        ({"deficit_codes": "М2.1 М2.4"}, "deficit_codes", "недопустимый код"),
        ({"blocks": "methodical;рисование"}, "blocks", "недопустимое значение"),
        ({"hours": "-36"}, "hours", "меньше 0"),
        ({"hours": "36 ч"}, "hours", "не целое число"),
        ({"hours": "0"}, "hours", "больше 0 часов"),
        ({"level": "областной"}, "level", "недопустимое значение"),
        ({"decided_by": "экзамен"}, "decided_by", "недопустимое значение"),
        ({"pass_grade": "шестьдесят"}, "pass_grade", "не число"),
        ({"pass_grade": "-1"}, "pass_grade", "меньше 0"),
        ({"pass_grade": "nan"}, "pass_grade", "не число"),
        ({"title": "т" * 501}, "title", "допускается не более 500"),
        ({"format": "ф" * 101}, "format", "допускается не более 100"),
        ({"final_item": "i" * 256}, "final_item", "допускается не более 255"),
        ({"organiser": "о" * 301}, "organiser", "допускается не более 300"),
    ],
)
def test_each_bad_value_is_reported_at_its_row_and_column(
    values: dict[str, str], field: str, needle: str
) -> None:
    with pytest.raises(ValidationError) as err:
        load_course_map(csv_map([entry("A"), entry("B", **values)]), "map.csv")
    (problem,) = err.value.problems
    assert (problem.row, problem.field) == (3, field)
    assert needle in problem.message


def test_duplicate_course_is_reported_with_the_first_row() -> None:
    with pytest.raises(ValidationError) as err:
        load_course_map(csv_map([entry("A"), entry("B"), entry("A")]), "map.csv")
    (problem,) = err.value.problems
    assert (problem.row, problem.field) == (4, "lms_course")
    assert "строке 2" in problem.message


def test_events_may_have_zero_hours() -> None:
    (e,) = load_course_map(csv_map([entry(kind="event", hours="0")]), "map.csv")
    assert e.hours == 0
    assert not e.formal


def test_unknown_and_missing_columns() -> None:
    header = tuple("Стоимость" if h == "hours" else h for h in HEADER)
    with pytest.raises(ValidationError) as err:
        load_course_map(csv_map([entry()], header), "map.csv")
    assert {(p.row, p.field) for p in err.value.problems} == {(1, "Стоимость"), (1, "hours")}


@pytest.mark.parametrize(("data", "name"), [(b"\xff\xfe\x00garbage", "m.csv"), (b"PK\x03\x04", "m.xlsx")])
def test_broken_files_are_validation_errors(data: bytes, name: str) -> None:
    with pytest.raises(ValidationError):
        load_course_map(data, name)


def test_xml_is_not_a_course_map_format() -> None:
    with pytest.raises(ValidationError) as err:
        load_course_map(b"<x/>", "map.xml")
    assert "csv, xlsx" in err.value.problems[0].message
