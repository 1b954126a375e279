"""docs/cycle.md names, for each rule of the route cycle, the tests that prove it: each must exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_test_named_in_the_rule_table_exists() -> None:
    table = (ROOT / "docs" / "cycle.md").read_text(encoding="utf-8")
    named = re.findall(r"`([\w/]+\.py)::(test_\w+)`", table)
    assert len(named) > 60
    missing = []
    for path, name in named:
        source = ROOT / "tests" / path
        if not source.is_file() or f"def {name}(" not in source.read_text(encoding="utf-8"):
            missing.append(f"{path}::{name}")
    assert missing == []
