"""Diagnostics in XML against the published XSD: valid documents, schema errors per record."""

from __future__ import annotations

import pytest
from lxml import etree

from lms_bridge.errors import ValidationError
from lms_bridge.importers.diagnostics import read_diagnostics
from lms_bridge.importers.xml_reader import schema_text
from tests.importers.helpers import EXAMPLES, TODAY

RECORD = """
  <diagnostic>
    <email>{email}</email><last_name>Иванова</last_name><first_name>Мария</first_name>
    <role>{role}</role><diagnostic_kind>самодиагностика</diagnostic_kind>
    <diagnostic_date>{date}</diagnostic_date>
    <levels><subject>низкий</subject><methodical>basic</methodical></levels>
    <deficit_codes><code>П1.1</code><code>{code}</code></deficit_codes>{extra}
  </diagnostic>"""


def doc(*records: dict[str, str]) -> bytes:
    body = "".join(
        RECORD.format(
            **{"email": "a@s.ru", "role": "teacher", "date": "2026-09-15", "code": "М2.3", "extra": "", **r}
        )
        for r in records
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<diagnostics version="1">{body}\n</diagnostics>'.encode()


def test_published_schema_validates_the_example_file() -> None:
    schema = etree.XMLSchema(etree.fromstring(schema_text().encode()))
    assert schema.validate(etree.parse(str(EXAMPLES / "diagnostics.xml")))


def test_valid_document_reads_every_record() -> None:
    parsed = read_diagnostics(doc({"email": "A@S.ru"}, {"email": "b@s.ru"}), "d.xml", today=TODAY)
    assert parsed.problems == []
    assert [(t.email, d.deficit_codes) for t, d in parsed.rows] == [
        ("a@s.ru", ("П1.1", "М2.3")),
        ("b@s.ru", ("П1.1", "М2.3")),
    ]


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"code": "М 2.3"}, "deficit_codes"),
        ({"role": "директор"}, "role"),
        ({"date": "15.09.2026"}, "diagnostic_date"),
        ({"extra": "<hobby>шахматы</hobby>"}, "hobby"),
    ],
)
def test_schema_errors_are_pinned_to_their_record(record: dict[str, str], field: str) -> None:
    parsed = read_diagnostics(doc({"email": "a@s.ru"}, {"email": "b@s.ru", **record}), "d.xml", today=TODAY)
    (problem,) = parsed.problems
    assert (problem.row, problem.field) == (3, field)  # the second <diagnostic>, counted as in a table
    assert "не соответствует схеме" in problem.message
    assert [t.email for t, _ in parsed.rows] == ["a@s.ru"]
    assert parsed.rejected == {3}


def test_checks_beyond_the_schema_apply_to_xml_too() -> None:
    parsed = read_diagnostics(
        doc({"date": "2030-01-01"}, {"email": "b@s.ru", "role": "manager"}, {"email": "a@s.ru"}),
        "d.xml",
        today=TODAY,
    )
    assert [(p.row, p.field) for p in parsed.problems] == [
        (2, "diagnostic_date"),  # future
        (3, "level_subject"),  # a teacher's block on a manager
        (3, "level_methodical"),
    ]
    assert parsed.rejected == {2, 3}


def test_minified_document_still_tells_records_apart() -> None:
    data = doc({"email": "a@s.ru"}, {"email": "b@s.ru", "role": "x"}).replace(b"\n", b"")
    (problem,) = read_diagnostics(data, "d.xml", today=TODAY).problems
    assert problem.row == 3


@pytest.mark.parametrize(
    "data",
    [
        b"<diagnostics><diagnostic></diagnostics>",
        b"<routes/>",
        b'<diagnostics version="2"/>',
        b"<diagnostics><unexpected/></diagnostics>",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        b"<diagnostics>&b;</diagnostics>",
    ],
)
def test_documents_broken_as_a_whole_are_rejected_whole(data: bytes) -> None:
    with pytest.raises(ValidationError):
        read_diagnostics(data, "d.xml", today=TODAY)


def test_doctype_and_external_entities_are_refused() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
        b"<diagnostics><diagnostic><email>a@s.ru</email><last_name>&x;</last_name><first_name>M</first_name>"
        b"<role>teacher</role><diagnostic_kind>self</diagnostic_kind>"
        b"<diagnostic_date>2026-01-01</diagnostic_date></diagnostic></diagnostics>"
    )
    with pytest.raises(ValidationError) as err:
        read_diagnostics(data, "d.xml", today=TODAY)
    assert "DOCTYPE" in err.value.problems[0].message
