"""``lms-bridge reports study-office``: the listeners the enrol job recorded, for a period, to a file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lms_bridge.cli import cli
from lms_bridge.ports import Transmission, TransmissionKind, TransmissionState
from tests.jobs.conftest import make_store, number


def test_study_office_report_from_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = make_store(tmp_path, 2, name="so")  # its clock: 01.10.2026
    enrolled = Transmission(number(1), "1", "PK-MATH", TransmissionKind.ENROL, TransmissionState.DONE, 5, 9)
    store.save_transmissions([enrolled])
    monkeypatch.setenv("LMS_BRIDGE_DATABASE_URL", str(store.engine.url))
    out = tmp_path / "so.csv"
    args = ["reports", "study-office", "--from", "01.09.2026", "--to", "2026-12-31", "--format", "csv"]
    result = CliRunner().invoke(cli, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "слушателей: 1" in result.output
    text = out.read_text(encoding="utf-8-sig")
    assert number(1) in text
    assert "01.10.2026" in text
    assert number(2) not in text  # never enrolled: not a listener
    backwards = ["reports", "study-office", "--from", "2026-12-31", "--to", "2026-09-01", "-o", str(out)]
    bad = CliRunner().invoke(cli, backwards)
    assert bad.exit_code == 2
    assert "конец периода раньше начала" in bad.output
