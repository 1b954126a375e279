"""``notify events`` through ``MoodleLms`` on the Moodle simulator: batches mixing a deleted user (Moodle 5.1
raises for such a batch after sending the good messages), answers lost after the send ran, and a process
killed after the send ran — every teacher gets each event once and the deleted one is reported."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from lms_bridge.adapters.moodle.lms import MoodleLms
from lms_bridge.adapters.moodle.transport import MoodleClient, RetryPolicy
from lms_bridge.ports import NoticeKind, NoticeState
from lms_bridge.services.notify_events import notify_events
from lms_bridge.services.sync_common import JobReport
from moodle_sim import SimConfig, SimState, create_sim_app
from moodle_sim.seed import seed_staff
from tests.fakes.sim_http import SimSeed
from tests.jobs.notify_world import DUE, OPTS, TODAY, link_all, notice_world, with_curator

BASE = "http://sim.example.org/moodle"
TOKEN = "notify-sim-token"
SEND = "core_message_send_instant_messages"
N = 5


class Killed(BaseException):
    """The process dies: nothing in the job may catch it."""


class Sim:
    def __init__(self, *, kill_after: int = 0, lose_answer: int = 0):
        self.state = SimState()
        seed_staff(self.state)
        self.seed = SimSeed(self.state)
        self.web = create_sim_app(SimConfig(token=TOKEN, site_url=BASE), self.state).test_client()
        client = MoodleClient(BASE, TOKEN, retry=RetryPolicy(attempts=3), sleep=lambda _s: None)
        self.lms = MoodleLms(client, parallel=1)
        self.sends = 0
        self.kill_after, self.lose_answer = kill_after, lose_answer

    def forward(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        fn = parse_qs(str(request.body))["wsfunction"][0]
        path = urlsplit(request.url or "").path.removeprefix("/moodle")
        answer = self.web.post(path, data=request.body, content_type=request.headers["Content-Type"])
        if fn == SEND:
            self.sends += 1
            if self.sends == self.kill_after:
                raise Killed(f"killed after send {self.sends} ran")
            if self.sends == self.lose_answer:
                raise requests.ReadTimeout("the answer was lost after the send ran")
        return answer.status_code, {"Content-Type": answer.content_type}, answer.get_data()

    def texts(self) -> Counter[tuple[int, str]]:
        return Counter((m.useridto, m.text) for m in self.state.messages)


@pytest.mark.parametrize(("kill_after", "lose_answer"), [(0, 0), (0, 1), (2, 0), (1, 3)])
def test_every_teacher_gets_each_event_once_whatever_breaks(
    tmp_path: Path, kill_after: int, lose_answer: int
) -> None:
    store, notices = notice_world(tmp_path, N)
    sim = Sim(kill_after=kill_after, lose_answer=lose_answer)
    users = {
        f"teacher{i}@school.ru": sim.seed.add_user(f"t{i}", f"teacher{i}@school.ru").id for i in range(1, 6)
    }
    curator = sim.seed.add_user("methodist").id
    link_all(store, with_curator(dict(users), curator))
    gone = users["teacher2@school.ru"]
    sim.seed.delete_user(gone)  # left the LMS after attach linked them

    def run() -> JobReport:
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            mock.add_callback(responses.POST, BASE + "/webservice/rest/server.php", callback=sim.forward)
            return notify_events(sim.lms, store, notices, today=TODAY, days_before=14, options=OPTS)

    reports, kills = [], 0
    for _ in range(3):  # a cron run, then the runs after a kill
        try:
            reports.append(run())
        except Killed:
            kills += 1
            continue
        break
    assert (kills, len(reports)) == ((1 if kill_after else 0), 1)
    texts = sim.texts()
    assert all(count == 1 for count in texts.values()), texts
    for email, uid in users.items():
        assert sum(1 for u, _ in texts if u == uid) == (0 if uid == gone else len(DUE)), email
    assert sum(1 for u, _ in texts if u == curator) == 1
    refused = notices.list_notices(NoticeKind.EVENT)[("teacher2@school.ru", "EV-SEM")]
    assert refused.state is NoticeState.REFUSED
    assert "doesn't exist" in refused.error
    assert any(p.code == "gone" for r in reports for p in r.problems)
    store.engine.dispose()
