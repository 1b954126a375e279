"""MoodleClient: endpoint, encoding, error translation, retries, token hygiene."""

from __future__ import annotations

import logging

import pytest
import requests

from lms_bridge.adapters.moodle.transport import (
    MoodleClient,
    RateLimiter,
    RetryPolicy,
    endpoint_url,
    raise_for_warnings,
    redact,
    warnings_of,
)
from lms_bridge.errors import LmsAuthError, LmsError, LmsNotFound, LmsResponseError, LmsUnavailable
from tests.fakes.recorded import response_of
from tests.fakes.sim_http import BASE, TOKEN, SimMoodle


def test_posts_to_the_sub_path_with_fixed_fields_first(fake: SimMoodle, client: MoodleClient) -> None:
    body = client.call("core_user_get_users_by_field", field="email", values=["a@b.ru"])
    assert body == []
    assert client.url == "https://lms.example.org/moodle/webservice/rest/server.php"
    sent = fake.requests[0]
    assert sent[:3] == [
        ("wstoken", TOKEN),
        ("wsfunction", "core_user_get_users_by_field"),
        ("moodlewsrestformat", "json"),
    ]
    assert sent[3:] == [("field", "email"), ("values[0]", "a@b.ru")]


@pytest.mark.parametrize(
    ("base", "url"),
    [
        ("https://host/moodle/", "https://host/moodle/webservice/rest/server.php"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/webservice/rest/server.php"),
        (" https://host/a/b ", "https://host/a/b/webservice/rest/server.php"),
    ],
)
def test_endpoint_keeps_sub_paths(base: str, url: str) -> None:
    assert endpoint_url(base) == url


def test_endpoint_needs_a_scheme() -> None:
    with pytest.raises(ValueError, match="http"):
        endpoint_url("host/moodle")


def test_unicode_values_reach_moodle_intact(fake: SimMoodle, client: MoodleClient) -> None:
    course = fake.add_course("ДПП-МЕТ-01", "DPP-MET-01")
    body = client.call("core_course_get_courses_by_field", field="shortname", value="ДПП-МЕТ-01")
    assert [c["id"] for c in body["courses"]] == [course.id]


@pytest.mark.parametrize(
    ("case", "cls", "code"),
    [
        ("core_webservice_get_site_info__error_bad_token", LmsAuthError, "invalidtoken"),
        ("core_webservice_get_site_info__error_empty_token", LmsAuthError, "invalidtoken"),
        ("core_course_delete_courses__error_function_not_in_service", LmsAuthError, "accessexception"),
        ("enrol_manual_enrol_users__roleid_999_wsusercannotassign", LmsAuthError, "wsusercannotassign"),
        ("enrol_manual_enrol_users__missing_user_99999", LmsNotFound, "invalidrecordunknown"),
        ("enrol_manual_enrol_users__batch_missing_user_debug_developer", LmsNotFound, "invaliduser"),
        ("core_user_get_users_by_field__bad_field_error", LmsResponseError, "invalidparameter"),
        (
            "enrol_manual_enrol_users__course_without_manual_instance_wsnoinstance",
            LmsResponseError,
            "wsnoinstance",
        ),
        ("core_competency_approve_plan__already_active_error", LmsResponseError, "codingerror"),
    ],
)
def test_exception_bodies_map_by_errorcode(
    fake: SimMoodle, client: MoodleClient, case: str, cls: type[LmsError], code: str
) -> None:
    fake.queue("some_function", case)
    with pytest.raises(cls) as info:
        client.call("some_function")
    assert type(info.value) is cls
    assert info.value.errorcode == code
    assert info.value.wsfunction == "some_function"
    assert code in str(info.value)
    assert fake.calls["some_function"] == 1  # permanent: not retried


@pytest.mark.parametrize(
    ("exception", "code", "cls"),
    [
        ("moodle_exception", "invalidtoken", LmsAuthError),  # Moodle <= 4.4 class names
        ("required_capability_exception", "nopermissions", LmsAuthError),
        ("dml_missing_record_exception", "invalidrecord", LmsNotFound),
        ("dml_missing_record_exception", "invalidcourseid", LmsNotFound),
        ("invalid_parameter_exception", "invalidparameter", LmsResponseError),
    ],
)
def test_moodle_4x_exception_classes_are_keyed_on_errorcode(
    fake: SimMoodle, client: MoodleClient, exception: str, code: str, cls: type[LmsError]
) -> None:
    fake.queue(
        "f",
        (
            200,
            {"Content-Type": "application/json"},
            f'{{"exception":"{exception}","errorcode":"{code}","message":"m"}}',
        ),
    )
    with pytest.raises(cls):
        client.call("f")


def test_maintenance_mode_is_transient(fake: SimMoodle, client: MoodleClient, sleeps: list[float]) -> None:
    fake.queue(
        "core_webservice_get_site_info",
        (
            200,
            {"Content-Type": "application/json"},
            '{"exception":"moodle_exception","errorcode":"sitemaintenance","message":"m"}',
        ),
    )
    assert client.call("core_webservice_get_site_info")["sitename"] == "Moodle Lab"
    assert len(sleeps) == 1


@pytest.mark.parametrize(
    "case",
    [
        "core_grades_update_grades__courseid_mismatch_creates_stray_item",  # PHP notice before the result
        "core_webservice_get_site_info__json_body_not_supported",  # an XML answer
        "core_webservice_get_site_info__wrong_path_nosuch_php",  # HTTP 404 HTML page
        "core_webservice_get_site_info__wrong_path_webservice_rest_dir",
    ],
)
def test_non_json_and_wrong_path_are_permanent(fake: SimMoodle, client: MoodleClient, case: str) -> None:
    fake.queue("f", case)
    with pytest.raises(LmsResponseError):
        client.call("f")
    assert fake.calls["f"] == 1


def test_html_login_page_with_200_is_permanent(fake: SimMoodle, client: MoodleClient) -> None:
    fake.queue("f", (200, {"Content-Type": "text/html"}, "<!DOCTYPE html><html><body>Log in</body></html>"))
    with pytest.raises(LmsResponseError, match="не JSON"):
        client.call("f")
    assert fake.calls["f"] == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_5xx_is_retried_with_backoff_then_raised(
    fake: SimMoodle, client: MoodleClient, sleeps: list[float], status: int
) -> None:
    for _ in range(3):
        fake.queue("f", (status, {"Content-Type": "text/html"}, "<html><h1>502 Bad Gateway</h1></html>"))
    with pytest.raises(LmsUnavailable) as info:
        client.call("f")
    assert info.value.retryable
    assert fake.calls["f"] == 3
    assert sleeps == [1.0, 2.0]  # base 1 s, doubled, jitter factor 1


def test_proxy_error_page_then_success(fake: SimMoodle, client: MoodleClient) -> None:
    fake.queue("core_webservice_get_site_info", (503, {"Content-Type": "text/html"}, "<html>down</html>"))
    assert client.call("core_webservice_get_site_info")["release"] == "5.1+ (Build: 20251017)"
    assert fake.calls["core_webservice_get_site_info"] == 2


@pytest.mark.parametrize(
    "error",
    [
        requests.ReadTimeout("read timed out"),
        requests.ConnectTimeout("connect"),
        requests.ConnectionError("refused"),
    ],
)
def test_timeouts_and_connection_errors_are_retried(
    fake: SimMoodle, client: MoodleClient, error: Exception
) -> None:
    fake.queue("core_webservice_get_site_info", error)
    assert client.call("core_webservice_get_site_info")["sitename"] == "Moodle Lab"
    assert fake.calls["core_webservice_get_site_info"] == 2


def test_call_once_does_not_repeat_after_a_read_timeout(fake: SimMoodle, client: MoodleClient) -> None:
    fake.queue("f", requests.ReadTimeout("read timed out"))
    with pytest.raises(LmsUnavailable):
        client.call_once("f")
    assert fake.calls["f"] == 1


def test_call_once_retries_when_the_request_never_left(fake: SimMoodle, client: MoodleClient) -> None:
    fake.queue("core_webservice_get_site_info", requests.ConnectionError("refused"))
    assert client.call_once("core_webservice_get_site_info")["userid"] == 2


def test_retry_delays_grow_and_are_capped() -> None:
    policy = RetryPolicy(attempts=10, base_delay=0.5, max_delay=3.0)
    assert [policy.delay(n, 1.0) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert policy.delay(1, 0.0) == 0.25  # jitter spreads 50-100 %


def test_too_many_fields_is_refused_before_sending(fake: SimMoodle) -> None:
    client = MoodleClient(BASE, TOKEN, max_input_vars=10)
    with pytest.raises(LmsResponseError, match="max_input_vars"):
        client.call("core_user_get_users_by_field", field="id", values=[str(i) for i in range(10)])
    assert fake.requests == []


def test_warnings_are_surfaced() -> None:
    body = response_of("core_user_update_users__batch_valid_and_unknown_id")
    assert [w["warningcode"] for w in warnings_of(body)] == ["invaliduserid"]
    with pytest.raises(LmsResponseError) as info:
        raise_for_warnings("core_user_update_users", body)
    assert info.value.errorcode == "invaliduserid"
    raise_for_warnings("core_user_update_users", {"warnings": []})
    assert warnings_of([1, 2]) == []


def test_token_never_in_logs_messages_or_reprs(
    fake: SimMoodle, client: MoodleClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client.call("core_webservice_get_site_info")
    fake.queue("f", (502, {"Content-Type": "text/html"}, f"<html>echo wstoken={TOKEN}</html>"))
    fake.queue("f", requests.ConnectionError(f"POST {BASE}?wstoken={TOKEN} refused"))
    fake.queue(
        "f",
        (
            200,
            {"Content-Type": "application/json"},
            f'{{"exception":"x","errorcode":"invalidparameter","message":"bad {TOKEN}"}}',
        ),
    )
    with pytest.raises(LmsResponseError) as info:
        client.call("f")
    everything = caplog.text + str(info.value) + repr(info.value) + repr(client)
    assert TOKEN not in everything
    assert "**********" in everything
    assert "moodle core_webservice_get_site_info fields=3" in caplog.text  # one DEBUG line per call


def test_redact_scrubs_token_values() -> None:
    assert redact("wstoken=abc&x=1", "zzz") == "wstoken=**********&x=1"
    assert redact("token abc here", "abc") == "token ********** here"


def test_rate_limiter_spaces_calls() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    limiter = RateLimiter(2.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        limiter.wait()
    assert slept == [0.5, 0.5]


@pytest.mark.usefixtures("rsps")
def test_connection_refused_for_real_is_unavailable() -> None:
    # no fake installed for this host: responses raises ConnectionError like a closed port would
    client = MoodleClient(
        "https://nowhere.example", TOKEN, retry=RetryPolicy(attempts=2), sleep=lambda _s: None
    )
    with pytest.raises(LmsUnavailable):
        client.call("core_webservice_get_site_info")
