"""Learning plans and competencies, and instant messages: recorded answers, replayed in order."""

from __future__ import annotations

from tests.sim.conftest import Lab

CREATED = 1795375794


def test_frameworks_competencies_and_course_links(lab: Lab) -> None:
    lab.replay("core_competency_list_competency_frameworks__system_context")
    lab.replay("core_competency_create_competency_framework__ok", at=1795375793)
    lab.replay("core_competency_create_competency_framework__duplicate_idnumber_error")
    lab.replay("core_competency_create_competency_framework__bad_scaleconfiguration_error")
    lab.replay("core_competency_create_competency__ok", at=CREATED)
    lab.replay("core_competency_create_competency__duplicate_idnumber_error")
    lab.replay("core_competency_list_competencies__by_framework")
    lab.replay("core_competency_list_competencies__by_idnumber")
    lab.replay("core_competency_add_competency_to_course__ok")
    lab.replay("core_competency_add_competency_to_course__already_added")
    assert lab.call(
        "core_competency_set_course_competency_ruleoutcome", coursecompetencyid="2", ruleoutcome="1"
    )
    lab.replay("core_competency_list_course_competencies__course4_before_ruleoutcome")
    lab.replay("core_competency_set_course_competency_ruleoutcome__ruleoutcome_3_complete")
    lab.replay("core_competency_list_course_competencies__course4_after_ruleoutcome")
    lab.replay("core_competency_set_course_competency_ruleoutcome__ruleoutcome_9_invalid")
    lab.replay("core_competency_set_course_competency_ruleoutcome__missing_coursecompetency")


def test_plan_lifecycle_and_rating_on_course_completion(lab: Lab) -> None:
    lab.now = CREATED
    lab.call(
        "core_competency_create_competency_framework",
        **{
            "competencyframework[shortname]": "Компетенции качества",
            "competencyframework[idnumber]": "FW-QUA",
            "competencyframework[scaleid]": "2",
            "competencyframework[contextid]": "1",
            "competencyframework[scaleconfiguration]": (
                '[{"scaleid":"2"},{"id":1,"scaledefault":1,"proficient":0},{"id":2,"scaledefault":0,"proficient":1}]'
            ),
        },
    )
    lab.replay("core_competency_create_competency__ok")
    lab.call("core_competency_add_competency_to_course", courseid="4", competencyid="2")
    lab.call("core_competency_set_course_competency_ruleoutcome", coursecompetencyid="2", ruleoutcome="3")
    lab.replay("core_competency_create_plan__status0_draft")
    lab.replay("core_competency_create_plan__missing_user_error")
    lab.replay("core_competency_list_user_plans__user8")
    lab.replay("core_competency_list_user_plans__user6_existing_draft")
    lab.replay("core_competency_add_competency_to_plan__ok")
    lab.replay("core_competency_add_competency_to_plan__missing_competency_error")
    lab.replay("core_competency_list_plan_competencies__draft")
    lab.replay("core_competency_read_plan__draft")
    lab.replay("core_competency_approve_plan__draft_to_active")
    lab.replay("core_competency_read_plan__active")
    lab.replay("core_competency_approve_plan__already_active_error")
    # user 8 completes course 4: ruleoutcome 3 rates the competency with the scale default (not proficient)
    lab.call(
        "enrol_manual_enrol_users",
        **{"enrolments[0][roleid]": "5", "enrolments[0][userid]": "8", "enrolments[0][courseid]": "4"},
    )
    lab.replay("core_grades_update_grades__course4_user8_regrade_90", at=1795375798)
    # Moodle rated it a second later, from cron; the simulator rates at grading time.
    lab.replay(
        "core_competency_list_plan_competencies__active_after_course_completion",
        ignore={"timecreated", "timemodified"},
    )
    lab.replay("core_competency_complete_plan__active_to_complete", at=1795375801)
    lab.replay("core_competency_read_plan__complete")
    lab.replay("core_competency_list_plan_competencies__complete")


def test_instant_messages(lab: Lab) -> None:
    lab.replay("core_message_send_instant_messages__to_user3_ok", at=1795375829)
    lab.replay("core_message_send_instant_messages__batch_ok_and_bad")
    assert [m.useridto for m in lab.state.messages] == [3, 4]  # the good message of the bad batch was sent
    lab.replay("core_message_send_instant_messages__to_self_ok")
    lab.replay("core_message_send_instant_messages__bad_user_99999")


# Keys and values of a conversation message in core_message_get_messages, as a real 5.1 answered (the lab).
REAL_MESSAGE_KEYS = {
    "id", "useridfrom", "useridto", "subject", "text", "fullmessage", "fullmessageformat", "fullmessagehtml",
    "smallmessage", "notification", "contexturl", "contexturlname", "timecreated", "timeread",
    "usertofullname", "userfromfullname", "customdata",
}  # fmt: skip


def test_get_messages_reads_back_what_the_token_user_sent(lab: Lab) -> None:
    for text in ("первое", "второе"):
        message = {"messages[0][touserid]": "6", "messages[0][text]": text, "messages[0][textformat]": "2"}
        lab.call("core_message_send_instant_messages", **message)
    got = lab.call("core_message_get_messages", useridto="6", useridfrom="2", type="conversations", read="2")
    assert [m["fullmessage"] for m in got["messages"]] == ["второе", "первое"]  # newest first
    first = got["messages"][0]
    assert set(first) == REAL_MESSAGE_KEYS
    assert got["warnings"] == []
    assert (first["useridto"], first["text"], first["fullmessageformat"]) == (6, "<p>второе</p>", 2)
    assert (first["contexturl"], first["timeread"], first["notification"]) == ("", None, 0)
    limited = lab.call("core_message_get_messages", useridto="6", useridfrom="2", read="2", limitnum="1")
    assert [m["fullmessage"] for m in limited["messages"]] == ["второе"]
    assert lab.call("core_message_get_messages", useridto="6", read="1")["messages"] == []  # never read
    assert lab.call("core_message_get_messages", useridto="99999")["errorcode"] == "invalidrecordunknown"
