"""The import rule of the architecture: course_map loads nothing of storage, adapters, web or HTTP."""

from __future__ import annotations

import subprocess
import sys

from tests.importers.helpers import ROOT

FORBIDDEN = ("lms_bridge.storage", "lms_bridge.adapters", "lms_bridge.web", "sqlalchemy", "flask", "requests")


def test_course_map_imports_no_io_layers() -> None:
    code = (
        "import sys, course_map.loading, course_map.recommend, course_map.models\n"
        f"print([m for m in sys.modules if m.startswith({FORBIDDEN!r})])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT)},
    )
    assert done.stdout.strip() == "[]"
