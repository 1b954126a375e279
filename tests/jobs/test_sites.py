"""Several LMS sites (issue 12, §1): teachers go to their site, courses to the sites they live on,
one site down does not stop the others, ``--site`` narrows a run, ``lms sites`` lists them."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lms_bridge import bootstrap
from lms_bridge.adapters.memory import InMemoryLms
from lms_bridge.cli import cli
from lms_bridge.config import Settings
from lms_bridge.domain.people import Actor
from lms_bridge.domain.sites import LmsSite
from lms_bridge.domain.vocabulary import Role
from lms_bridge.errors import LmsUnavailable
from lms_bridge.ports import Lms, SiteInfo
from lms_bridge.ports import TransmissionKind as Kind
from lms_bridge.storage.sync_store import SqlSyncStore
from tests.conftest import make_diagnostic, make_teacher
from tests.jobs.conftest import COURSE_MAP, CURATOR, make_store, number

SITES = """
[[site]]
name = "north"
url = "https://north.example.ru/moodle"
token_env = "T_NORTH"
cap = 2
teachers = ["teacher1@school.ru", "Teacher2@school.ru"]

[[site]]
name = "south"
url = "https://south.example.ru"
token_file = "{token_file}"
timezone = "Europe/Moscow"
municipalities = ["г. Челябинск"]
"""


class DownLms(InMemoryLms):
    def get_site_info(self) -> SiteInfo:
        raise LmsUnavailable("Moodle не отвечает (HTTP 503)")


class Federation:
    def __init__(self, store: SqlSyncStore):
        self.store = store
        self.lms: dict[str, InMemoryLms] = {"north": InMemoryLms(), "south": InMemoryLms()}
        self.down: set[str] = set()
        for name, lms in self.lms.items():
            for i in range(1, 6):
                lms.add_user(f"{name}-t{i}", f"teacher{i}@school.ru")
            lms.add_user(f"{name}-methodist", CURATOR)
            for entry in COURSE_MAP:
                if name == "north" and entry.lms_course == "PK-MATH":
                    continue  # PK-MATH lives on the southern site only
                lms.add_course(entry.lms_course, idnumber=entry.lms_course)

    def build(self, _settings: Settings, site: LmsSite, **_: object) -> Lms:
        if site.name in self.down:
            down = DownLms()
            return down
        return self.lms[site.name]

    def enrolled(self, site: str) -> set[str]:
        lms = self.lms[site]
        return {lms.users[uid].email for _, uid in lms.enrolments}


@pytest.fixture
def fed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Federation:
    store = make_store(tmp_path, n=5, name="fed")
    # teacher 5 works in a municipality no site serves (and there is no default site)
    store.save_diagnostics([(replace(make_teacher(5), municipality="г. Копейск"), make_diagnostic(5))])
    entries = [replace(e, sites=("south",)) if e.lms_course == "PK-MATH" else e for e in COURSE_MAP]
    store.replace_course_map(entries, Actor(Role.COURSE_ADMIN, "Админ"))
    token_file = tmp_path / "south.token"
    token_file.write_text("south-secret\n")
    sites = tmp_path / "sites.toml"
    sites.write_text(SITES.format(token_file=token_file), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LMS_BRIDGE_DATABASE_URL", str(store.engine.url))
    monkeypatch.setenv("LMS_BRIDGE_SITES_FILE", str(sites))
    monkeypatch.setenv("T_NORTH", "north-secret")
    f = Federation(store)
    monkeypatch.setattr(bootstrap, "build_site_lms", f.build)
    return f


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_each_teacher_is_enrolled_on_their_own_site_only(fed: Federation) -> None:
    result = run("sync", "all")
    assert result.exit_code == 1, result.output  # teacher 5 has no site, north lacks PK-MATH
    # explicit e-mails (case-insensitive) win over the municipality; the others go south
    assert fed.enrolled("north") == {"teacher1@school.ru", "teacher2@school.ru"}
    assert fed.enrolled("south") == {"teacher3@school.ru", "teacher4@school.ru"}
    north_courses = {fed.lms["north"].courses[cid].course.idnumber for cid, _ in fed.lms["north"].enrolments}
    assert north_courses == {"PK-METH"}
    assert f"[notonsite] {number(1)}: курс PK-MATH есть только на сайтах south" in result.output
    assert f"[nosite] {number(5)}: teacher5@school.ru" in result.output
    # an account on one site is not an account on the other
    north, south = fed.store.list_links("north"), fed.store.list_links("south")
    assert set(north) == {"teacher1@school.ru", "teacher2@school.ru", CURATOR}
    assert north[CURATOR].lms_user_id != south[CURATOR].lms_user_id or north[CURATOR].site != "south"
    assert fed.store.list_links() == {}  # no "default" site here

    sent = dict(fed.lms["south"].calls)
    again = run("sync", "all")
    assert again.exit_code == 1
    assert fed.lms["south"].calls.get("enrol", 0) == sent.get("enrol", 0)  # nothing sent twice


def test_a_site_down_does_not_stop_the_others_and_is_done_next_run(fed: Federation) -> None:
    fed.down.add("north")
    result = run("sync", "enrol")
    assert "сайт СДО «north» (https://north.example.ru/moodle) недоступен" in result.stderr
    assert "маршрутов: 2" in result.stderr
    assert fed.enrolled("north") == set()
    run("sync", "attach")
    run("sync", "enrol")
    assert fed.enrolled("south") == {"teacher3@school.ru", "teacher4@school.ru"}
    fed.down.clear()
    run("sync", "attach", "--site", "north")
    run("sync", "enrol", "--site", "north")
    assert fed.enrolled("north") == {"teacher1@school.ru", "teacher2@school.ru"}
    enrol = fed.store.list_transmissions(Kind.ENROL)
    assert {k[0] for k, t in enrol.items() if t.state == "done"} == {number(i) for i in range(1, 5)}


def test_site_option_runs_only_that_site_and_names_unknown_ones(fed: Federation) -> None:
    run("sync", "attach", "--site", "south")
    assert set(fed.store.list_links("south")) >= {"teacher3@school.ru", "teacher4@school.ru"}
    assert fed.store.list_links("north") == {}
    result = CliRunner().invoke(cli, ["sync", "all", "--site", "west"])
    assert result.exit_code == 2
    assert "неизвестный сайт СДО: west; известны: north, south" in result.output


def test_lms_sites_lists_sites_without_tokens(fed: Federation) -> None:
    del fed
    result = run("lms", "sites", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["name"], r["cap"], r["timezone"], r["token_present"]) for r in rows] == [
        ("north", 2, "Asia/Yekaterinburg", True),
        ("south", 4, "Europe/Moscow", True),
    ]
    assert "secret" not in result.output
    text = run("lms", "sites").output
    assert "муниципалитеты: г. Челябинск" in text
    assert "сайтов: 2" in text


def test_a_bad_sites_file_names_the_site_and_field(fed: Federation, tmp_path: Path) -> None:
    del fed
    bad = tmp_path / "sites.toml"
    bad.write_text('[[site]]\nname = "x"\nurl = "ftp://x"\ntoken_env = "T"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["lms", "sites"])
    assert result.exit_code == 2
    assert "сайт № 1 «x», поле «url»: адрес сайта должен начинаться с http:// или https://" in result.output


def test_without_a_sites_file_there_is_one_default_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LMS_BRIDGE_SITES_FILE", raising=False)
    monkeypatch.setenv("LMS_BRIDGE_MOODLE_URL", "https://sdo.example.ru/")
    monkeypatch.setenv("LMS_BRIDGE_MOODLE_PARALLEL", "3")
    rows = json.loads(run("lms", "sites", "--json").output)
    assert [(r["name"], r["url"], r["cap"], r["default"]) for r in rows] == [
        ("default", "https://sdo.example.ru", 3, True)
    ]


def test_an_lti_platform_of_a_site_speaks_for_the_people_it_serves(fed: Federation) -> None:
    del fed
    args = ["--issuer", "https://south.example.ru", "--client-id", "c1", "--deployment-id", "1"]
    result = run("lti", "add-platform", *args, "--site", "south")
    assert result.exit_code == 0, result.output
    assert "муниципалитеты: г. Челябинск" in result.output
    listed = run("lti", "platforms").output
    assert "https://south.example.ru\tc1\t1\tмуниципалитеты: г. Челябинск" in listed
