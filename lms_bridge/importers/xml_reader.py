"""Diagnostics in XML, validated against the schema the project publishes (``diagnostics.xsd``).

Schema errors are pinned to the ``<diagnostic>`` record they occur in, so one bad record does not
hide the others and ``--partial`` can still store the good ones. A record's "row" number is counted
as if the file were a table with a header: the first ``<diagnostic>`` is row 2, the n-th is row n + 1,
so the same data gives the same row numbers in CSV, XLSX and XML (and minified XML, all on one line,
still tells records apart). Schema messages add the line in the file. A document that is not
well-formed, or whose root is wrong, is rejected whole.

The document is validated whole (the schema's errors are pinned to records), so it is held in
memory: an XML file is capped at ``MAX_XML_BYTES``; larger registries come as CSV, which streams.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any, BinaryIO

from lxml import etree

from lms_bridge.domain.vocabulary import Block
from lms_bridge.errors import Problem, ValidationError
from lms_bridge.importers.table import Record, Table

SCALARS = (  # the XSD's element order (xs:sequence)
    "email",
    "last_name",
    "first_name",
    "middle_name",
    "school",
    "municipality",
    "position",
    "subject",
    "category",
    "education",
    "experience_years",
    "attestation_date",
    "recent_courses",
    "degree",
    "academic_title",
    "awards",
    "phone",
    "self_education_theme",
    "role",
    "diagnostic_kind",
    "diagnostic_date",
)
BLOCKS = tuple(b.value for b in Block)  # the XSD lists them in this order
OPTIONAL_TAIL = ("deficit_level", "route_model")  # the region profile's columns (docs/profiles.md)
HEADERS = (*SCALARS, *(f"level_{b}" for b in BLOCKS), "deficit_codes", "recommendations", *OPTIONAL_TAIL)
_RECORD_PATH = re.compile(r"^/diagnostics/diagnostic(?:\[(\d+)\])?(?:/|$)")
_ELEMENT = re.compile(r"Element '([^']+)'")
MAX_XML_BYTES = 30 << 20  # ~40,000 records; the parsed tree takes several times the file


def schema_text() -> str:
    return resources.files("lms_bridge.importers").joinpath("diagnostics.xsd").read_text(encoding="utf-8")


@cache
def _schema() -> Any:
    return etree.XMLSchema(etree.fromstring(schema_text().encode("utf-8")))


def _parser() -> Any:
    # no DTDs, no entity expansion, no network: an uploaded file must not read files or URLs
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _text(el: Any) -> str:
    return (el.text or "").strip() if el is not None else ""


def _cells(el: Any) -> tuple[str, ...]:
    levels = el.find("levels")
    codes = el.find("deficit_codes")
    return (
        *(_text(el.find(name)) for name in SCALARS),
        *(_text(levels.find(b)) if levels is not None else "" for b in BLOCKS),
        ";".join(_text(c) for c in codes.iterfind("code")) if codes is not None else "",
        _text(el.find("recommendations")),
        *(_text(el.find(name)) for name in OPTIONAL_TAIL),
    )


def stream_diagnostics_xml(stream: BinaryIO, source: str) -> Table:
    """The XML reader on a stream (the format readers' signature): the file is read whole, up to the cap."""
    data = stream.read(MAX_XML_BYTES + 1)
    if len(data) > MAX_XML_BYTES:
        raise ValidationError(
            [Problem(f"XML-файл больше {MAX_XML_BYTES >> 20} МБ: загрузите такой реестр в CSV")],
            source=source,
        )
    return read_diagnostics_xml(data, source)


def read_diagnostics_xml(data: bytes, source: str) -> Table:
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as e:
        line = e.lineno if isinstance(e.lineno, int) and e.lineno > 0 else None
        raise ValidationError([Problem(f"XML повреждён: {e.msg}", row=line)], source=source) from None
    if root.getroottree().docinfo.doctype:
        # entities are never expanded (see _parser); a DTD has no place in this format at all
        raise ValidationError([Problem("XML с объявлением DOCTYPE не принимается", row=1)], source=source)
    if not isinstance(root.tag, str) or root.tag != "diagnostics":
        raise ValidationError(
            [Problem(f"корневой элемент должен быть <diagnostics>, а не <{root.tag}>", row=1)], source=source
        )
    records = root.findall("diagnostic")
    schema = _schema()
    table = Table(source=source, headers=HEADERS)
    fatal: list[Problem] = []
    if not schema.validate(root):
        for entry in schema.error_log:
            element = m.group(1) if (m := _ELEMENT.search(entry.message)) else None
            field = "deficit_codes" if element == "code" else element
            found = _RECORD_PATH.match(entry.path or "")
            position = int(found.group(1) or 1) - 1 if found else -1
            message = f"не соответствует схеме (строка файла {entry.line}): {entry.message}"
            if found and 0 <= position < len(records):
                table.problems.append(Problem(message, row=position + 2, field=field))
                table.broken.add(position + 2)
            else:
                fatal.append(Problem(message, field=field))
    if fatal:
        raise ValidationError(fatal + table.problems, source=source)
    table.records = [
        Record(number, _cells(el)) for number, el in enumerate(records, start=2) if number not in table.broken
    ]
    return table
