from __future__ import annotations

from lms_bridge.domain.vocabulary import RouteStatus
from lms_bridge.ports import Enrolment
from lms_bridge.services.sync_attach import sync_attach
from lms_bridge.services.sync_common import SyncOptions, day_end, day_start
from lms_bridge.services.sync_enrol import sync_enrol
from tests.jobs.conftest import NOW, World, number, unconfirm

OPTS = SyncOptions(batch=2)


def attached(world: World) -> World:
    sync_attach(world.lms, world.store, now=NOW, options=OPTS)
    world.lms.calls.clear()  # the enrol tests count the enrol job's calls only
    world.lms.ws_calls.clear()
    return world


def test_enrol_sends_each_confirmed_item_once_with_dates_and_starts_routes(world: World) -> None:
    attached(world)
    report = sync_enrol(world.lms, world.store, now=NOW, options=OPTS)
    assert report.exit_code == 0
    assert report.counts["enrolled"] == 8
    assert world.lms.calls["find_course"] == 2
    assert world.lms.calls["list_enrolled"] == 2
    assert world.lms.calls["enrol"] == 4  # 4 rows per course, 2 rows per call
    math = world.courses["PK-MATH"]
    enrolled = {e.user_id: e for e in world.lms.list_enrolled(math.id)}
    tz = OPTS.tz
    first = world.route(1).activity("1")
    assert first.start is not None
    assert first.end is not None
    assert (enrolled[world.user(1).id].start, enrolled[world.user(1).id].end) == (
        day_start(first.start, tz),
        day_end(first.end, tz),
    )
    assert enrolled[world.user(1).id].role_ids == frozenset({5})
    assert all(world.route(i).status is RouteStatus.IN_PROGRESS for i in range(1, 5))
    assert all(world.route(i).started_on == NOW.date() for i in range(1, 5))  # the actual start (004)
    assert report.counts["started"] == 4
    assert any(e.action == "start" for e in world.store.list_audit(number(1)))

    calls = world.lms.total_calls
    again = sync_enrol(world.lms, world.store, now=NOW, options=OPTS)
    assert world.lms.total_calls == calls
    assert again.counts["enrolled_before"] == 8
    assert again.counts["enrolled"] == 0


def test_only_applications_confirmed_by_head_and_centre_are_enrolled(world: World) -> None:
    attached(world)
    unconfirm(world.store, 1, "1")  # head confirmed, centre not yet
    unconfirm(world.store, 2, "2", centre_only=False)
    sync_enrol(world.lms, world.store, now=NOW, options=OPTS)
    math = {e.user_id for e in world.lms.list_enrolled(world.courses["PK-MATH"].id)}
    meth = {e.user_id for e in world.lms.list_enrolled(world.courses["PK-METH"].id)}
    assert world.user(1).id not in math
    assert world.user(1).id in meth
    assert world.user(2).id in math
    assert world.user(2).id not in meth


def test_existing_enrolment_is_never_resent(world: World) -> None:
    """Moodle's re-enrol without dates clears them and without suspend reactivates the user."""
    attached(world)
    math = world.courses["PK-MATH"]
    world.lms.enrol([Enrolment(world.user(1).id, math.id, start=1000, end=2000)])
    world.lms.suspend(math.id, world.user(1).id)
    report = sync_enrol(world.lms, world.store, now=NOW, options=OPTS)
    (kept,) = [e for e in world.lms.list_enrolled(math.id) if e.user_id == world.user(1).id]
    assert (kept.start, kept.end, kept.suspended) == (1000, 2000, True)
    assert report.counts["already_enrolled"] == 1
    assert report.counts["enrolled"] == 7
    tx = world.store.list_transmissions("enrol")[(number(1), "1", "PK-MATH", "enrol")]
    assert tx.state == "done"
    assert tx.lms_user_id == world.user(1).id


def test_bad_rows_are_isolated_reported_and_retried(world: World) -> None:
    attached(world)
    del world.lms.users[world.user(2).id]  # the account was deleted after attach
    report = sync_enrol(world.lms, world.store, now=NOW, options=OPTS)
    assert report.exit_code == 1
    assert {(p.subject, p.code) for p in report.problems} == {(number(2), "invalidrecordunknown")}
    assert report.counts["enrolled"] == 6
    assert world.route(2).status is RouteStatus.APPROVED  # nothing landed for route 2
    tx = world.store.list_transmissions("enrol")[(number(2), "1", "PK-MATH", "enrol")]
    assert (tx.state, tx.error_code, tx.attempts) == ("failed", "invalidrecordunknown", 1)
    again = sync_enrol(world.lms, world.store, now=NOW, options=OPTS)
    assert again.counts["failed"] == 2
    assert again.counts["enrolled_before"] == 6
    assert world.store.list_transmissions("enrol")[tx.key].attempts == 2


def test_course_missing_in_lms_and_teacher_without_account(world: World) -> None:
    del world.lms.courses[world.courses["PK-METH"].id]
    del world.lms.users[world.user(4).id]
    attached(world)
    report = sync_enrol(world.lms, world.store, now=NOW, options=OPTS)
    codes = sorted({p.code for p in report.problems})
    assert codes == ["nocourse", "nouser"]
    assert report.counts["enrolled"] == 3  # PK-MATH for teachers 1..3


def test_lms_outage_fails_the_course_not_the_run(world: World) -> None:
    from lms_bridge.errors import LmsUnavailable

    attached(world)
    world.lms.fail("list_enrolled", LmsUnavailable("timeout", errorcode=None), times=1)
    report = sync_enrol(world.lms, world.store, now=NOW, options=SyncOptions(parallel=1))
    assert report.counts["failed"] == 4
    assert report.counts["enrolled"] == 4
    again = sync_enrol(world.lms, world.store, now=NOW, options=OPTS)
    assert again.exit_code == 0
    assert again.counts["enrolled"] == 4


def test_a_bad_token_stops_the_run_instead_of_failing_every_item(world: World) -> None:
    import pytest

    from lms_bridge.errors import LmsAuthError

    attached(world)
    world.lms.fail("list_enrolled", LmsAuthError("Invalid token", errorcode="invalidtoken"), times=-1)
    with pytest.raises(LmsAuthError):
        sync_enrol(world.lms, world.store, now=NOW, options=OPTS)
    assert world.store.list_transmissions("enrol") == {}
