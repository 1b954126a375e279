"""Learning plans (core_competency_*_plan*): create, read, list, add competencies, approve, complete."""

from __future__ import annotations

import json
from typing import Any

from moodle_sim.competency import SCALE_ITEMS, competency_view
from moodle_sim.registry import Call, Params, handler
from moodle_sim.state import Competency, Plan, SimState
from moodle_sim.wserrors import CODING_EXCEPTION, WsError, missing_record, persistent_error

_STATUS_NAMES = {0: "Draft", 1: "Active", 2: "Complete", 3: "Waiting for review", 4: "In review"}
_COMMENT_TEMPLATE = (
    '<div class="comment-message"><div class="comment-message-meta me-3">'
    '<span class="picture">___picture___</span>'
    '<span class="user">___name___</span> - <span class="time">___time___</span></div>'
    '<div class="text">___content___</div></div>'
)


# long: Moodle's plan payload, field by field
def plan_view(call: Call, p: Plan) -> dict[str, Any]:
    s = p.status
    user = call.state.users.get(p.userid)
    context_id = user.context_id if user else 0
    return {
        "name": p.name,
        "description": p.description,
        "descriptionformat": 1,
        "userid": p.userid,
        "templateid": None,
        "origtemplateid": None,
        "status": s,
        "duedate": 0,
        "reviewerid": None,
        "id": p.id,
        "timecreated": p.timecreated,
        "timemodified": p.timemodified,
        "usermodified": call.state.token_user_id,
        "statusname": _STATUS_NAMES[s],
        "isbasedontemplate": False,
        "canmanage": True,
        "canrequestreview": True,
        "canreview": True,
        "canbeedited": s != 2,
        "isactive": s == 1,
        "isdraft": s == 0,
        "iscompleted": s == 2,
        "isinreview": s == 4,
        "iswaitingforreview": s == 3,
        "isreopenallowed": s == 2,
        "iscompleteallowed": s == 1,
        "isunlinkallowed": False,
        "isrequestreviewallowed": s == 0,
        "iscancelreviewrequestallowed": s == 3,
        "isstartreviewallowed": s == 3,
        "isstopreviewallowed": s == 4,
        "isapproveallowed": s in (0, 3, 4),
        "isunapproveallowed": s == 1,
        "duedateformatted": "Thursday, 1 January 1970, 1:00 AM",
        "commentarea": {
            "component": "competency",
            "commentarea": "plan",
            "itemid": p.id,
            "courseid": 1,
            "contextid": context_id,
            "cid": f"plancommentarea{p.id}",
            "autostart": False,
            "canpost": True,
            "canview": True,
            "count": 0,
            "collapsediconkey": "t/collapsed",
            "displaytotalcount": True,
            "displaycancel": False,
            "fullwidth": True,
            "linktext": "Comments",
            "notoggle": False,
            "template": _COMMENT_TEMPLATE,
            "canpostorhascomments": True,
        },
        "url": f"{call.site.url}/admin/tool/lp/plan.php?id={p.id}",
    }


@handler("core_competency_create_plan")
def create_plan(call: Call, p: Params) -> Any:
    state, data = call.state, p["plan"]
    if data["userid"] not in state.users:
        raise missing_record()
    now = state.clock()
    plan = Plan(
        state.new_id("plan"), data["name"], data["description"], data["userid"], data["status"], now, now
    )
    state.plans[plan.id] = plan
    return plan_view(call, plan)


@handler("core_competency_update_plan")
def update_plan(call: Call, p: Params) -> Any:
    data = p["plan"]
    plan = _plan(call.state, data["id"])
    if plan.status == 2:
        raise persistent_error("Data submitted is invalid")  # a completed plan cannot be edited
    if data.get("name") is not None:
        plan.name = data["name"]
    if data.get("description") is not None:
        plan.description = data["description"]
    plan.timemodified = call.state.clock()
    return plan_view(call, plan)


def _plan(state: SimState, plan_id: int) -> Plan:
    plan = state.plans.get(plan_id)
    if plan is None:
        raise missing_record()
    return plan


@handler("core_competency_list_user_plans")
def list_user_plans(call: Call, p: Params) -> Any:
    if p["userid"] not in call.state.users:
        raise missing_record()
    plans = sorted((x for x in call.state.plans.values() if x.userid == p["userid"]), key=lambda x: x.id)
    return [plan_view(call, x) for x in plans]


@handler("core_competency_read_plan")
def read_plan(call: Call, p: Params) -> Any:
    return plan_view(call, _plan(call.state, p["id"]))


@handler("core_competency_add_competency_to_plan")
def add_competency_to_plan(call: Call, p: Params) -> Any:
    plan = _plan(call.state, p["planid"])
    if p["competencyid"] not in call.state.competencies:
        raise missing_record()
    if p["competencyid"] not in plan.competency_ids:
        plan.competency_ids.append(p["competencyid"])
    return True


@handler("core_competency_approve_plan")
def approve_plan(call: Call, p: Params) -> Any:
    plan = _plan(call.state, p["id"])
    if plan.status not in (0, 3, 4):
        raise WsError(
            CODING_EXCEPTION,
            "codingerror",
            "Coding error detected, it must be fixed by a programmer: "
            "The plan cannot be approved at this stage.",
        )
    plan.status, plan.timemodified = 1, call.state.clock()
    return True


@handler("core_competency_complete_plan")
def complete_plan(call: Call, p: Params) -> Any:
    state = call.state
    plan = _plan(state, p["planid"])
    if plan.status != 1:
        raise WsError(
            CODING_EXCEPTION,
            "codingerror",
            "Coding error detected, it must be fixed by a programmer: "
            "The plan cannot be completed at this stage.",
        )
    now = state.clock()
    for comp_id in plan.competency_ids:  # frozen snapshot of each rating
        uc = state.user_competencies.get((plan.userid, comp_id))
        plan.snapshots[comp_id] = (
            state.new_id("usercompetencyplan"),
            now,
            uc.grade if uc and uc.grade else 0,
        )
    plan.status, plan.timemodified = 2, now
    return True


@handler("core_competency_list_plan_competencies")
def list_plan_competencies(call: Call, p: Params) -> Any:
    state = call.state
    plan = _plan(state, p["id"])
    out = []
    for comp_id in plan.competency_ids:
        comp = state.competencies[comp_id]
        scale = SCALE_ITEMS.get(state.frameworks[comp.frameworkid].scaleid, {})
        entry: dict[str, Any] = {"competency": competency_view(state, comp)}
        if plan.status == 2 and comp_id in plan.snapshots:
            ucp_id, at, grade = plan.snapshots[comp_id]
            proficient = _proficient(state, comp, grade)
            entry["usercompetencyplan"] = {
                "userid": plan.userid,
                "competencyid": comp_id,
                "proficiency": proficient,
                "grade": grade or None,
                "planid": plan.id,
                "sortorder": 0,
                "id": ucp_id,
                "timecreated": at,
                "timemodified": at,
                "usermodified": state.token_user_id,
                "gradename": scale.get(grade, "-"),
                "proficiencyname": "Yes" if proficient else "No",
            }
        else:
            entry["usercompetency"] = _user_competency_view(call, plan.userid, comp, scale)
        out.append(entry)
    return out


def _proficient(state: SimState, comp: Competency, grade: int) -> bool:
    for item in json.loads(state.frameworks[comp.frameworkid].scaleconfiguration)[1:]:
        if int(item["id"]) == grade:
            return bool(int(item.get("proficient", 0)))
    return False


def _user_competency_view(
    call: Call, user_id: int, comp: Competency, scale: dict[int, str]
) -> dict[str, Any]:
    uc = call.state.user_competencies.get((user_id, comp.id))
    uc_id = uc.id if uc else 0
    at = uc.timecreated if uc else 0
    grade = uc.grade if uc else None
    proficiency = uc.proficiency if uc else None
    return {
        "userid": user_id,
        "competencyid": comp.id,
        "status": 0,
        "reviewerid": None,
        "proficiency": proficiency,
        "grade": grade,
        "id": uc_id,
        "timecreated": at,
        "timemodified": at,
        "usermodified": call.state.token_user_id if uc else 0,
        "canrequestreview": True,
        "canreview": True,
        "gradename": scale.get(grade, "-") if grade else "-",
        "isrequestreviewallowed": True,
        "iscancelreviewrequestallowed": False,
        "isstartreviewallowed": False,
        "isstopreviewallowed": False,
        "isstatusidle": True,
        "isstatusinreview": False,
        "isstatuswaitingforreview": False,
        "proficiencyname": "Yes" if proficiency else "No",
        "statusname": "-",
        "url": f"{call.site.url}/admin/tool/lp/user_competency.php?id={uc_id}",
    }
