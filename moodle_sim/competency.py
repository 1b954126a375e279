"""Competency frameworks, competencies and their course links (core_competency_*)."""

from __future__ import annotations

import json
from typing import Any

from moodle_sim.registry import Call, Params, handler
from moodle_sim.state import Competency, CourseCompetency, Framework, SimState
from moodle_sim.wserrors import missing_record, persistent_error

SCALE_ITEMS = {2: {1: "Not yet competent", 2: "Competent"}}  # scale 2 "Default competence scale"


def framework_view(state: SimState, f: Framework) -> dict[str, Any]:
    count = sum(1 for c in state.competencies.values() if c.frameworkid == f.id)
    return {
        "shortname": f.shortname,
        "idnumber": f.idnumber,
        "description": f.description,
        "descriptionformat": 1,
        "visible": f.visible,
        "scaleid": f.scaleid,
        "scaleconfiguration": f.scaleconfiguration,
        "contextid": f.contextid,
        "taxonomies": "",
        "id": f.id,
        "timecreated": f.timecreated,
        "timemodified": f.timecreated,
        "usermodified": state.token_user_id,
        "canmanage": True,
        "competenciescount": count,
        "contextname": "System",
        "contextnamenoprefix": "System",
    }


def competency_view(state: SimState, c: Competency) -> dict[str, Any]:
    return {
        "shortname": c.shortname,
        "idnumber": c.idnumber,
        "description": c.description,
        "descriptionformat": 1,
        "sortorder": 0,
        "parentid": 0,
        "path": "/0/",
        "ruleoutcome": 0,
        "ruletype": None,
        "ruleconfig": None,
        "scaleid": None,
        "scaleconfiguration": None,
        "competencyframeworkid": c.frameworkid,
        "id": c.id,
        "timecreated": c.timecreated,
        "timemodified": c.timecreated,
        "usermodified": state.token_user_id,
    }


def _scale_config_ok(text: str) -> bool:
    try:
        entries = json.loads(text)
    except ValueError:
        return False
    if not isinstance(entries, list) or len(entries) < 2:
        return False
    items = entries[1:]
    return any(int(e.get("scaledefault", 0)) for e in items) and any(
        int(e.get("proficient", 0)) for e in items
    )


@handler("core_competency_create_competency_framework")
def create_competency_framework(call: Call, p: Params) -> Any:
    state, f = call.state, p["competencyframework"]
    if any(x.idnumber == f["idnumber"] for x in state.frameworks.values()):
        raise persistent_error("This ID number is already in use")
    if not _scale_config_ok(f["scaleconfiguration"]):
        raise persistent_error("The scale needs to be configured by selecting default and proficient items.")
    fw = Framework(
        state.new_id("framework"),
        f["shortname"],
        f["idnumber"],
        f["description"],
        f["scaleid"],
        f["scaleconfiguration"],
        f["visible"],
        f.get("contextid", 1),
        state.clock(),
    )
    state.frameworks[fw.id] = fw
    return framework_view(state, fw)


@handler("core_competency_list_competency_frameworks")
def list_competency_frameworks(call: Call, p: Params) -> Any:
    found = sorted(call.state.frameworks.values(), key=lambda f: (f.shortname, f.id))
    return [framework_view(call.state, f) for f in found if f.visible or not p["onlyvisible"]]


@handler("core_competency_create_competency")
def create_competency(call: Call, p: Params) -> Any:
    state, c = call.state, p["competency"]
    if c["competencyframeworkid"] not in state.frameworks:
        raise missing_record()
    if any(
        x.idnumber == c["idnumber"] and x.frameworkid == c["competencyframeworkid"]
        for x in state.competencies.values()
    ):
        raise persistent_error("This ID number is already in use")
    comp = Competency(
        state.new_id("competency"),
        c["shortname"],
        c["idnumber"],
        c["description"],
        c["competencyframeworkid"],
        state.clock(),
    )
    state.competencies[comp.id] = comp
    return competency_view(state, comp)


@handler("core_competency_list_competencies")
def list_competencies(call: Call, p: Params) -> Any:
    columns = {
        "id": "id",
        "idnumber": "idnumber",
        "shortname": "shortname",
        "competencyframeworkid": "frameworkid",
    }
    found = sorted(call.state.competencies.values(), key=lambda c: c.id)
    for flt in p["filters"]:
        attr = columns.get(flt["column"])
        if attr is None:
            raise persistent_error("Data submitted is invalid")
        found = [c for c in found if str(getattr(c, attr)) == flt["value"]]
    return [competency_view(call.state, c) for c in found]


@handler("core_competency_add_competency_to_course")
def add_competency_to_course(call: Call, p: Params) -> Any:
    state = call.state
    if p["courseid"] not in state.courses or p["competencyid"] not in state.competencies:
        raise missing_record()
    if any(
        cc.course_id == p["courseid"] and cc.competency_id == p["competencyid"]
        for cc in state.course_competencies.values()
    ):
        return False  # already linked: false, not an error
    now = state.clock()
    cc = CourseCompetency(state.new_id("coursecompetency"), p["courseid"], p["competencyid"], 0, now, now)
    state.course_competencies[cc.id] = cc
    return True


@handler("core_competency_list_course_competencies")
def list_course_competencies(call: Call, p: Params) -> Any:
    state = call.state
    if p["id"] not in state.courses:
        raise missing_record()
    links = sorted(
        (cc for cc in state.course_competencies.values() if cc.course_id == p["id"]), key=lambda c: c.id
    )
    return [
        {
            "competency": competency_view(state, state.competencies[cc.competency_id]),
            "coursecompetency": {
                "courseid": cc.course_id,
                "competencyid": cc.competency_id,
                "sortorder": 0,
                "ruleoutcome": cc.ruleoutcome,
                "id": cc.id,
                "timecreated": cc.timecreated,
                "timemodified": cc.timemodified,
                "usermodified": state.token_user_id,
            },
        }
        for cc in links
    ]


@handler("core_competency_set_course_competency_ruleoutcome")
def set_course_competency_ruleoutcome(call: Call, p: Params) -> Any:
    cc = call.state.course_competencies.get(p["coursecompetencyid"])
    if cc is None:
        raise missing_record()
    if p["ruleoutcome"] not in (0, 1, 2, 3):
        raise persistent_error("Data submitted is invalid")
    cc.ruleoutcome = p["ruleoutcome"]
    return True
