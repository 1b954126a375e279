"""Transport behaviour: PHP form decoding, max_input_vars, PHP JSON, cost model, faults, stats, threads."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from flask.testing import FlaskClient

from moodle_sim import SimConfig, SimState, create_sim_app
from moodle_sim.costs import LAB_ROW_MS
from moodle_sim.lab import seed_lab
from moodle_sim.params import parse_php_form
from moodle_sim.wserrors import php_json

ENDPOINT = "/webservice/rest/server.php"


def _client(**config: Any) -> tuple[FlaskClient, SimState, list[float]]:
    sleeps: list[float] = []
    state = SimState()
    seed_lab(state)
    app = create_sim_app(SimConfig(sleep=sleeps.append, **config), state)
    return app.test_client(), state, sleeps


def _form(wsfunction: str, fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("wstoken", "sim-token"), ("wsfunction", wsfunction), ("moodlewsrestformat", "json"), *fields]


def _post(client: FlaskClient, wsfunction: str, fields: list[tuple[str, str]]) -> Any:
    from urllib.parse import urlencode

    return client.post(
        ENDPOINT, data=urlencode(_form(wsfunction, fields)), content_type="application/x-www-form-urlencoded"
    )


def test_php_brackets_nest_append_and_keep_sparse_indices() -> None:
    pairs = [
        ("users[0][customfields][0][type]", "iom_url"),
        ("values[5]", "6"),
        ("values[9]", "7"),
        ("list[]", "a"),
        ("list[]", "b"),
        ("plain", "x"),
    ]
    params, dropped = parse_php_form(pairs, 1000)
    assert dropped == 0
    assert params == {
        "users": {"0": {"customfields": {"0": {"type": "iom_url"}}}},
        "values": {"5": "6", "9": "7"},
        "list": {"0": "a", "1": "b"},
        "plain": "x",
    }


def test_php_json_encoding() -> None:
    assert php_json({"a": 65.0, "b": 91.5, "c": "Ольга/x", "d": None, "e": True}) == (
        '{"a":65,"b":91.5,"c":"\\u041e\\u043b\\u044c\\u0433\\u0430\\/x","d":null,"e":true}'
    )


def test_fields_beyond_max_input_vars_are_dropped_silently() -> None:
    client, _, _ = _client(max_input_vars=5)
    resp = _post(
        client, "core_user_get_users_by_field", [("field", "id"), ("values[0]", "6"), ("values[1]", "7")]
    )
    assert resp.status_code == 200
    assert [u["id"] for u in json.loads(resp.data)] == [6]  # values[1] was field 6 of 5: gone
    assert client.get("/sim/stats").get_json()["dropped_fields"] == 1


def test_default_cap_cuts_a_large_lookup_to_an_empty_answer() -> None:
    client, _, _ = _client()
    values = [(f"values[{i}]", f"nobody{i}@example.com") for i in range(1100)] + [
        ("values[1100]", "STUDENT1")
    ]
    resp = _post(client, "core_user_get_users_by_field", [("field", "idnumber"), *values])
    assert resp.status_code == 200
    assert json.loads(resp.data) == []  # like the lab: HTTP 200, the one real value was past the cap


def test_cost_model_charges_latency_plus_rows_and_stats_reset() -> None:
    client, _, sleeps = _client(latency_ms=48, per_row_ms=8.5)
    for user in (7, 8, 9):
        _post(
            client,
            "enrol_manual_enrol_users",
            [
                ("enrolments[0][roleid]", "5"),
                ("enrolments[0][userid]", str(user)),
                ("enrolments[0][courseid]", "2"),
            ],
        )
    resp = _post(client, "gradereport_user_get_grade_items", [("courseid", "2"), ("userid", "0")])
    assert len(json.loads(resp.data)["usergrades"]) == 4
    stats = client.get("/sim/stats").get_json()
    assert stats["calls_by_function"] == {
        "enrol_manual_enrol_users": 3,
        "gradereport_user_get_grade_items": 1,
    }
    assert stats["busy_ms_by_function"]["gradereport_user_get_grade_items"] == 48 + 4 * 8.5
    assert stats["busy_ms"] == 3 * (48 + 8.5) + 48 + 4 * 8.5
    assert sum(sleeps) * 1000 == stats["busy_ms"]
    assert client.post("/sim/reset-stats").status_code == 200
    assert client.get("/sim/stats").get_json()["calls"] == 0


def test_lab_prices_per_function() -> None:
    client, _, _ = _client(latency_ms=48, per_row_ms=1.0, row_ms_by_function=LAB_ROW_MS)
    _post(
        client,
        "enrol_manual_enrol_users",
        [("enrolments[0][roleid]", "5"), ("enrolments[0][userid]", "7"), ("enrolments[0][courseid]", "2")],
    )
    _post(client, "core_course_get_courses_by_field", [("field", "id"), ("value", "2")])
    busy = client.get("/sim/stats").get_json()["busy_ms_by_function"]
    assert busy == {"enrol_manual_enrol_users": 48 + 11.8, "core_course_get_courses_by_field": 48}


def _outcomes(seed: int) -> list[str]:
    client, _, _ = _client(fault_rate=0.5, random_seed=seed, fault_kinds=("http_503", "html_error"))
    out = []
    for _ in range(30):
        resp = _post(client, "core_webservice_get_site_info", [])
        out.append(f"{resp.status_code} {resp.content_type}")
    return out


def test_faults_are_deterministic_for_a_seed() -> None:
    first, again, other = _outcomes(7), _outcomes(7), _outcomes(8)
    assert first == again
    assert first != other
    assert set(first) == {
        "200 application/json",
        "503 text/html; charset=iso-8859-1",
        "500 text/html; charset=utf-8",
    }


def test_timeout_fault_runs_the_call_then_withholds_the_answer() -> None:
    client, state, sleeps = _client(fault_rate=1.0, fault_kinds=("timeout",), timeout_sleep_s=65)
    resp = _post(
        client,
        "enrol_manual_enrol_users",
        [("enrolments[0][roleid]", "5"), ("enrolments[0][userid]", "7"), ("enrolments[0][courseid]", "2")],
    )
    assert resp.data == b"null"
    assert (2, 7) in state.enrolments  # the write landed although the client would have timed out
    assert sleeps == [65]
    assert client.get("/sim/stats").get_json()["faults"] == {"timeout": 1}


def test_slow_fault_multiplies_the_cost() -> None:
    client, _, sleeps = _client(latency_ms=40, fault_rate=1.0, fault_kinds=("slow",), slow_factor=10)
    _post(client, "core_webservice_get_site_info", [])
    assert sleeps == [0.4]


def test_parallel_calls_keep_the_state_consistent() -> None:
    client, state, _ = _client()
    for n in range(100, 180):
        state.add_user(type(state.users[9])(n, f"u{n}", "Имя", "Фамилия", f"u{n}@example.com"))

    def enrol(users: range) -> None:
        rows = []
        for i, user in enumerate(users):
            rows += [
                (f"enrolments[{i}][roleid]", "5"),
                (f"enrolments[{i}][userid]", str(user)),
                (f"enrolments[{i}][courseid]", "4"),
            ]
        assert _post(client, "enrol_manual_enrol_users", rows).data == b"null"

    threads = [
        threading.Thread(target=enrol, args=(range(start, start + 10),)) for start in range(100, 180, 10)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(1 for (course, _) in state.enrolments if course == 4) == 1 + 80


@pytest.mark.parametrize(
    ("config", "why"),
    [
        ({"fault_kinds": ("meteor",)}, "fault kinds must be some of"),
        ({"fault_kinds": ()}, "fault kinds must be some of"),
        ({"fault_rate": 1.5}, "fault_rate must be within 0..1"),
        ({"max_input_vars": 0}, "max_input_vars must be at least 1"),
    ],
)
def test_bad_config_is_refused(config: dict[str, Any], why: str) -> None:
    with pytest.raises(ValueError, match=why):
        SimConfig(**config)
