from __future__ import annotations

from dataclasses import replace

from lms_bridge.errors import LmsError
from lms_bridge.services.sync_attach import sync_attach
from lms_bridge.services.sync_common import SyncOptions
from tests.jobs.conftest import CURATOR, DEV, NOW, World, number

OPTS = SyncOptions(public_url="https://iom.example.ru/", batch=2)
LINKS_ONLY = replace(OPTS, plans=False)


def test_attach_links_people_and_sets_card_links_once(world: World) -> None:
    report = sync_attach(world.lms, world.store, now=NOW, options=OPTS)
    assert report.exit_code == 0
    links = world.store.list_links()
    assert links["teacher1@school.ru"].lms_user_id == world.user(1).id
    assert links[CURATOR].lms_user_id == world.curator.id
    assert world.lms.route_links[world.user(3).id] == f"https://iom.example.ru/card/{number(3)}"
    assert report.counts["linked"] == 5
    assert report.counts["card_links"] == 4
    assert world.lms.calls["find_users"] == 3  # 5 e-mails, 2 per call
    assert world.lms.ws_calls["core_user_update_users"] == 2  # 4 card links, 2 per call
    assert {t.state for t in world.store.list_transmissions("link").values()} == {"done"}

    calls = world.lms.total_calls
    again = sync_attach(world.lms, world.store, now=NOW, options=OPTS)
    assert world.lms.total_calls == calls  # nothing looked up or sent twice
    assert again.counts["linked_before"] == 5
    assert again.counts["card_links_before"] == 4
    assert again.counts["linked"] == 0
    assert again.counts["card_links"] == 0


def test_missing_and_ambiguous_accounts_are_reported_and_retried(world: World) -> None:
    del world.lms.users[world.user(2).id]
    world.lms.add_user("t3-duplicate", "teacher3@school.ru")
    report = sync_attach(world.lms, world.store, now=NOW, options=OPTS)
    codes = {(p.subject, p.code) for p in report.problems}
    assert codes == {("teacher2@school.ru", "nouser"), ("teacher3@school.ru", "severalusers")}
    assert report.exit_code == 1
    links = world.store.list_links()
    assert links["teacher2@school.ru"].lms_user_id is None
    assert links["teacher2@school.ru"].matches == 0
    assert links["teacher3@school.ru"].matches == 2
    assert world.user(3).id not in world.lms.route_links  # no card link for an ambiguous account

    world.lms.add_user("t2-new", "teacher2@school.ru")
    before = world.lms.calls["find_users"]
    again = sync_attach(world.lms, world.store, now=NOW, options=OPTS)
    assert world.lms.calls["find_users"] == before + 1  # only the two unresolved are looked up again
    assert world.store.list_links()["teacher2@school.ru"].lms_user_id is not None
    assert [p.code for p in again.problems] == ["severalusers"]


def test_lookup_is_exact_about_case(world: World) -> None:
    del world.lms.users[world.user(1).id]
    world.lms.add_user("t1", "Teacher1@School.ru")
    report = sync_attach(world.lms, world.store, now=NOW, options=OPTS)
    assert ("teacher1@school.ru", "nouser") in {(p.subject, p.code) for p in report.problems}


def test_changed_public_url_resends_the_card_link(world: World) -> None:
    sync_attach(world.lms, world.store, now=NOW, options=OPTS)
    sync_attach(world.lms, world.store, now=NOW, options=SyncOptions(public_url="https://new.example.ru"))
    assert world.lms.route_links[world.user(1).id] == f"https://new.example.ru/card/{number(1)}"


def test_attach_makes_one_learning_plan_per_route_with_its_deficits(world: World) -> None:
    sync_attach(world.lms, world.store, now=NOW, options=OPTS)
    (plan,) = [p for p in world.lms.plans.values() if p.user_id == world.user(1).id]
    assert plan.name == f"ИОМ {number(1)}"
    assert plan.status == 1
    assert f"https://iom.example.ru/card/{number(1)}" in plan.description
    codes = {world.lms.competencies[c].idnumber for c in plan.competency_ids}
    assert codes == set(world.route(1).diagnostic.deficit_codes)
    calls = world.lms.calls["ensure_plan"]
    sync_attach(world.lms, world.store, now=NOW, options=OPTS)
    assert world.lms.calls["ensure_plan"] == calls
    assert len(world.lms.plans) == 4


def test_plans_can_be_switched_off(world: World) -> None:
    sync_attach(world.lms, world.store, now=NOW, options=SyncOptions(plans=False))
    assert world.lms.plans == {}
    assert world.lms.calls["ensure_framework"] == 0
    assert len(world.lms.route_links) == 4


def test_a_refused_card_link_fails_alone_and_is_resent_next_run(world: World) -> None:
    dry = sync_attach(world.lms, world.store, now=NOW, options=SyncOptions(dry_run=True))
    with world.store.transaction():  # linked on an earlier run, so not looked up again
        world.store.save_links(list(dry.planned_links.values()))
    del world.lms.users[world.user(2).id]  # the account went away after it was linked
    report = sync_attach(world.lms, world.store, now=NOW, options=LINKS_ONLY)
    assert [(p.subject, p.code) for p in report.problems] == [(number(2), "invaliduserid")]
    assert report.counts["card_links"] == 3
    assert report.exit_code == 1
    tx = world.store.list_transmissions("link")
    assert {k[0]: t.state for k, t in tx.items()} == {
        number(1): "done",
        number(2): "failed",
        number(3): "done",
        number(4): "done",
    }
    assert tx[(number(2), "", "", "link")].error_code == "invaliduserid"
    assert world.user(2).id not in world.lms.route_links

    world.lms.users[world.user(2).id] = world.user(2)  # restored: only the refused link goes again
    calls = world.lms.ws_calls["core_user_update_users"]
    again = sync_attach(world.lms, world.store, now=NOW, options=LINKS_ONLY)
    assert world.lms.ws_calls["core_user_update_users"] == calls + 1
    assert again.counts["card_links"] == 1
    assert again.counts["card_links_before"] == 3
    assert world.store.list_transmissions("link")[(number(2), "", "", "link")].attempts == 2
    assert world.lms.route_links[world.user(2).id] == f"https://iom.example.ru/card/{number(2)}"


def test_a_failed_link_call_fails_its_batch_and_records_the_others(world: World) -> None:
    world.lms.fail("set_route_links", LmsError("Moodle недоступен", errorcode="servererror"), after=1)
    report = sync_attach(world.lms, world.store, now=NOW, options=SyncOptions(batch=2, plans=False))
    assert report.counts["card_links"] == 2
    assert report.failed == 2
    assert {p.code for p in report.problems} == {"servererror"}
    states = [t.state for t in world.store.list_transmissions("link").values()]
    assert sorted(states) == ["done", "done", "failed", "failed"]
    again = sync_attach(world.lms, world.store, now=NOW, options=SyncOptions(batch=2, plans=False))
    assert again.counts["card_links"] == 2
    assert len(world.lms.route_links) == 4


def course_links(world: World) -> dict[str, set[str]]:
    """Course ref → deficit codes of the competencies linked to it with outcome "complete"."""
    by_id = {c.id: ref for ref, c in world.courses.items()}
    out: dict[str, set[str]] = {}
    for (course_id, comp_id), outcome in world.lms.course_competencies.items():
        assert outcome == 3
        out.setdefault(by_id[course_id], set()).add(world.lms.competencies[comp_id].idnumber)
    return out


def test_attach_links_each_course_to_the_competencies_of_its_deficits_once(world: World) -> None:
    report = sync_attach(world.lms, world.store, now=NOW, options=OPTS)
    # PK-DIG addresses Ц3.1 but no route takes it: it is left alone
    assert course_links(world) == {"PK-MATH": {"П1.1"}, "PK-METH": {"М2.3", "П1.1"}}
    assert report.counts["course_competencies"] == 2
    # the course's competency is the one in the plan: completing the course rates the plan
    (plan,) = [p for p in world.lms.plans.values() if p.user_id == world.user(1).id]
    math = world.courses["PK-MATH"].id
    assert {c for (course, c) in world.lms.course_competencies if course == math} <= plan.competency_ids
    txs = world.store.list_transmissions("competency")
    assert {(k[2], t.state, t.lms_course_id, t.detail) for k, t in txs.items()} == {
        ("PK-MATH", "done", math, "П1.1"),
        ("PK-METH", "done", world.courses["PK-METH"].id, "М2.3,П1.1"),
    }

    calls = world.lms.total_calls
    again = sync_attach(world.lms, world.store, now=NOW, options=OPTS)
    assert world.lms.total_calls == calls
    assert again.counts["course_competencies_before"] == 2


def test_changed_course_map_codes_relink_that_course_only(world: World) -> None:
    sync_attach(world.lms, world.store, now=NOW, options=OPTS)
    entries = [
        replace(e, deficit_codes=("П1.1", "Р4.2")) if e.lms_course == "PK-MATH" else e
        for e in world.store.list_course_map()
    ]
    world.store.replace_course_map(entries, DEV)
    report = sync_attach(world.lms, world.store, now=NOW, options=OPTS)
    assert report.counts["course_competencies"] == 1
    assert report.counts["course_competencies_before"] == 1
    assert course_links(world)["PK-MATH"] == {"П1.1", "Р4.2"}


def test_a_course_missing_in_the_lms_or_failing_is_reported_and_linked_next_run(world: World) -> None:
    del world.lms.courses[world.courses["PK-METH"].id]
    world.lms.fail("link_course_competencies")  # PK-MATH's call fails once
    report = sync_attach(world.lms, world.store, now=NOW, options=OPTS)
    assert {(p.subject, p.code) for p in report.problems} == {
        ("PK-MATH", "testfailure"),
        ("PK-METH", "nocourse"),
    }
    assert {t.state for t in world.store.list_transmissions("competency").values()} == {"failed"}

    again = sync_attach(world.lms, world.store, now=NOW, options=OPTS)
    assert [p.code for p in again.problems] == ["nocourse"]
    assert course_links(world) == {"PK-MATH": {"П1.1"}}
    assert world.store.list_transmissions("competency")[("", "", "PK-MATH", "competency")].attempts == 2


def test_dry_run_names_the_course_links_and_sends_nothing(world: World) -> None:
    sync_attach(world.lms, world.store, now=NOW, options=OPTS)
    world.lms.course_competencies.clear()
    world.store.replace_course_map(
        [replace(e, deficit_codes=(*e.deficit_codes, "Р4.2")) for e in world.store.list_course_map()], DEV
    )
    report = sync_attach(world.lms, world.store, now=NOW, options=replace(OPTS, dry_run=True))
    assert "компетенции курса PK-MATH: П1.1, Р4.2" in report.planned
    assert world.lms.course_competencies == {}
