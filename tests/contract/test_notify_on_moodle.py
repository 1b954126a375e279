"""``notify events`` on a real Moodle (the lab): the teachers' event messages and the curator's digest land in
Moodle's message table (read back through the lab's PHP, ``tests/moodle_lab.py``), a deleted account is
reported as gone, and a second run sends nothing. Skipped with the reason when no lab is configured."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from lms_bridge.adapters.moodle.lms import MoodleLms
from lms_bridge.adapters.moodle.transport import MoodleClient, RetryPolicy
from lms_bridge.ports import NoticeKind, NoticeState
from lms_bridge.services.notify_events import notify_events
from tests import moodle_lab
from tests.jobs.notify_world import DUE, OPTS, TODAY, link_all, notice_world, with_curator


@pytest.fixture
def seed(lab_seeder: moodle_lab.Seeder) -> Iterator[moodle_lab.LabSeed]:
    s = moodle_lab.LabSeed(lab_seeder)
    try:
        yield s
    finally:
        s.retire()


def test_event_messages_and_the_digest_appear_in_moodle(tmp_path: Path, seed: moodle_lab.LabSeed) -> None:
    run_id = uuid.uuid4().hex[:8]
    users = {
        f"teacher{i}@school.ru": seed.add_user(f"nt{i}-{run_id}", f"nt{i}-{run_id}@example.org").id
        for i in range(1, 4)
    }
    curator = seed.add_user(f"ncur-{run_id}", f"ncur-{run_id}@example.org").id
    store, notices = notice_world(tmp_path, 3)
    link_all(store, with_curator(dict(users), curator))
    gone = users["teacher3@school.ru"]
    seed.delete_user(gone)
    site = moodle_lab.site()
    lms = MoodleLms(MoodleClient(site.url, site.token, retry=RetryPolicy(attempts=2)), parallel=2)

    report = notify_events(lms, store, notices, today=TODAY, days_before=14, options=OPTS)

    assert report.counts["event_sent"] == 2 * len(DUE)
    for email in ("teacher1@school.ru", "teacher2@school.ru"):
        texts = seed.messages_to(users[email])
        assert len(texts) == len(DUE)
        assert any("«Семинар EV-SEM»" in t and "Формат: очная" in t for t in texts)
    (digest,) = seed.messages_to(curator)
    assert "Просрочено" in digest
    assert ("teacher3@school.ru", "gone") in {(p.subject, p.code) for p in report.problems}
    assert (
        notices.list_notices(NoticeKind.EVENT)[("teacher3@school.ru", "EV-SEM")].state is NoticeState.REFUSED
    )
    again = notify_events(lms, store, notices, today=TODAY, days_before=14, options=OPTS)
    assert again.counts["event_sent"] == again.counts["digest_sent"] == 0
    assert len(seed.messages_to(users["teacher1@school.ru"])) == len(DUE)
    store.engine.dispose()
