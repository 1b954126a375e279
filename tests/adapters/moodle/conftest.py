from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses

from lms_bridge.adapters.moodle.lms import MoodleLms
from lms_bridge.adapters.moodle.transport import MoodleClient, RetryPolicy
from tests.fakes.sim_http import BASE, TOKEN, SimMoodle


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def fake(rsps: responses.RequestsMock) -> SimMoodle:
    return SimMoodle().install(rsps)


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(fake: SimMoodle, sleeps: list[float]) -> MoodleClient:  # noqa: ARG001 (fake: Moodle served)
    return MoodleClient(
        BASE, TOKEN, retry=RetryPolicy(attempts=3, base_delay=1.0), sleep=sleeps.append, jitter=lambda: 1.0
    )


@pytest.fixture
def lms(client: MoodleClient) -> MoodleLms:
    return MoodleLms(client, parallel=3)
