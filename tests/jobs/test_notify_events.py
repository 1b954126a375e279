"""``notify events`` on InMemoryLms: who is told what, once; refusals reported and not retried; kills resume
to the state of an uninterrupted run without a message sent twice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest

from lms_bridge.adapters.memory import InMemoryLms
from lms_bridge.errors import LmsUnavailable
from lms_bridge.ports import MessageFailure, NoticeKind, NoticeState, OutMessage
from lms_bridge.services.notify_events import MAX_ATTEMPTS, notify_events
from lms_bridge.services.sync_common import JobReport, Progress, SyncOptions
from tests.jobs.notify_world import DUE, OPTS, TODAY, link_all, notice_world, with_curator

N = 4


class Killed(Exception):
    pass


class World:
    def __init__(self, tmp_path: Path, name: str = "w", lms: InMemoryLms | None = None):
        self.store, self.notices = notice_world(tmp_path, N, name)
        self.lms = lms or InMemoryLms()
        self.users = {f"teacher{i}@school.ru": self.lms.add_user(f"t{i}").id for i in range(1, N + 1)}
        self.curator = self.lms.add_user("methodist").id
        link_all(self.store, with_curator(dict(self.users), self.curator))

    def run(self, *, today=TODAY, options: SyncOptions = OPTS, progress: Progress | None = None) -> JobReport:
        return notify_events(
            self.lms,
            self.store,
            self.notices,
            today=today,
            days_before=14,
            options=options,
            progress=progress,
        )

    def received(self) -> list[tuple[int, str]]:
        return sorted(self.lms.messages)


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)


def test_each_teacher_is_told_about_each_due_event_once(world: World) -> None:
    report = world.run()
    assert report.exit_code == 0
    assert report.counts["event_sent"] == N * len(DUE)
    for email, uid in world.users.items():
        texts = world.lms.messages_to(uid)
        assert len(texts) == len(DUE), email
        number = f"74-2026-{int(email[7]):06d}"
        seminar = next(t for t in texts if "EV-SEM" in t)
        assert "«Семинар EV-SEM»" in seminar
        assert f"Дата: {TODAY + timedelta(days=5):%d.%m.%Y}" in seminar
        assert "Формат: очная" in seminar
        assert f"Карта ИОМ: https://iom.example.org/card/{number}" in seminar
        assert not any(ref in t for t in texts for ref in ("EV-FAR", "EV-OTHER", "EV-PAST"))
    before = world.received()
    again = world.run()
    assert world.received() == before
    assert again.counts["event_sent"] == again.counts["digest_sent"] == 0


def test_the_curator_gets_one_digest_a_week_with_events_and_overdue_items(world: World) -> None:
    world.run()
    (digest,) = world.lms.messages_to(world.curator)
    assert "Предстоящие мероприятия" in digest
    assert "Иванова1 М.П. (74-2026-000001): «Семинар EV-SEM»" in digest
    assert "Просрочено" in digest
    assert "«Курс PK-MATH», срок 30.11.2026" in digest
    world.run(today=TODAY + timedelta(days=1))  # same ISO week
    assert len(world.lms.messages_to(world.curator)) == 1
    world.run(today=TODAY + timedelta(days=7))  # next week: a new digest
    assert len(world.lms.messages_to(world.curator)) == 2


def test_refused_recipients_are_reported_once_and_never_retried(world: World) -> None:
    world.lms.delete_user(world.users["teacher2@school.ru"])  # left the LMS
    world.lms.block_messages(world.users["teacher3@school.ru"])
    report = world.run()
    codes = {(p.subject, p.code) for p in report.problems}
    assert ("teacher2@school.ru", "gone") in codes
    assert ("teacher3@school.ru", "cantmessage") in codes
    assert report.exit_code == 0  # not the LMS failing: nothing to retry
    refused = world.notices.list_notices(NoticeKind.EVENT)
    assert refused[("teacher3@school.ru", "EV-SEM")].state is NoticeState.REFUSED
    assert "не принимает сообщения" in refused[("teacher3@school.ru", "EV-SEM")].error
    calls = world.lms.calls["send_messages"]
    again = world.run()
    assert world.lms.calls["send_messages"] == calls  # nothing left to send: no call at all
    assert not again.problems


def test_a_teacher_without_an_lms_account_waits_and_is_told_once_linked(world: World) -> None:
    link_all(world.store, {"teacher4@school.ru": None})
    report = world.run()
    assert ("teacher4@school.ru", "nouser") in {(p.subject, p.code) for p in report.problems}
    uid = world.users["teacher4@school.ru"]
    assert world.lms.messages_to(uid) == []
    link_all(world.store, {"teacher4@school.ru": uid})
    world.run()
    assert len(world.lms.messages_to(uid)) == len(DUE)


def test_a_failing_lms_is_retried_on_later_runs_then_given_up(world: World) -> None:
    world.lms.fail("send_messages", LmsUnavailable("СДО недоступна", errorcode="unavailable"), times=-1)
    for run in range(1, MAX_ATTEMPTS + 1):
        report = world.run()
        assert report.exit_code == 1
        states = {n.state for n in world.notices.list_notices(NoticeKind.EVENT).values()}
        assert states == {NoticeState.GAVE_UP if run == MAX_ATTEMPTS else NoticeState.FAILED}
    calls = world.lms.calls["send_messages"]
    assert world.run().exit_code == 0
    assert world.lms.calls["send_messages"] == calls


def test_a_dry_run_writes_and_sends_nothing(world: World) -> None:
    report = world.run(options=SyncOptions(batch=2, dry_run=True))
    assert len(report.planned) == N * len(DUE) + 1  # and the curator's digest
    assert world.lms.messages == []
    assert world.notices.list_notices(NoticeKind.EVENT) == {}


class AnswerLost(InMemoryLms):
    """Sends, then dies before the answer is back (the n-th call): the messages are in the LMS, unrecorded."""

    def __init__(self, at_call: int):
        super().__init__()
        self.at_call = at_call

    def send_messages(self, messages: Sequence[OutMessage]) -> list[MessageFailure]:
        failures = super().send_messages(messages)
        if self.calls["send_messages"] == self.at_call:
            raise Killed("killed after the send ran")
        return failures


def final_state(w: World) -> tuple[object, ...]:
    rows = sorted(
        (n.kind, n.recipient, n.subject, n.state, n.text)
        for kind in NoticeKind
        for n in w.notices.list_notices(kind).values()
    )
    return tuple(rows), tuple(w.received())


def kill_after(k: int) -> Progress:
    def progress(done: int, _total: int) -> None:
        if done >= k:
            raise Killed(f"killed after {done}")

    return progress


@pytest.mark.parametrize("mode", ["between batches", "before the send", "after the send"])
def test_killed_runs_resume_to_the_uninterrupted_state(tmp_path: Path, mode: str) -> None:
    reference = World(tmp_path, "reference")
    reference.run()
    world = World(tmp_path, "killed", AnswerLost(at_call=2) if mode == "after the send" else None)
    if mode == "before the send":
        world.lms.fail("send_messages", Killed("killed before the send"), after=1)
    with pytest.raises(Killed):
        world.run(progress=kill_after(3) if mode == "between batches" else None)
    uncertain = [
        n for n in world.notices.list_notices(NoticeKind.EVENT).values() if n.state is NoticeState.SENT
    ]
    assert uncertain or mode == "between batches"
    assert world.run().exit_code == 0
    assert final_state(world) == final_state(reference)
    assert len(set(world.lms.messages)) == len(world.lms.messages)  # nothing sent twice
