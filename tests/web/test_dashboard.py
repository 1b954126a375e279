"""Dashboards and the aggregated report: scope, filters, the <5 people floor; the DOCX download."""

from __future__ import annotations

import io

import pytest
from docx import Document

from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import Role, RouteStatus
from lms_bridge.storage.store import SqlRouteStore
from tests.web.conftest import HEAD_EMAIL, SCHOOL_1, Launcher, _route


def _more_teachers(store: SqlRouteStore, count: int) -> None:
    extra = [
        _route(f"74-2026-{100 + n:05d}", 100 + n, SCHOOL_1, RouteStatus.IN_PROGRESS) for n in range(count)
    ]
    store.save_diagnostics([(r.teacher, r.diagnostic) for r in extra])
    store.add_routes(extra, Actor(Role.DEVELOPER, "разработчик"))


def test_centre_dashboard_filters_and_marks_overdue(launcher: Launcher, seeded: dict[str, Route]) -> None:
    lid = launcher.session("centre@cnppm.ru")
    html = launcher.client.get(f"/dashboard?lid={lid}").get_data(as_text=True)
    assert all(r.number in html for r in seeded.values())
    only_2 = launcher.client.get(f"/dashboard?lid={lid}&school=МБОУ «СОШ № 2»").get_data(as_text=True)
    assert seeded["t3"].number in only_2
    assert seeded["t1"].number not in only_2
    agreement = launcher.client.get(f"/dashboard?lid={lid}&status=agreement").get_data(as_text=True)
    assert seeded["t2"].number in agreement
    assert seeded["t1"].number not in agreement
    # t2 went to agreement without a submission date: no deadline; the others end in 2027
    assert "просрочен" not in html.split("<tbody>")[1].split("</tbody>")[0]


@pytest.mark.usefixtures("seeded")
def test_report_never_shows_fewer_than_five_people(launcher: Launcher, store: SqlRouteStore) -> None:
    lid = launcher.session(HEAD_EMAIL)
    html = launcher.client.get(f"/dashboard?lid={lid}").get_data(as_text=True)
    assert "Недостаточно данных для отчёта" in html  # 2 teachers in the school
    _more_teachers(store, 4)
    html = launcher.client.get(f"/dashboard?lid={lid}").get_data(as_text=True)
    report = html.split('id="h-report"')[1].split('id="h-list"')[0]
    assert SCHOOL_1 in report
    assert "<td>6</td>" in report  # 6 people now
    assert "Иванова" not in report  # no names in the report


@pytest.mark.usefixtures("seeded")
def test_report_cells_of_fewer_than_five_people_are_withheld_on_the_page_and_in_the_api(
    launcher: Launcher, store: SqlRouteStore
) -> None:
    _more_teachers(store, 4)  # school 1: 5 in progress and teacher2 alone under agreement
    head = launcher.session(HEAD_EMAIL)
    html = launcher.client.get(f"/dashboard?lid={head}").get_data(as_text=True)
    report = html.split('id="h-report"')[1].split('id="h-list"')[0]
    assert "на согласовании: 1" not in report  # one person's status
    assert "на согласовании: скрыто" in report
    assert "реализуется: скрыто" in report  # else «6 − 5» gives teacher2's status away
    data = launcher.client.get("/api/v1/reports?by=school", headers={"X-Launch-Id": head}).get_json()
    [group] = data["groups"]
    counts = {c["status"]: c["count"] for c in group["by_status"]}
    assert (counts["agreement"], counts["in_progress"], counts["draft"]) == (None, None, 0)
    assert group["completion"] == {"completed": 0, "started": None, "rate": None}  # nobody: a group fact


@pytest.mark.usefixtures("seeded")
def test_api_report_is_scoped_and_refused_to_teachers(launcher: Launcher) -> None:
    teacher = launcher.session("teacher1@school.ru")
    assert launcher.client.get("/api/v1/reports", headers={"X-Launch-Id": teacher}).status_code == 403
    centre = launcher.session("centre@cnppm.ru")
    data = launcher.client.get("/api/v1/reports?by=school", headers={"X-Launch-Id": centre}).get_json()
    assert data["groups"] == []
    assert data["total"] is None  # 3 people in all: nothing shown


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_docx_download_and_heads_get_no_diagnostics(launcher: Launcher, seeded: dict[str, Route]) -> None:
    number = seeded["t1"].number
    teacher = launcher.session("teacher1@school.ru")
    resp = launcher.client.get(f"/card/{number}/card.docx?lid={teacher}")
    assert resp.status_code == 200
    assert resp.mimetype.endswith("wordprocessingml.document")
    assert "П1.1" in _docx_text(resp.data)
    head = launcher.session(HEAD_EMAIL)
    text = _docx_text(launcher.client.get(f"/card/{number}/card.docx?lid={head}").data)
    assert number in text
    assert "П1.1" not in text
    assert "М2.3" not in text
    assert launcher.client.get(f"/card/{seeded['t3'].number}/card.docx?lid={head}").status_code == 404
