"""Site info, the error model, users and courses: recorded Moodle answers, replayed."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.sim.conftest import Lab, recording


@pytest.mark.parametrize(
    "name",
    [
        "core_webservice_get_site_info__error_bad_token",
        "core_webservice_get_site_info__error_empty_token",
        "core_webservice_get_site_info__error_missing_token",
        "core_webservice_get_site_info__json_body_not_supported",
        "core_webservice_get_site_info__wrong_path_nosuch_php",
        "core_webservice_get_site_info__wrong_path_webservice_rest_dir",
        "core_course_get_courses_by_field__xml_error_bad_token",
        "nosuch_function__error_unknown_function",
        "no_wsfunction__error_missing_wsfunction",
        "core_course_delete_courses__error_function_not_in_service",
    ],
)
def test_site_info_and_error_model(lab: Lab, name: str) -> None:
    lab.replay(name)


def test_site_info_is_the_recorded_one_plus_the_message_lookup(lab: Lab) -> None:
    """The simulator's service is the recorded lab's plus core_message_get_messages, which lms-bridge needs
    since the recording (to look before a message is sent again; a lab adds it with LAB_EXTRA_FUNCTIONS)."""
    got = lab.replay("core_webservice_get_site_info__ok", ignore=("functions",))
    expected = recording("core_webservice_get_site_info__ok")["response"]["functions"]
    assert got["functions"] == [*expected, {"name": "core_message_get_messages", "version": "2025100600.02"}]


def test_json_answers_carry_moodles_headers_and_php_encoding(lab: Lab) -> None:
    resp = lab.client.post(
        "/webservice/rest/server.php",
        data={
            "wstoken": "REDACTED",
            "wsfunction": "core_user_get_users_by_field",
            "moodlewsrestformat": "json",
            "field": "id",
            "values[0]": "6",
        },
    )
    assert resp.headers["Content-Type"] == "application/json"
    assert resp.headers["Cache-Control"] == "private, must-revalidate, pre-check=0, post-check=0, max-age=0"
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    body = resp.data.decode("ascii")  # PHP escapes non-ASCII and slashes
    assert "\\u041e\\u043b\\u044c\\u0433\\u0430" in body
    assert "http:\\/\\/127.0.0.1:8080" in body


@pytest.mark.parametrize(
    "name",
    [
        "core_enrol_get_enrolled_users__error_array_for_scalar",
        "core_enrol_get_enrolled_users__error_float_for_int",
        "core_enrol_get_enrolled_users__error_int_with_space",
        "core_enrol_get_enrolled_users__int_with_plus_sign",
        "core_enrol_get_enrolled_users__error_missing_required_courseid",
        "core_enrol_get_enrolled_users__error_unknown_extra_top_key",
        "core_enrol_get_users_courses__bool_param_true_string_error",
        "core_user_get_users_by_field__bad_field_error",
        "core_user_get_users_by_field__error_scalar_for_list",
        "core_user_get_users_by_field__error_values_missing",
        "enrol_manual_enrol_users__error_empty_enrolments_missing",
        "enrol_manual_enrol_users__error_invalid_param_type_roleid_abc",
        "enrol_manual_enrol_users__error_unknown_nested_key",
        "enrol_manual_enrol_users__missing_required_key_roleid",
    ],
)
def test_strict_parameter_validation(lab: Lab, name: str) -> None:
    lab.replay(name)


def test_users_by_field_and_updates_in_recorded_order(lab: Lab) -> None:
    for name in (
        "core_user_get_users_by_field__email_3values_1missing",
        "core_user_get_users_by_field__username",
        "core_user_get_users_by_field__idnumber",
        "core_user_get_users_by_field__email_uppercase_no_match",
        "core_user_update_users__customfield_iom_url_ok",
        "core_user_get_users_by_field__id_with_customfields",
        "core_user_update_users__batch_valid_and_unknown_id",
        "core_user_get_users_by_field__id7_after_partial_update_batch",
        "core_user_get_users_by_field__sparse_list_indices_ok",
        "core_user_update_users__unknown_customfield_shortname_ignored",
        "core_user_update_users__duplicate_email",
        "core_user_update_users__invalid_email",
        "core_user_update_users__duplicate_username_error",
    ):
        lab.replay(name)
    # the rejected rows changed nothing
    assert lab.state.users[9].email == "dmitry.orlov@example.com"
    assert lab.state.users[7].username == "ws.student2"


@pytest.mark.parametrize(
    "name",
    [
        "core_course_get_courses_by_field__id_found",
        "core_course_get_courses_by_field__idnumber_found",
        "core_course_get_courses_by_field__idnumber_missing_empty",
        "core_course_get_courses_by_field__shortname_cyrillic_found",
        "core_course_get_courses_by_field__get_method_ok",
        "core_course_get_courses_by_field__format_json_in_query_string",
        "core_course_get_course_module__cmid6_assign_with_gradepass",
        "core_course_get_course_module_by_instance__assign_instance3",
    ],
)
def test_courses_and_course_module(lab: Lab, name: str) -> None:
    lab.replay(name)


@pytest.mark.parametrize(
    "name",
    [
        "core_course_get_courses_by_field__xml_default_no_format_param",
        "core_course_get_courses_by_field__format_uppercase_JSON_gives_xml",
        "core_course_get_courses_by_field__format_xml_in_query_string",
    ],
)
def test_anything_but_exactly_json_answers_xml(lab: Lab, name: str) -> None:
    lab.replay(name)  # byte for byte, walked along the return description like Moodle


def test_xml_of_a_function_without_return_value(lab: Lab) -> None:
    resp = lab.client.post(
        "/webservice/rest/server.php",
        data={
            "wstoken": "REDACTED",
            "wsfunction": "enrol_manual_enrol_users",
            "enrolments[0][roleid]": "5",
            "enrolments[0][userid]": "7",
            "enrolments[0][courseid]": "2",
        },
    )
    assert resp.data.decode() == '<?xml version="1.0" encoding="UTF-8" ?>\n<RESPONSE>\n</RESPONSE>\n'
    root = ET.fromstring(resp.data)
    assert root.tag == "RESPONSE"
    assert (2, 7) in lab.state.enrolments


def test_a_service_without_a_function_refuses_it_like_moodle(lab: Lab) -> None:
    """The admin may leave functions out of the token's service: site info stops listing them and a
    call answers the recorded accessexception (as for a function outside the lab's service)."""
    lab.state.service = frozenset({"core_webservice_get_site_info", "core_user_get_users_by_field"})
    info = lab.call("core_webservice_get_site_info")
    assert [f["name"] for f in info["functions"]] == [
        "core_webservice_get_site_info",
        "core_user_get_users_by_field",
    ]
    lab.replay("core_course_delete_courses__error_function_not_in_service")
    refused = lab.call("enrol_manual_enrol_users", **{"enrolments[0][roleid]": "5"})
    assert refused["errorcode"] == "accessexception"
