"""The common shape every file format is read into before row validation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from lms_bridge.errors import Problem


@dataclass(frozen=True)
class Record:
    """One data row: its number as the user counts it (the header is row 1) and its cells."""

    number: int
    cells: tuple[str, ...]


@dataclass
class Table:
    """Headers as written in the file, data records, and problems a reader found in single records.

    ``broken`` lists record numbers a reader could not read (e.g. an XML record failing the
    schema): they are reported in ``problems`` and never reach row validation. ``records`` is a list
    for a table held whole, or an iterator read once from a streamed file (``formats.open_table``).
    """

    source: str
    headers: tuple[str, ...]
    records: Iterable[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    broken: set[int] = field(default_factory=set)
