"""Route numbers: ``<region>-<year>-<sequence>``, e.g. ``74-2026-000123``.

Assigned once by the registry (003 App.3 §4.3.3: a personal number given by the ЦНППМ);
the sequence restarts every year and is zero-padded so numbers sort as text.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"^(?P<region>[0-9A-Za-z]{1,8})-(?P<year>\d{4})-(?P<seq>\d{6})$")


def format_number(region: str, year: int, sequence: int) -> str:
    return f"{region}-{year}-{sequence:06d}"


def parse_number(number: str) -> tuple[str, int, int]:
    m = _NUMBER.match(number)
    if not m:
        raise ValueError(f"«{number}» не похож на номер ИОМ (регион-год-номер, например 74-2026-000123)")
    return m["region"], int(m["year"]), int(m["seq"])
