"""PHP-bracket flattening: what Moodle's REST server reads (NOTES «Transport and parameter encoding»)."""

from __future__ import annotations

import pytest

from lms_bridge.adapters.moodle.params import chunk_by_fields, count_fields, flatten
from tests.fakes.sim_http import recorded_request


def test_nested_lists_and_dicts_match_the_recorded_request() -> None:
    params = {
        "users": [
            {
                "id": 7,
                "city": "Казань",
                "customfields": [
                    {"type": "iom_url", "value": "https://iom.example.org/portfolio/petr-ivanov"}
                ],
            },
            {"id": 99999, "city": "Нигде"},
        ]
    }
    expected = recorded_request("core_user_update_users__batch_valid_and_unknown_id")[2:]
    assert flatten(params) == expected


def test_booleans_become_1_and_0_ints_digit_strings_none_dropped() -> None:
    params = {
        "userid": 6,
        "returnusercount": False,
        "flag": True,
        "skip": None,
        "rows": [{"a": 1, "b": None}],
    }
    assert flatten(params) == [("userid", "6"), ("returnusercount", "0"), ("flag", "1"), ("rows[0][a]", "1")]


def test_floats_without_trailing_zero() -> None:
    assert flatten({"a": 65.0, "b": 91.5}) == [("a", "65"), ("b", "91.5")]


def test_unicode_is_kept_for_the_form_encoder() -> None:
    assert flatten({"value": "ДПП-МЕТ-01"}) == [("value", "ДПП-МЕТ-01")]


def test_sparse_indices_from_an_int_keyed_mapping() -> None:
    assert flatten({"values": {0: "a", 5: "b"}}) == [("values[0]", "a"), ("values[5]", "b")]


def test_options_list_of_name_value_pairs_matches_recording() -> None:
    params = {
        "courseid": 2,
        "options": [
            {"name": "onlyactive", "value": True},
            {"name": "userfields", "value": "id,username,idnumber,email,fullname"},
        ],
    }
    assert (
        flatten(params)
        == recorded_request("core_enrol_get_enrolled_users__course2_onlyactive_userfields")[2:]
    )


def test_unsupported_types_are_refused() -> None:
    with pytest.raises(TypeError):
        flatten({"x": object()})


def test_field_count_includes_the_three_fixed_fields() -> None:
    assert count_fields({}) == 3
    assert count_fields({"enrolments": [{"roleid": 5, "userid": 1, "courseid": 2}] * 200}) == 603


def test_chunks_stay_within_budget() -> None:
    chunks = chunk_by_fields([3] * 10, budget=9)
    assert chunks == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert chunk_by_fields([3] * 5, budget=100, max_rows=2) == [[0, 1], [2, 3], [4]]
    assert chunk_by_fields([50, 1], budget=10) == [[0], [1]]  # an oversized row stands alone
