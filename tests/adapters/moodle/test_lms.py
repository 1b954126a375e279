"""MoodleLms on the HTTP-level fake and on recorded bodies."""

from __future__ import annotations

import json
import math

import pytest
import requests

from lms_bridge.adapters.moodle.lms import MoodleLms
from lms_bridge.adapters.moodle.transport import MoodleClient, RetryPolicy
from lms_bridge.errors import LmsAuthError, LmsNotFound, LmsResponseError, LmsUnavailable
from lms_bridge.ports import Enrolment, LinkFailure
from moodle_sim.state import CourseCompetency
from tests.fakes.sim_http import BASE, TOKEN, SimMoodle, recorded_request


def sent(fake: SimMoodle, wsfunction: str) -> list[list[tuple[str, str]]]:
    return [r[1:] for r in fake.requests if ("wsfunction", wsfunction) in r]


def sent_messages(fake: SimMoodle) -> list[tuple[int, str]]:
    return [(m.useridto, m.text) for m in fake.state.messages]


# --- recorded bodies --------------------------------------------------------------------------------------
@pytest.mark.usefixtures("fake")
def test_site_info_from_the_recording(lms: MoodleLms) -> None:
    info = lms.get_site_info()
    assert (info.site_name, info.release, info.version, info.user_id) == (
        "Moodle Lab",
        "5.1+ (Build: 20251017)",
        "2025100600.02",
        2,
    )
    assert {"enrol_manual_enrol_users", "core_user_get_users_by_field"} <= info.functions


def test_find_users_sends_the_recorded_request_and_maps_values(fake: SimMoodle, lms: MoodleLms) -> None:
    case = "core_user_get_users_by_field__email_3values_1missing"
    fake.queue("core_user_get_users_by_field", case)
    values = ["petr.ivanov@example.com", "olga.smirnova@example.com", "nobody.here@example.com"]
    found = lms.find_users("email", values)
    assert sent(fake, "core_user_get_users_by_field") == [recorded_request(case)]
    assert [u.id for u in found["petr.ivanov@example.com"]] == [7]
    assert found["olga.smirnova@example.com"][0].full_name == "Ольга Смирнова"
    assert found["nobody.here@example.com"] == []


def test_find_course_by_cyrillic_shortname_after_idnumber(fake: SimMoodle, lms: MoodleLms) -> None:
    fake.queue("core_course_get_courses_by_field", "core_course_get_courses_by_field__idnumber_missing_empty")
    fake.queue(
        "core_course_get_courses_by_field", "core_course_get_courses_by_field__shortname_cyrillic_found"
    )
    course = lms.find_course("ДПП-ЦИФ-02")
    assert course is not None
    assert (course.id, course.idnumber) == (3, "DPP-DIG-02")
    first, second = sent(fake, "core_course_get_courses_by_field")
    assert dict(first)["field"] == "idnumber"
    assert second == recorded_request("core_course_get_courses_by_field__shortname_cyrillic_found")


def test_grades_from_the_recorded_report(fake: SimMoodle, lms: MoodleLms) -> None:
    fake.queue(
        "gradereport_user_get_grade_items", "gradereport_user_get_grade_items__course4_with_gradepass_userid0"
    )
    rows = {r.user_id: r for r in lms.list_grades(4)}
    assert (rows[8].grade, rows[9].grade, rows[9].grade_max) == (50.0, 80.0, 100.0)
    assert rows[8].graded_at == 1795375733
    assert sent(fake, "gradereport_user_get_grade_items") == [
        recorded_request("gradereport_user_get_grade_items__course4_with_gradepass_userid0")
    ]


def test_grades_of_a_course_without_students(fake: SimMoodle, lms: MoodleLms) -> None:
    fake.queue(
        "gradereport_user_get_grade_items", "gradereport_user_get_grade_items__course6_no_students_userid0"
    )
    assert lms.list_grades(6) == []


def test_ungraded_users_have_no_grade(fake: SimMoodle, lms: MoodleLms) -> None:
    fake.queue(
        "gradereport_user_get_grade_items", "gradereport_user_get_grade_items__course4_nobody_graded_userid0"
    )
    rows = lms.list_grades(4)
    assert rows
    assert all(r.grade is None for r in rows)


def test_completions_from_the_recording(fake: SimMoodle, lms: MoodleLms) -> None:
    fake.queue("core_enrol_get_users_courses", "core_enrol_get_users_courses__user6")
    rows = lms.list_completions(6)
    assert set(rows) == {2, 3}
    assert all(r.completed and r.tracked and r.user_id == 6 for r in rows.values())


@pytest.mark.usefixtures("fake")
def test_missing_course_is_not_found(lms: MoodleLms) -> None:
    with pytest.raises(LmsNotFound):
        lms.list_grades(99999)
    with pytest.raises(LmsNotFound):
        lms.list_enrolled(99999)


# --- users --------------------------------------------------------------------------------------------------
def test_find_users_is_exact_and_skips_empty_values(fake: SimMoodle, lms: MoodleLms) -> None:
    a = fake.add_user("anna", "anna@school.ru")
    found = lms.find_users("email", ["anna@school.ru", "Anna@School.ru", ""])
    assert found == {"anna@school.ru": [a], "Anna@School.ru": [], "": []}
    assert sent(fake, "core_user_get_users_by_field")[0][3:] == [
        ("values[0]", "anna@school.ru"),
        ("values[1]", "Anna@School.ru"),
    ]


def test_find_users_batches_under_max_input_vars(fake: SimMoodle) -> None:
    client = MoodleClient(BASE, TOKEN, max_input_vars=100)
    lms = MoodleLms(client, parallel=4)
    users = [fake.add_user(f"u{i}", f"u{i}@school.ru") for i in range(250)]
    found = lms.find_users("email", [u.email for u in users])
    assert all(found[u.email] == [u] for u in users)
    assert len(fake.requests) == math.ceil(250 / 96)
    assert max(len(r) for r in fake.requests) <= 100


def test_find_users_refuses_an_unknown_field(lms: MoodleLms) -> None:
    with pytest.raises(LmsResponseError):
        lms.find_users("city", ["Казань"])


# --- enrolment ---------------------------------------------------------------------------------------------
def test_enrol_then_list_enrolled_with_roles_and_suspension(fake: SimMoodle, lms: MoodleLms) -> None:
    a, b = fake.add_user("a", "a@x.ru"), fake.add_user("b", "b@x.ru")
    c = fake.add_course("C1")
    assert lms.enrol([Enrolment(a.id, c.id), Enrolment(b.id, c.id, role_id=3)]) == []
    fake.suspend(c.id, b.id)
    rows = {e.user_id: e for e in lms.list_enrolled(c.id)}
    assert rows[a.id].role_ids == {5}
    assert not rows[a.id].suspended
    assert rows[b.id].role_ids == {3}
    assert rows[b.id].suspended


def test_enrol_row_encoding_matches_recording(fake: SimMoodle, lms: MoodleLms) -> None:
    case = "enrol_manual_enrol_users__one_row_ok"
    fake.queue("enrol_manual_enrol_users", case)
    assert lms.enrol([Enrolment(user_id=7, course_id=2)]) == []
    assert sent(fake, "enrol_manual_enrol_users") == [recorded_request(case)]


def test_recorded_all_or_nothing_failure_is_split(fake: SimMoodle, lms: MoodleLms) -> None:
    fake.queue("enrol_manual_enrol_users", "enrol_manual_enrol_users__batch_valid_then_missing_user")
    fake.queue("enrol_manual_enrol_users", "enrol_manual_enrol_users__one_row_ok")
    fake.queue("enrol_manual_enrol_users", "enrol_manual_enrol_users__missing_user_99999")
    failures = lms.enrol([Enrolment(8, 3), Enrolment(99999, 3)])
    assert [(f.row.user_id, f.errorcode) for f in failures] == [(99999, "invalidrecordunknown")]
    assert [len(r) for r in sent(fake, "enrol_manual_enrol_users")] == [8, 5, 5]


def test_dates_and_suspend_are_sent_only_when_set(fake: SimMoodle, lms: MoodleLms) -> None:
    u, c = fake.add_user("u"), fake.add_course("C")
    lms.enrol([Enrolment(u.id, c.id, start=100, end=200, suspended=True)])
    fields = dict(sent(fake, "enrol_manual_enrol_users")[0])
    assert (fields["enrolments[0][timestart]"], fields["enrolments[0][timeend]"]) == ("100", "200")
    assert fields["enrolments[0][suspend]"] == "1"


def test_one_bad_row_in_40_lands_39_in_log_calls(fake: SimMoodle, lms: MoodleLms) -> None:
    course = fake.add_course("C")
    users = [fake.add_user(f"u{i}") for i in range(39)]
    rows = [Enrolment(u.id, course.id) for u in users]
    bad = Enrolment(99999, course.id)
    rows.insert(23, bad)
    failures = lms.enrol(rows)
    assert [(f.row, f.errorcode) for f in failures] == [(bad, "invalidrecordunknown")]
    assert "Can't find data record" in failures[0].message
    assert {e.user_id for e in lms.list_enrolled(course.id)} == {u.id for u in users}
    assert fake.calls["enrol_manual_enrol_users"] <= 1 + 2 * math.ceil(math.log2(40))


def test_every_kind_of_bad_row_is_reported_with_its_errorcode(fake: SimMoodle, lms: MoodleLms) -> None:
    u = fake.add_user("u")
    c, noman = fake.add_course("C1"), fake.add_course("C2", manual_enrol=False)
    rows = [
        Enrolment(u.id, c.id),
        Enrolment(99999, c.id),
        Enrolment(u.id, 99999),
        Enrolment(u.id, noman.id),
        Enrolment(u.id, c.id, role_id=999),
    ]
    failures = {f.row: f.errorcode for f in lms.enrol(rows)}
    assert failures == {
        rows[1]: "invalidrecordunknown",
        rows[2]: "invalidparameter",
        rows[3]: "wsnoinstance",
        rows[4]: "wsusercannotassign",
    }
    assert [e.user_id for e in lms.list_enrolled(c.id)] == [u.id]


def test_enrol_batches_are_sized_by_max_input_vars(fake: SimMoodle) -> None:
    lms = MoodleLms(MoodleClient(BASE, TOKEN, max_input_vars=100), parallel=2)
    course = fake.add_course("C")
    users = [fake.add_user(f"u{i}") for i in range(100)]
    assert lms.enrol([Enrolment(u.id, course.id, start=1) for u in users]) == []  # 4 fields a row
    assert max(len(r) for r in fake.requests if ("wsfunction", "enrol_manual_enrol_users") in r) <= 100
    assert fake.calls["enrol_manual_enrol_users"] == math.ceil(100 / 24)
    assert len(fake.state.course_enrolments(course.id)) == 100


def test_a_bad_token_fails_the_whole_enrol_without_splitting(fake: SimMoodle) -> None:
    lms = MoodleLms(MoodleClient(BASE, "wrong", retry=RetryPolicy(attempts=1)))
    course = fake.add_course("C")
    with pytest.raises(LmsAuthError):
        lms.enrol([Enrolment(fake.add_user(f"u{i}").id, course.id) for i in range(8)])
    assert fake.calls["enrol_manual_enrol_users"] == 1


# --- results ----------------------------------------------------------------------------------------------
@pytest.fixture
def graded(fake: SimMoodle) -> tuple[SimMoodle, int, dict[str, int]]:
    course = fake.add_course("C")
    fake.add_grade_item(course.id, "final", pass_grade=60)
    users = {name: fake.add_user(name).id for name in ("below", "at", "above", "none")}
    return fake, course.id, users


def test_grades_below_at_and_above_the_pass_mark(
    graded: tuple[SimMoodle, int, dict[str, int]], lms: MoodleLms
) -> None:
    fake, course, users = graded
    lms.enrol([Enrolment(uid, course) for uid in users.values()])
    for name, grade in (("below", 59.5), ("at", 60.0), ("above", 95.0)):
        fake.set_grade(course, users[name], grade, item="final", graded_at=1000)
    pass_mark = lms.find_pass_grade(course, "final")
    assert pass_mark == 60.0
    rows = {r.user_id: r for r in lms.list_grades(course, "final")}
    verdict = {n: rows[u].grade is not None and rows[u].grade >= pass_mark for n, u in users.items()}
    assert verdict == {"below": False, "at": True, "above": True, "none": False}
    assert rows[users["none"]].grade is None


def test_pass_grade_is_cached_and_none_for_the_course_total(
    graded: tuple[SimMoodle, int, dict[str, int]], lms: MoodleLms
) -> None:
    fake, course, _ = graded
    assert lms.find_pass_grade(course) is None
    assert fake.requests == []  # not readable over WS: no call at all
    lms.find_pass_grade(course, "final")
    before = len(fake.requests)
    assert lms.find_pass_grade(course, "final") == 60.0
    assert len(fake.requests) == before


def test_a_course_without_the_final_item(
    graded: tuple[SimMoodle, int, dict[str, int]], lms: MoodleLms
) -> None:
    _, course, users = graded
    lms.enrol([Enrolment(users["at"], course)])
    with pytest.raises(LmsNotFound):
        lms.list_grades(course, "no-such-item")
    with pytest.raises(LmsNotFound):
        lms.find_pass_grade(course, "no-such-item")


def test_item_without_pass_mark(fake: SimMoodle, lms: MoodleLms) -> None:
    course = fake.add_course("C")
    fake.add_grade_item(course.id, "final")
    assert lms.find_pass_grade(course.id, "final") is None


# --- telling the user ---------------------------------------------------------------------------------------
def test_route_links_go_to_the_profile_field_in_one_call(fake: SimMoodle, lms: MoodleLms) -> None:
    users = [fake.add_user(f"u{i}") for i in range(3)]
    links = [(u.id, f"https://iom.example.org/card/74-2026-000{i}") for i, u in enumerate(users)]
    assert lms.set_route_links(links) == []
    assert {u.id: fake.route_link(u.id) for u in users} == dict(links)
    assert fake.calls["core_user_update_users"] == 1


def test_route_link_request_matches_recording(fake: SimMoodle, lms: MoodleLms) -> None:
    case = "core_user_update_users__customfield_iom_url_ok"
    fake.queue("core_user_update_users", case)
    assert lms.set_route_links([(6, "https://iom.example.org/portfolio/olga-smirnova")]) == []
    assert sent(fake, "core_user_update_users") == [recorded_request(case)]


def test_a_recorded_warning_fails_only_its_row(fake: SimMoodle, lms: MoodleLms) -> None:
    fake.queue("core_user_update_users", "core_user_update_users__batch_valid_and_unknown_id")
    failures = lms.set_route_links([(7, "https://iom.example.org/a"), (99999, "https://iom.example.org/b")])
    assert failures == [LinkFailure(99999, "https://iom.example.org/b", "invaliduserid", "Invalid user ID")]


def test_a_warning_naming_no_sent_row_fails_the_whole_call(fake: SimMoodle, lms: MoodleLms) -> None:
    warning = {"item": "user", "itemid": 5, "warningcode": "dmlwriteexception", "message": "Error writing"}
    fake.queue("core_user_update_users", (200, {"Content-Type": "application/json"}, json.dumps(
        {"warnings": [warning]})))  # fmt: skip
    failures = lms.set_route_links([(7, "https://x/a"), (8, "https://x/b")])
    assert [(f.user_id, f.errorcode) for f in failures] == [
        (7, "dmlwriteexception"),
        (8, "dmlwriteexception"),
    ]


def test_an_exception_body_fails_the_whole_link_call(fake: SimMoodle, lms: MoodleLms) -> None:
    body = {"exception": "invalid_parameter_exception", "errorcode": "invalidparameter",
            "message": "Invalid parameter value detected"}  # fmt: skip
    fake.queue("core_user_update_users", (200, {"Content-Type": "application/json"}, json.dumps(body)))
    with pytest.raises(LmsResponseError) as info:
        lms.set_route_links([(fake.add_user("u").id, "https://x/a")])
    assert info.value.errorcode == "invalidparameter"


def test_route_link_batches_are_sized_by_max_input_vars(fake: SimMoodle) -> None:
    lms = MoodleLms(MoodleClient(BASE, TOKEN, max_input_vars=100), parallel=2)
    users = [fake.add_user(f"u{i}") for i in range(70)]
    links = [(u.id, f"https://iom.example.org/card/{i}") for i, u in enumerate(users)]
    links.insert(35, (99999, "https://iom.example.org/card/x"))
    failures = lms.set_route_links(links)  # 3 fields a row: 32 rows a call
    assert [(f.user_id, f.errorcode) for f in failures] == [(99999, "invaliduserid")]
    assert max(len(r) for r in fake.requests if ("wsfunction", "core_user_update_users") in r) <= 100
    assert fake.calls["core_user_update_users"] == math.ceil(71 / 32)
    assert {uid: fake.route_link(uid) for uid, _ in links if uid != 99999} == dict(links[:35] + links[36:])


def test_route_link_batches_are_capped_by_rows_per_call(fake: SimMoodle) -> None:
    lms = MoodleLms(MoodleClient(BASE, TOKEN), max_values_per_call=10)
    users = [fake.add_user(f"u{i}") for i in range(25)]
    assert lms.set_route_links([(u.id, "https://x") for u in users]) == []
    assert fake.calls["core_user_update_users"] == 3
    assert lms.set_route_links([]) == []
    assert fake.calls["core_user_update_users"] == 3


def test_messages(fake: SimMoodle, lms: MoodleLms) -> None:
    u = fake.add_user("u")
    lms.send_message(u.id, "Ваш маршрут утверждён")
    assert sent_messages(fake) == [(u.id, "Ваш маршрут утверждён")]
    with pytest.raises(LmsResponseError, match="doesn't exist"):
        lms.send_message(99999, "x")


def test_a_message_whose_answer_was_lost_is_looked_up_before_it_is_sent_again(
    fake: SimMoodle, lms: MoodleLms
) -> None:
    u = fake.add_user("u")
    fake.queue("core_message_send_instant_messages", requests.ReadTimeout("slow"))  # never ran
    lms.send_message(u.id, "x")
    assert sent_messages(fake) == [(u.id, "x")]
    assert fake.calls["core_message_send_instant_messages"] == 2
    lms.send_message(u.id, "x")  # already there (e.g. a run killed before recording it): not sent again
    assert sent_messages(fake) == [(u.id, "x")]
    assert fake.calls["core_message_send_instant_messages"] == 2


def test_a_message_is_sent_at_most_once_per_attempt_budget(fake: SimMoodle, lms: MoodleLms) -> None:
    u = fake.add_user("u")
    for _ in range(lms.client.retry.attempts):
        fake.queue("core_message_send_instant_messages", requests.ReadTimeout("slow"))
    with pytest.raises(LmsUnavailable):
        lms.send_message(u.id, "x")
    assert fake.calls["core_message_send_instant_messages"] == lms.client.retry.attempts


# --- learning plans ---------------------------------------------------------------------------------------
def test_framework_plan_and_course_links_are_idempotent(fake: SimMoodle, lms: MoodleLms) -> None:
    u, course = fake.add_user("u"), fake.add_course("C")
    comps = lms.ensure_framework("IOM", "Дефициты ИОМ", {"D1": "Оценивание", "D2": "Цифровые навыки"})
    assert {c.idnumber for c in comps.values()} == {"D1", "D2"}
    again = lms.ensure_framework("IOM", "Дефициты ИОМ", {"D1": "Оценивание", "D3": "Новый"})
    assert again["D1"] == comps["D1"]
    assert fake.calls["core_competency_create_competency_framework"] == 1
    assert fake.calls["core_competency_create_competency"] == 3
    config = fake.state.frameworks[comps["D1"].framework_id].scaleconfiguration
    assert '"scaledefault":1,"proficient":1' in config  # completion rates the user proficient

    ids = [comps["D1"].id, comps["D2"].id]
    plan = lms.ensure_plan(u.id, "ИОМ 74-2026-0001", '<a href="https://iom/card/1">Карта</a>', ids)
    assert plan.status == 1
    assert plan.competency_ids == frozenset(ids)
    assert not any(k.startswith("plan[duedate]") for r in fake.requests for k, _ in r)
    same = lms.ensure_plan(u.id, "ИОМ 74-2026-0001", '<a href="https://iom/card/1">Карта</a>', ids)
    assert same == plan
    assert fake.calls["core_competency_create_plan"] == 1
    assert fake.calls["core_competency_add_competency_to_plan"] == 2
    moved = lms.ensure_plan(u.id, "ИОМ 74-2026-0001", "new link", ids)
    assert moved.description == "new link"
    assert fake.state.plans[plan.id].description == "new link"

    assert lms.link_course_competencies(course.id, ids) == 2
    assert {cc.ruleoutcome for cc in fake.state.course_competencies.values()} == {3}
    assert lms.link_course_competencies(course.id, ids) == 0


def test_existing_link_with_another_outcome_is_set_to_complete(fake: SimMoodle, lms: MoodleLms) -> None:
    course = fake.add_course("C")
    comp = lms.ensure_framework("IOM", "x", {"D1": "d"})["D1"]
    # linked by hand in Moodle with the default outcome (0 = none)
    with fake.state.lock:
        link = CourseCompetency(fake.state.new_id("coursecompetency"), course.id, comp.id, 0, 1, 1)
        fake.state.course_competencies[link.id] = link
    assert lms.link_course_competencies(course.id, [comp.id]) == 1
    assert fake.calls["core_competency_add_competency_to_course"] == 0
    assert fake.calls["core_competency_set_course_competency_ruleoutcome"] == 1
