"""Property tests: whatever bytes or rows come in, importers answer with data or ValidationError only."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_map.loading import load_course_map
from lms_bridge.errors import ValidationError
from lms_bridge.importers.curators import read_curators
from lms_bridge.importers.diagnostics import read_diagnostics
from tests.importers.helpers import EXAMPLES, HEADER, TODAY, xlsx_bytes

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
VALID_XLSX = (EXAMPLES / "diagnostics.xlsx").read_bytes()
VALID_XML = (EXAMPLES / "diagnostics.xml").read_bytes()
VALID_CSV = (EXAMPLES / "diagnostics.csv").read_bytes()

# values near the edges of what the validators accept, mixed with arbitrary text
cell = st.one_of(
    st.sampled_from(
        [
            "",
            "teacher",
            "manager",
            "низкий",
            "high",
            "self",
            "2026-09-15",
            "31.02.2026",
            "П1.1;М2.3",
            "a@b.ru",
            "А@Б.РФ",
            "9999-12-31",
            " ; ",
            '"',
            "\r\n",
            "=1+1",
            "\ufeff",
        ]
    ),
    st.text(max_size=20),
)


def accepts_or_validation_error(call: Callable[[], object]) -> None:
    try:
        call()
    except ValidationError as e:
        refused: ValidationError | None = e
    else:
        refused = None
    if refused is not None:  # anything else than ValidationError has propagated: the test fails
        assert refused.problems, "a ValidationError always says what is wrong"
        for p in refused.problems:
            assert p.message
            assert p.row is None or p.row >= 1


@FAST
@given(st.binary(max_size=400))
def test_random_bytes_to_every_reader(data: bytes) -> None:
    for name in ("d.csv", "d.xlsx", "d.xml"):
        accepts_or_validation_error(lambda name=name: read_diagnostics(data, name, today=TODAY))
    accepts_or_validation_error(lambda: load_course_map(data, "m.csv"))
    accepts_or_validation_error(lambda: read_curators(data, "c.xlsx"))


@FAST
@given(st.data())
def test_mutated_valid_files_never_crash(data: st.DataObject) -> None:
    for name, original in (("d.csv", VALID_CSV), ("d.xlsx", VALID_XLSX), ("d.xml", VALID_XML)):
        raw = bytearray(original)
        for _ in range(data.draw(st.integers(1, 6))):
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
        cut = data.draw(st.integers(0, len(raw)))
        mutated = bytes(raw[:cut]) if data.draw(st.booleans()) else bytes(raw)
        accepts_or_validation_error(lambda n=name, m=mutated: read_diagnostics(m, n, today=TODAY))


@FAST
@given(
    st.lists(st.lists(cell, min_size=len(HEADER), max_size=len(HEADER) + 2), max_size=6),
    st.sampled_from([",", ";"]),
)
def test_random_rows_in_csv(rows: list[list[str]], delimiter: str) -> None:
    out = io.StringIO()
    w = csv.writer(out, delimiter=delimiter)
    w.writerow(HEADER)
    w.writerows(rows)
    accepts_or_validation_error(lambda: read_diagnostics(out.getvalue().encode(), "d.csv", today=TODAY))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(
            st.one_of(cell, st.integers(), st.floats(), st.none(), st.booleans()), max_size=len(HEADER) + 2
        ),
        max_size=5,
    )
)
def test_random_rows_in_xlsx(rows: list[list[object]]) -> None:
    # openpyxl refuses some control characters when writing: such cells cannot exist in a real file
    safe = [
        [c for c in r if not (isinstance(c, str) and any(ord(ch) < 32 and ch not in "\t\n\r" for ch in c))]
        for r in rows
    ]
    data = xlsx_bytes([HEADER, *safe])
    accepts_or_validation_error(lambda: read_diagnostics(data, "d.xlsx", today=TODAY))


@FAST
@given(
    st.dictionaries(
        st.sampled_from(
            ["email", "last_name", "role", "diagnostic_kind", "diagnostic_date", "code", "hobby"]
        ),
        cell,
        max_size=4,
    )
)
def test_random_values_in_xml(values: dict[str, str]) -> None:
    from xml.sax.saxutils import escape

    fields = {
        "email": "a@s.ru",
        "last_name": "И",
        "role": "teacher",
        "diagnostic_kind": "self",
        "diagnostic_date": "2026-01-01",
        "code": "П1.1",
        **values,
    }
    clean = {
        k: escape("".join(ch for ch in v if ch.isprintable() or ch in "\t\n")) for k, v in fields.items()
    }
    body = "".join(f"<{k}>{v}</{k}>" for k, v in clean.items() if k not in ("code", "hobby"))
    extra = f"<hobby>{clean['hobby']}</hobby>" if "hobby" in clean else ""
    doc = (
        f"<diagnostics><diagnostic>{body}<first_name>М</first_name>"
        f"<deficit_codes><code>{clean['code']}</code></deficit_codes>{extra}</diagnostic></diagnostics>"
    )
    accepts_or_validation_error(lambda: read_diagnostics(doc.encode(), "d.xml", today=TODAY))


def test_zip_that_is_not_a_workbook() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    with pytest.raises(ValidationError) as err:
        read_diagnostics(buf.getvalue(), "d.xlsx", today=TODAY)
    assert "Excel" in err.value.problems[0].message
