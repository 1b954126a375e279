"""The Lms contract: what the jobs rely on, identical on every target (see conftest.BUILDERS)."""

from __future__ import annotations

import pytest

from lms_bridge.errors import LmsNotFound, LmsResponseError
from lms_bridge.ports import Enrolment, OutMessage
from tests.contract.conftest import World


def test_site_info(world: World) -> None:
    info = world.lms.get_site_info()
    assert info.site_name
    assert info.release
    assert info.version
    assert info.user_id > 0
    assert isinstance(info.functions, frozenset)


def test_user_lookups_are_exact_and_answer_every_value(world: World) -> None:
    a = world.seed.add_user("anna", "anna@school.ru", "T-1", "Анна Петрова")
    b = world.seed.add_user("boris", "boris@school.ru", "T-2", "Борис Иванов")
    found = world.lms.find_users("email", ["anna@school.ru", "ANNA@school.ru", "nobody@school.ru"])
    assert found == {"anna@school.ru": [a], "ANNA@school.ru": [], "nobody@school.ru": []}
    assert world.lms.find_users("username", ["boris"]) == {"boris": [b]}
    assert world.lms.find_users("idnumber", ["T-2", "T-1"]) == {"T-2": [b], "T-1": [a]}


def test_users_sharing_an_email_are_all_returned(world: World) -> None:
    a = world.seed.add_user("a1", "same@school.ru")
    b = world.seed.add_user("a2", "same@school.ru")
    assert world.lms.find_users("email", ["same@school.ru"]) == {"same@school.ru": [a, b]}


def test_unknown_lookup_field_is_refused(world: World) -> None:
    with pytest.raises(LmsResponseError):
        world.lms.find_users("city", ["Казань"])


def test_find_course_by_idnumber_then_shortname(world: World) -> None:
    c = world.seed.add_course("ДПП-КТ-01", "DPP-KT-01", "Методология")  # not a lab course's names
    assert world.lms.find_course("DPP-KT-01") == c
    assert world.lms.find_course("ДПП-КТ-01") == c
    assert world.lms.find_course("NO-SUCH") is None


def test_enrol_and_list_with_roles_and_suspension(world: World) -> None:
    s, t = world.seed.add_user("s"), world.seed.add_user("t")
    c = world.seed.add_course("C1")
    assert world.lms.enrol([Enrolment(s.id, c.id), Enrolment(t.id, c.id, role_id=3)]) == []
    world.seed.suspend(c.id, s.id)
    rows = {e.user_id: e for e in world.lms.list_enrolled(c.id)}
    assert (rows[s.id].role_ids, rows[s.id].suspended) == ({5}, True)
    assert (rows[t.id].role_ids, rows[t.id].suspended) == ({3}, False)


def test_reenrol_adds_a_role_and_reactivates(world: World) -> None:
    u, c = world.seed.add_user("u"), world.seed.add_course("C1")
    world.lms.enrol([Enrolment(u.id, c.id)])
    world.seed.suspend(c.id, u.id)
    world.lms.enrol([Enrolment(u.id, c.id, role_id=4)])
    (e,) = world.lms.list_enrolled(c.id)
    assert e.role_ids == {4, 5}
    assert not e.suspended


def test_enrol_isolates_bad_rows_with_moodle_error_codes(world: World) -> None:
    u = world.seed.add_user("u")
    others = [world.seed.add_user(f"o{i}") for i in range(10)]
    c = world.seed.add_course("C1")
    noman = world.seed.add_course("C2", manual_enrol=False)
    bad = [
        Enrolment(99999, c.id),
        Enrolment(u.id, 99999),
        Enrolment(u.id, noman.id),
        Enrolment(u.id, c.id, role_id=999),
    ]
    good = [Enrolment(u.id, c.id)] + [Enrolment(o.id, c.id) for o in others]
    rows = good[:3] + bad[:2] + good[3:8] + bad[2:] + good[8:]
    failures = {f.row: f.errorcode for f in world.lms.enrol(rows)}
    # an unknown user: "invalidrecordunknown" with debugging off, "invaliduser" with DEVELOPER debugging (lab)
    assert failures.pop(bad[0]) in {"invalidrecordunknown", "invaliduser"}
    assert failures == {
        bad[1]: "invalidparameter",
        bad[2]: "wsnoinstance",
        bad[3]: "wsusercannotassign",
    }
    assert {e.user_id for e in world.lms.list_enrolled(c.id)} == {r.user_id for r in good}


def test_enrol_nothing(world: World) -> None:
    assert world.lms.enrol([]) == []


def test_grades_list_students_only_graded_or_not(world: World) -> None:
    s, t, n = world.seed.add_user("s"), world.seed.add_user("t"), world.seed.add_user("n")
    c = world.seed.add_course("C1")
    world.seed.add_grade_item(c.id, "final", pass_grade=60)
    world.lms.enrol([Enrolment(s.id, c.id), Enrolment(t.id, c.id, role_id=3), Enrolment(n.id, c.id)])
    world.seed.set_grade(c.id, s.id, 59.5, item="final", graded_at=1700000000)
    world.seed.set_grade(c.id, t.id, 90, item="final")
    world.seed.set_grade(c.id, s.id, 72, graded_at=1700000001)  # the course total
    rows = {r.user_id: r for r in world.lms.list_grades(c.id, "final")}
    assert set(rows) == {s.id, n.id}
    assert (rows[s.id].grade, rows[s.id].grade_max, rows[s.id].graded_at) == (59.5, 100.0, 1700000000)
    assert rows[n.id].grade is None
    totals = {r.user_id: r.grade for r in world.lms.list_grades(c.id)}
    assert totals == {s.id: 72.0, n.id: None}


def test_grades_above_max_are_clamped(world: World) -> None:
    s, c = world.seed.add_user("s"), world.seed.add_course("C1")
    world.seed.add_grade_item(c.id, "final")
    world.lms.enrol([Enrolment(s.id, c.id)])
    world.seed.set_grade(c.id, s.id, 150, item="final")
    assert [r.grade for r in world.lms.list_grades(c.id, "final")] == [100.0]


def test_grades_of_a_course_without_students(world: World) -> None:
    c = world.seed.add_course("C1")
    assert world.lms.list_grades(c.id) == []


def test_missing_final_item_and_missing_course(world: World) -> None:
    s, c = world.seed.add_user("s"), world.seed.add_course("C1")
    world.lms.enrol([Enrolment(s.id, c.id)])
    with pytest.raises(LmsNotFound):
        world.lms.list_grades(c.id, "no-such-item")
    with pytest.raises(LmsNotFound):
        world.lms.find_pass_grade(c.id, "no-such-item")
    with pytest.raises(LmsNotFound):
        world.lms.list_grades(99999)
    with pytest.raises(LmsNotFound):
        world.lms.list_enrolled(99999)


def test_pass_grade_only_for_a_named_item(world: World) -> None:
    c = world.seed.add_course("C1")
    world.seed.add_grade_item(c.id, "final", pass_grade=60)
    world.seed.add_grade_item(c.id, "essay")
    assert world.lms.find_pass_grade(c.id, "final") == 60.0
    assert world.lms.find_pass_grade(c.id, "essay") is None
    assert world.lms.find_pass_grade(c.id) is None  # the course total's is not readable


def test_completions_of_one_user_across_courses(world: World) -> None:
    u = world.seed.add_user("u")
    done, todo = world.seed.add_course("C1"), world.seed.add_course("C2")
    untracked = world.seed.add_course("C3", completion_tracked=False)
    world.lms.enrol([Enrolment(u.id, c.id) for c in (done, todo, untracked)])
    world.seed.complete(done.id, u.id)
    world.seed.complete(untracked.id, u.id)
    rows = world.lms.list_completions(u.id)
    assert set(rows) == {done.id, todo.id, untracked.id}
    assert (rows[done.id].completed, rows[done.id].tracked) == (True, True)
    assert (rows[todo.id].completed, rows[todo.id].tracked) == (False, True)
    assert (rows[untracked.id].completed, rows[untracked.id].tracked) == (False, False)
    assert world.lms.list_completions(99999) == {}  # Moodle answers [] for an unknown user, no error


def test_route_links_in_one_batch_isolate_an_unknown_user(world: World) -> None:
    users = [world.seed.add_user(f"t{i}") for i in range(5)]
    url = "https://iom.example.org/card/74-2026-{:04d}".format
    links = [(u.id, url(i)) for i, u in enumerate(users[:2])]
    links += [(99999, url(99)), *((u.id, url(i)) for i, u in enumerate(users[2:], start=2))]
    failures = world.lms.set_route_links(links)
    assert [(f.user_id, f.url, f.errorcode) for f in failures] == [(99999, url(99), "invaliduserid")]
    assert failures[0].message
    for i, u in enumerate(users):  # the good rows landed: a lookup by the stored link finds the user's link
        assert world.seed.route_link(u.id) == url(i)
    assert world.lms.set_route_links([]) == []


def test_messages(world: World) -> None:
    u = world.seed.add_user("u")
    world.lms.send_message(u.id, "Ваш маршрут утверждён")
    with pytest.raises(LmsResponseError):
        world.lms.send_message(99999, "x")


def test_messages_in_one_batch_land_and_refusals_come_back_per_recipient(world: World) -> None:
    users = [world.seed.add_user(f"msg{i}") for i in range(4)]
    gone, blocked = users[1], users[2]
    world.seed.delete_user(gone.id)  # left the LMS
    world.seed.block_messages(blocked.id)
    texts = {u.id: f"Событие для {u.username}: 12.12.2026, очно" for u in users}
    failures = world.lms.send_messages([OutMessage(u.id, texts[u.id]) for u in users])
    refused = {f.message.user_id: f.gone for f in failures}
    assert refused.get(gone.id) is True
    # a user whose preferences refuse us is a refusal, not "gone" (a site account allowed to message
    # everyone, as Moodle's readallmessages gives, still reaches them: then the message is there)
    assert refused.get(blocked.id) is False or world.seed.messages_to(blocked.id) == [texts[blocked.id]]
    assert all(f.reason for f in failures)
    for u in (users[0], users[3]):
        assert world.seed.messages_to(u.id) == [texts[u.id]]
    # looked up first: what is already there is not sent again, what is not is sent
    again = [OutMessage(u.id, texts[u.id], look_first=True) for u in (users[0], users[3])]
    again.append(OutMessage(users[0].id, "Второе сообщение", look_first=True))
    assert world.lms.send_messages(again) == []
    assert world.seed.messages_to(users[0].id) == [texts[users[0].id], "Второе сообщение"]
    assert world.seed.messages_to(users[3].id) == [texts[users[3].id]]
    assert world.lms.send_messages([]) == []


def test_learning_plans_are_idempotent(world: World) -> None:
    u, c = world.seed.add_user("u"), world.seed.add_course("C1")
    comps = world.lms.ensure_framework("IOM-DEFICITS", "Дефициты", {"D1": "Оценивание", "D2": "Цифра"})
    assert {code: x.idnumber for code, x in comps.items()} == {"D1": "D1", "D2": "D2"}
    assert world.lms.ensure_framework("IOM-DEFICITS", "Дефициты", {"D1": "Оценивание"}) == {"D1": comps["D1"]}
    ids = [comps["D1"].id, comps["D2"].id]
    plan = world.lms.ensure_plan(u.id, "ИОМ 74-2026-0001", "https://iom.example.org/card/1", ids)
    assert (plan.user_id, plan.status, plan.competency_ids) == (u.id, 1, frozenset(ids))
    again = world.lms.ensure_plan(u.id, "ИОМ 74-2026-0001", "https://iom.example.org/card/1", ids[:1])
    assert (again.id, again.competency_ids) == (plan.id, frozenset(ids))
    assert world.lms.link_course_competencies(c.id, ids) == 2
    assert world.lms.link_course_competencies(c.id, ids) == 0
