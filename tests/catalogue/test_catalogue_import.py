"""The catalogue (course map) and the register of internship sites: import, row errors, export round trip,
and random bad input (only the project's ValidationError)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_map.loading import COLUMNS, SITE_COLUMNS, load_course_map, load_sites
from course_map.models import Education, EntryKind, Prerequisites, Source
from lms_bridge.domain.people import Actor
from lms_bridge.domain.vocabulary import ActivityLevel, Role
from lms_bridge.errors import ValidationError
from lms_bridge.exporters.catalogue import export_catalogue, export_sites
from lms_bridge.services.imports import replace_course_map, replace_sites
from lms_bridge.storage.store import SqlRouteStore
from tests.importers.helpers import EXAMPLES, xlsx_bytes
from tests.importers.test_import_fuzz import accepts_or_validation_error, cell

ADMIN = Actor(Role.COURSE_ADMIN, "Администратор")
SITES = load_sites((EXAMPLES / "internship_sites.csv").read_bytes(), "internship_sites.csv")
CODES = {s.code for s in SITES}


def catalogue() -> list:  # type: ignore[type-arg]
    return load_course_map((EXAMPLES / "catalogue.csv").read_bytes(), "catalogue.csv", sites=CODES)


def test_the_example_catalogue_carries_source_dates_places_prerequisites_and_internships() -> None:
    entries = {e.lms_course: e for e in catalogue()}
    pp = entries["DPP-PP-18"]
    assert pp.prerequisites == Prerequisites(Education.HIGHER, ("директор", "заместитель директора"), ())
    assert pp.capacity == 30
    assert pp.origin is Source.REGIONAL  # no «Источник»: from the level
    assert entries["DPP-MET-09"].prerequisites.courses == ("DPP-MET-01",)
    assert entries["FR-DPP-07"].origin is Source.FEDERAL_REGISTRY
    webinar = entries["ACAD-WEB-06"]
    assert (webinar.origin, webinar.kind, webinar.start, webinar.end) == (
        Source.ACADEMY,
        EntryKind.EVENT,
        date(2026, 12, 3),
        date(2026, 12, 3),
    )
    internship = entries["ST-LIC-11-01"]
    assert (internship.kind, internship.internship_site, internship.capacity) == (
        EntryKind.INTERNSHIP,
        "SP-74-01",
        6,
    )
    assert not internship.formal


def test_a_course_map_written_before_the_catalogue_still_loads() -> None:
    entries = load_course_map((EXAMPLES / "course_map.csv").read_bytes(), "course_map.csv", sites=set())
    fop = next(e for e in entries if e.lms_course == "DPP-FOP-07")
    assert fop.level is ActivityLevel.FEDERAL
    assert fop.origin is Source.FEDERAL_REGISTRY
    assert all(not e.prerequisites and e.capacity is None and not e.internship_site for e in entries)


def csv_bytes(rows: list[dict[str, str]], delimiter: str = ",") -> bytes:
    keys = list(COLUMNS.columns)
    out = io.StringIO()
    w = csv.writer(out, delimiter=delimiter)
    w.writerow(keys)
    for r in rows:
        w.writerow([r.get(k, "") for k in keys])
    return out.getvalue().encode()


BASE = {
    "lms_course": "DPP-1",
    "title": "Курс",
    "kind": "course",
    "deficit_codes": "П1.1",
    "blocks": "subject",
    "hours": "36",
    "level": "regional",
}


def problems(rows: list[dict[str, str]]) -> list[str]:
    with pytest.raises(ValidationError) as e:
        load_course_map(csv_bytes(rows), "c.csv", sites={"SP-1"})
    return [str(p) for p in e.value.problems]


def test_row_errors_name_the_row_and_the_field_in_russian() -> None:
    found = problems(
        [
            {**BASE, "kind": "стажировка"},  # row 2: an internship without a site
            {**BASE, "lms_course": "DPP-2", "internship_site": "SP-1"},  # row 3: a site on a course
            {
                **BASE,
                "lms_course": "DPP-3",
                "kind": "internship",
                "internship_site": "SP-9",
            },  # row 4: unknown site
            {**BASE, "lms_course": "DPP-4", "required_education": "начальное"},  # row 5
            {**BASE, "lms_course": "DPP-5", "required_courses": "DPP-5"},  # row 6: itself
            {**BASE, "lms_course": "DPP-6", "required_courses": "DPP-404"},  # row 7: not in the catalogue
            {**BASE, "lms_course": "DPP-7", "capacity": "0"},  # row 8
            {**BASE, "lms_course": "DPP-8", "source": "частная школа"},  # row 9
            {**BASE, "lms_course": "EV-1", "kind": "event", "hours": "2"},
            {**BASE, "lms_course": "DPP-9", "required_courses": "EV-1"},  # row 11: an event, not a ДПП
        ]
    )
    assert found == [
        "строка 2, поле «internship_site»: у стажировки укажите стажировочную площадку (её код из реестра "
        "площадок)",
        "строка 3, поле «internship_site»: площадка указывается только у стажировки (вид «стажировка»)",
        "строка 4, поле «internship_site»: стажировочной площадки «SP-9» нет в реестре площадок (загрузите "
        "его раньше)",
        "строка 5, поле «required_education»: «начальное» — недопустимое значение; допустимо: высшее, "
        "среднее профессиональное",
        "строка 6, поле «required_courses»: курс «DPP-5» не может требовать сам себя",
        "строка 8, поле «capacity»: 0 — число не может быть меньше 1",
        found[6],
        "строка 7, поле «required_courses»: курса «DPP-404» нет в каталоге: требовать можно только курс ДПП "
        "каталога",
        "строка 11, поле «required_courses»: «EV-1» — не курс ДПП: требовать можно только пройденный "
        "курс ДПП",
    ]
    assert found[6].startswith("строка 9, поле «source»: «частная школа» — недопустимое значение")


def test_sites_register_rows_and_errors() -> None:
    first = SITES[0]
    assert (first.code, first.places, first.tutors) == ("SP-74-01", 12, ("Соколова Н.В.", "Кравцов Д.А."))
    assert first.topics[0] == "Формирующее оценивание"
    rows = [
        ["code", "school", "topics", "places", "period_start", "period_end"],
        ["SP-1", "Школа", "Тема", "-1", "", ""],
        ["SP-1", "Школа", "", "5", "2027-01-01", "2026-01-01"],
    ]
    with pytest.raises(ValidationError) as e:
        load_sites(xlsx_bytes(rows), "s.xlsx")
    assert [str(p) for p in e.value.problems] == [
        "строка 2, поле «places»: -1 — число не может быть меньше 0",
        "строка 3, поле «topics»: обязательное поле не заполнено",
        "строка 3, поле «period_end»: окончание 01.01.2026 раньше начала 01.01.2027",
        "строка 3, поле «code»: площадка «SP-1» уже описана в строке 2",
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_imports_back_unchanged(fmt: str) -> None:
    entries = catalogue()
    again = load_course_map(export_catalogue(entries, fmt), f"c.{fmt}", sites=CODES)
    assert again == entries
    assert load_sites(export_sites(SITES, fmt), f"s.{fmt}") == SITES


def test_export_headers_are_russian_and_formula_safe() -> None:
    data = export_catalogue(catalogue()[:1], "csv").decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(data), delimiter=";"))
    assert header[:4] == ["Курс в СДО", "Название", "Вид", "Коды дефицитов"]
    assert "Требуемое образование" in header
    bad = load_course_map(csv_bytes([{**BASE, "title": "=HYPERLINK(1)"}]), "c.csv")
    assert '"\'=HYPERLINK(1)"' in export_catalogue(bad, "csv").decode("utf-8-sig")


def test_sites_an_internship_still_names_cannot_be_dropped(store: SqlRouteStore) -> None:
    replace_sites(store, SITES, ADMIN)
    replace_course_map(store, catalogue(), ADMIN)
    with pytest.raises(ValidationError, match="нельзя убрать: на ней стажировка каталога"):
        replace_sites(store, SITES[1:], ADMIN)
    assert store.list_sites() == SITES  # nothing changed
    with pytest.raises(ValidationError, match="нельзя убрать"):  # an empty register neither
        replace_sites(store, [], ADMIN)
    assert [e.lms_course for e in store.list_course_map()] == sorted(e.lms_course for e in catalogue())


def test_stored_catalogue_keeps_every_field(store: SqlRouteStore) -> None:
    replace_sites(store, SITES, ADMIN)
    replace_course_map(store, catalogue(), ADMIN)
    assert sorted(store.list_course_map(), key=lambda e: e.lms_course) == sorted(
        catalogue(), key=lambda e: e.lms_course
    )
    assert [a.action for a in store.list_audit("internship_sites")] == ["sites import"]


FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CATALOGUE_CELL = st.one_of(
    cell,
    st.sampled_from(["internship", "стажировка", "высшее", "SP-74-01", "DPP-MET-01", "academy", "0", "-3"]),
)


@FUZZ
@given(
    st.lists(
        st.lists(CATALOGUE_CELL, min_size=len(COLUMNS.columns), max_size=len(COLUMNS.columns) + 1), max_size=5
    )
)
def test_random_catalogue_rows(rows: list[list[str]]) -> None:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(list(COLUMNS.columns))
    w.writerows(rows)
    accepts_or_validation_error(lambda: load_course_map(out.getvalue().encode(), "c.csv", sites=CODES))


@FUZZ
@given(
    st.lists(
        st.lists(CATALOGUE_CELL, min_size=len(SITE_COLUMNS.columns), max_size=len(SITE_COLUMNS.columns) + 1),
        max_size=5,
    )
)
def test_random_site_rows(rows: list[list[str]]) -> None:
    out = io.StringIO()
    w = csv.writer(out, delimiter=";")
    w.writerow(list(SITE_COLUMNS.columns))
    w.writerows(rows)
    accepts_or_validation_error(lambda: load_sites(out.getvalue().encode(), "s.csv"))


@FUZZ
@given(st.binary(max_size=300))
def test_random_bytes(data: bytes) -> None:
    for name in ("s.csv", "s.xlsx"):
        accepts_or_validation_error(lambda n=name: load_sites(data, n))
        accepts_or_validation_error(lambda n=name: load_course_map(data, n, sites=CODES))


def test_example_files_exist_for_the_walkthrough() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "examples/catalogue.csv" in readme
    assert "examples/internship_sites.csv" in readme
