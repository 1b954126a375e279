"""``course-map`` with the catalogue and the register of internship sites, through click."""

from __future__ import annotations

import json
from pathlib import Path

from course_map.loading import load_course_map
from tests.cli.conftest import Run
from tests.importers.helpers import EXAMPLES


def test_walkthrough_sites_then_catalogue_then_export(run: Run, tmp_path: Path) -> None:
    refused = run("course-map", "import", str(EXAMPLES / "catalogue.csv"))
    assert refused.exit_code == 1
    assert (
        "поле «internship_site»: стажировочной площадки «SP-74-01» нет в реестре площадок" in refused.output
    )
    assert run("course-map", "sites", "import", str(EXAMPLES / "internship_sites.csv")).output == (
        "реестр стажировочных площадок загружен: площадок 2\n"
    )
    done = run("course-map", "import", str(EXAMPLES / "catalogue.csv"))
    assert done.exit_code == 0
    assert done.output == "каталог загружен: курсов ДПП 19, мероприятий 6, стажировок 2\n"
    shown = json.loads(run("course-map", "show", "--json").output)
    pp = next(e for e in shown if e["lms_course"] == "DPP-PP-18")
    assert pp["prerequisites"]["education"] == "higher"
    sites = json.loads(run("course-map", "sites", "show", "--json").output)
    assert [s["code"] for s in sites] == ["SP-74-01", "SP-74-02"]
    out = tmp_path / "каталог.xlsx"
    assert run("course-map", "export", "--format", "xlsx", "-o", str(out)).exit_code == 0
    again = load_course_map(out.read_bytes(), out.name, sites={"SP-74-01", "SP-74-02"})
    original = load_course_map(
        (EXAMPLES / "catalogue.csv").read_bytes(), "c.csv", sites={"SP-74-01", "SP-74-02"}
    )
    assert sorted(again, key=lambda e: e.lms_course) == sorted(original, key=lambda e: e.lms_course)
    dropped = tmp_path / "sites.csv"
    dropped.write_text("code,school,topics,places\nSP-74-01,Лицей,Тема,5\n", encoding="utf-8")
    kept = run("course-map", "sites", "import", str(dropped))
    assert kept.exit_code == 1
    assert "площадку «SP-74-02» нельзя убрать" in kept.output
