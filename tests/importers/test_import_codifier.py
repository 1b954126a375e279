"""The deficit codifier: import with row-level Russian errors, kept per profile, names on the outputs,
and a diagnostic's code missing from it warned about or refused as the profile says."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms_bridge.cli import cli
from lms_bridge.errors import ValidationError
from lms_bridge.importers.codifier import MAX_CODES, load_codifier, read_codifier
from lms_bridge.importers.diagnostics import read_diagnostics
from lms_bridge.profiles import import_rules, load_profile
from tests.importers.helpers import EXAMPLES, ROOT, csv_bytes, row, xlsx_bytes
from tests.importers.test_import_fuzz import accepts_or_validation_error

HEADER = ["Код", "Наименование", "Блок компетенций", "Родительский код"]
TODAY = date(2026, 12, 1)


def _csv(*rows: list[str], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue().encode()


def test_the_example_codifiers_read_in_both_formats() -> None:
    csv_entries = load_codifier(EXAMPLES / "codifier.csv")
    xlsx_entries = load_codifier(EXAMPLES / "codifier.xlsx")
    assert csv_entries == xlsx_entries
    p12 = next(e for e in csv_entries if e.code == "П1.2")
    assert (p12.name, p12.block.label if p12.block else None, p12.parent) == (
        "Проектирование рабочей программы учебного предмета",
        "предметные",
        "П1",
    )
    for region in ("smolensk", "bashkortostan", "buryatia"):
        assert load_codifier(EXAMPLES / "profiles" / region / "codifier.csv")


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (["", "Имя", "", ""], "Код", "обязательное поле не заполнено"),
        (["П 1", "Имя", "", ""], "Код", "недопустимый код"),
        (["П1.9", "", "", ""], "Наименование", "обязательное поле не заполнено"),
        (["П1.9", "x" * 501, "", ""], "Наименование", "не более 500"),
        (["П1.9", "Имя", "космические", ""], "Блок компетенций", "недопустимое значение"),
        (["П1.9", "Имя", "", "П1.9"], "Родительский код", "разделом самого себя"),
        (["П1.9", "Имя", "", "Х7"], "Родительский код", "раздела «Х7» нет в кодификаторе"),
        (["П1", "Снова", "", ""], "Код", "код «П1» уже есть в строке 2"),
    ],
)
def test_each_bad_row_is_named(row: list[str], field: str, message: str) -> None:
    parsed = read_codifier(_csv(["П1", "Предметные", "предметные", ""], row), "c.csv")
    (problem,) = parsed.problems
    assert (problem.row, problem.field) == (3, field)
    assert message in problem.message


def test_a_parent_may_follow_its_children() -> None:
    parsed = read_codifier(_csv(["П1.1", "Знание", "", "П1"], ["П1", "Предметные", "", ""]), "c.csv")
    assert parsed.problems == []


def test_a_file_without_the_code_column_is_refused_whole() -> None:
    with pytest.raises(ValidationError) as caught:
        read_codifier(_csv(["x"], header=["Наименование"]), "c.csv")
    assert any("нет обязательного столбца «code»" in p.message for p in caught.value.problems)


def test_the_row_count_is_bounded() -> None:
    lines = "\n".join(f"К{i},Имя,," for i in range(MAX_CODES + 1))
    data = ("Код,Наименование,Блок,Раздел\n" + lines).encode()
    with pytest.raises(ValidationError, match=f"больше {MAX_CODES} строк"):
        read_codifier(data, "c.csv")


cell = st.one_of(
    st.sampled_from(["", "П1", "П1.1", "предметные", "ict", ";", '"', "=1+1", "\r\n"]), st.text(max_size=12)
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes_only_ever_yield_a_validation_error(data: bytes) -> None:
    for name in ("c.csv", "c.xlsx"):
        accepts_or_validation_error(lambda name=name: read_codifier(data, name))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(cell, min_size=0, max_size=6), max_size=8))
def test_random_rows_only_ever_yield_data_or_named_problems(rows: list[list[str]]) -> None:
    # openpyxl refuses some control characters when writing: such cells cannot exist in a real file
    safe = [[c for c in r if not any(ord(ch) < 32 and ch not in "\t\n\r" for ch in c)] for r in rows]
    for data, name in ((_csv(*rows), "c.csv"), (xlsx_bytes([HEADER, *safe]), "c.xlsx")):
        accepts_or_validation_error(lambda d=data, n=name: read_codifier(d, n))


# --- the codifier in use ---------------------------------------------------------------------------


def _invoke(db_url: str, profile: str, *args: str) -> Result:
    env = {"LMS_BRIDGE_DATABASE_URL": db_url, "LMS_BRIDGE_REGION_PROFILE": profile}
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_cli_imports_and_lists_the_codifier_of_the_profile(db_url: str) -> None:
    codifier = str(EXAMPLES / "profiles" / "smolensk" / "codifier.csv")
    result = _invoke(db_url, "smolensk", "codifier", "import", codifier)
    assert result.exit_code == 0, result.output
    assert "кодификатор профиля «smolensk» загружен: кодов 27" in result.output
    listed = _invoke(db_url, "smolensk", "codifier", "list").output
    assert "П1.2 — Проектирование рабочей программы учебного предмета [предметные] (раздел П1)" in listed
    assert "не загружен" in _invoke(db_url, "chelyabinsk", "codifier", "list").output  # kept per profile


def test_a_bad_codifier_changes_nothing(db_url: str, tmp_path: object) -> None:
    _invoke(
        db_url, "smolensk", "codifier", "import", str(EXAMPLES / "profiles" / "smolensk" / "codifier.csv")
    )
    bad = ROOT / "examples" / "profiles" / "smolensk" / "codifier.csv"
    broken = bad.read_text(encoding="utf-8").replace("П1.2,", "П 1.2,", 1)
    path = tmp_path / "bad.csv"  # type: ignore[operator]
    path.write_text(broken, encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        ["codifier", "import", str(path)],
        env={"LMS_BRIDGE_DATABASE_URL": db_url, "LMS_BRIDGE_REGION_PROFILE": "smolensk"},
    )
    assert result.exit_code == 1
    assert "строка 4, поле «Код»: «П 1.2» — недопустимый код" in result.output
    assert "кодов: 27" not in result.output
    assert "— Проектирование рабочей программы" in _invoke(db_url, "smolensk", "codifier", "list").output


def _diagnostics_with(code: str) -> bytes:
    path = EXAMPLES / "profiles" / "buryatia" / "diagnostics.csv"
    return path.read_bytes().replace("М2.3;П1.3".encode(), f"М2.3;{code}".encode())


def test_an_unknown_code_warns_naming_row_and_code_where_the_profile_says_warn() -> None:
    known = frozenset(e.code for e in load_codifier(EXAMPLES / "profiles" / "buryatia" / "codifier.csv"))
    rules = import_rules(load_profile("buryatia"), known)
    parsed = read_diagnostics(_diagnostics_with("Х9.9"), "d.csv", today=TODAY, rules=rules)
    assert parsed.problems == []
    assert len(parsed.rows) == 2  # stored all the same
    (warning,) = parsed.warnings
    assert (warning.row, warning.field) == (2, "Коды дефицитов")
    assert "нет в кодификаторе профиля «buryatia»: «Х9.9»" in warning.message


def test_an_unknown_code_rejects_the_row_where_the_profile_says_reject() -> None:
    known = frozenset(e.code for e in load_codifier(EXAMPLES / "profiles" / "smolensk" / "codifier.csv"))
    rules = import_rules(load_profile("smolensk"), known)
    path = EXAMPLES / "profiles" / "smolensk" / "diagnostics.csv"
    data = path.read_bytes().replace("П1.2;П1.3;М2.3".encode(), "П1.2;Х9.9;М2.3".encode())
    parsed = read_diagnostics(data, "d.csv", today=TODAY, rules=rules)
    (problem,) = parsed.problems
    assert (problem.row, problem.field) == (2, "Коды дефицитов")
    assert parsed.rejected == {2}


def test_no_codifier_loaded_checks_no_code() -> None:
    rules = import_rules(load_profile("smolensk"))
    path = EXAMPLES / "profiles" / "smolensk" / "diagnostics.csv"
    data = path.read_bytes().replace("П1.2;П1.3;М2.3".encode(), "П1.2;Х9.9;М2.3".encode())
    assert read_diagnostics(data, "d.csv", today=TODAY, rules=rules).problems == []


def test_the_cli_import_prints_the_warning(db_url: str, tmp_path: object) -> None:
    assert _invoke(db_url, "buryatia", "db", "upgrade").exit_code == 0
    _invoke(
        db_url, "buryatia", "codifier", "import", str(EXAMPLES / "profiles" / "buryatia" / "codifier.csv")
    )
    path = tmp_path / "d.csv"  # type: ignore[operator]
    path.write_bytes(_diagnostics_with("Х9.9"))
    out = _invoke(db_url, "buryatia", "diagnostics", "import", str(path)).output
    assert "добавлено: 2" in out
    assert "предупреждение: строка 2, поле «Коды дефицитов»: нет в кодификаторе профиля «buryatia»" in out


def test_the_summary_report_names_the_frequent_deficits(db_url: str, tmp_path: Path) -> None:
    people = tmp_path / "d.csv"
    people.write_bytes(
        csv_bytes([row(n, deficit_codes="М2.3", diagnostic_date="2026-11-02") for n in range(6)])
    )
    for args in (
        ("db", "upgrade"),
        ("codifier", "import", str(EXAMPLES / "codifier.xlsx")),
        ("diagnostics", "import", str(people)),
        ("routes", "build"),
    ):
        assert _invoke(db_url, "chelyabinsk", *args).exit_code == 0, args
    out = _invoke(db_url, "chelyabinsk", "reports", "summary", "--by", "region").output
    frequent = next(line for line in out.splitlines() if "частые дефициты" in line)
    assert "М2.3 — Организация формирующего оценивания (6)" in frequent
