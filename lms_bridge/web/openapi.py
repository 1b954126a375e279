"""The OpenAPI 3.1 document of /api/v1, written by hand around the pydantic request models.

A test checks that every registered /api/v1 rule (path + method) appears here, so the two cannot
drift apart silently.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from lms_bridge.web.api_models import (
    ChoiceBody,
    CloseBody,
    ConclusionBody,
    ConfirmApplicationsBody,
    CorrectionBody,
    EventBody,
    HeldBody,
    MarkBody,
    NoteBody,
    ProductBody,
    ProposalBody,
    ReflectionBody,
    RejectBody,
    SignatureBody,
    TransitionBody,
)

_MODELS: tuple[type[BaseModel], ...] = (
    MarkBody,
    NoteBody,
    CorrectionBody,
    ProposalBody,
    ConclusionBody,
    TransitionBody,
    SignatureBody,
    EventBody,
    HeldBody,
    ProductBody,
    ReflectionBody,
    CloseBody,
    ChoiceBody,
    ConfirmApplicationsBody,
    RejectBody,
)
EVENT_KEY = {
    "name": "key",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "event key",
}
NUMBER = {
    "name": "number",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "example": "74-2026-00001",
}
KEY = {
    "name": "key",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "activity key",
}
CSRF = {
    "name": "X-CSRF-Token",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "required with a launch session (take it from GET /api/v1/me); not with the service token",
}
ERRORS = {
    str(code): {
        "description": text,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    for code, text in (
        (401, "no session or service token"),
        (403, "the role may not do this, or CSRF token missing"),
        (404, "no such route (or not in the caller's scope)"),
        (409, "not possible in the route's current state"),
        (422, "invalid body"),
    )
}
CARD = {
    "description": "the route card",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RouteCard"}}},
}


def _post(
    summary: str, model: type[BaseModel], params: list[dict[str, Any]], ok: dict[str, Any]
) -> dict[str, Any]:
    return {
        "post": {
            "summary": summary,
            "parameters": [*params, CSRF],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
                },
            },
            "responses": {"200" if ok is CARD else "201": ok, **ERRORS},
        }
    }


def _with_method(method: str, operation: dict[str, Any]) -> dict[str, Any]:
    return {method: operation["post"]}


def _no_body(summary: str, params: list[dict[str, Any]], method: str = "post") -> dict[str, Any]:
    return {method: {"summary": summary, "parameters": [*params, CSRF], "responses": {"200": CARD, **ERRORS}}}


# long: one table of the fourth stage's endpoints, an entry each
def _cycle_paths() -> dict[str, Any]:
    """The fourth stage: final events, the product and its file, the reflection, closing an activity."""
    product = _post("the teacher's educational product (JSON, or multipart/form-data with `file`)",
                    ProductBody, [NUMBER], CARD)["post"]  # fmt: skip
    product["requestBody"]["content"]["multipart/form-data"] = {
        "schema": {
            "allOf": [
                {"$ref": "#/components/schemas/ProductBody"},
                {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}},
            ]
        }
    }
    return {
        "/routes/{number}/events": _post(
            "plan a final public event (a teacher proposes)", EventBody, [NUMBER], CARD
        ),
        "/routes/{number}/events/{key}": {
            **_with_method(
                "put", _post("edit a final event (before it is held)", EventBody, [NUMBER, EVENT_KEY], CARD)
            ),
            **_no_body("remove a final event (before it is held)", [NUMBER, EVENT_KEY], "delete"),
        },
        "/routes/{number}/events/{key}/held": _post(
            "mark a final event held (a teacher's report waits for the curator)",
            HeldBody,
            [NUMBER, EVENT_KEY],
            CARD,
        ),
        "/routes/{number}/events/{key}/confirm": _no_body(
            "the curator confirms a proposed event or its holding", [NUMBER, EVENT_KEY]
        ),
        "/routes/{number}/product": {"put": product},
        "/routes/{number}/product/file": {
            "get": {
                "summary": "the educational product's file",
                "parameters": [NUMBER],
                "responses": {"200": {"description": "the file as uploaded"}, **ERRORS},
            }
        },
        "/routes/{number}/reflection": _with_method(
            "put", _post("the teacher's self-analysis (004 stage 4)", ReflectionBody, [NUMBER], CARD)
        ),
        "/routes/{number}/activities/{key}/close": _post(
            "close an activity without completion by a correction", CloseBody, [NUMBER, KEY], CARD
        ),
    }


def _ok(operation: dict[str, Any]) -> dict[str, Any]:
    """An operation of ``_post`` that answers 200 with its own body (not the card, not 201)."""
    responses = operation["post"]["responses"]
    responses["200"] = responses.pop("201")
    return operation


def _application_paths() -> dict[str, Any]:
    """The teacher's choice of a ДПП and the enrolment applications (000 §2.1, §2.2)."""
    listing = {"description": "applications with the prerequisites check per person"}
    return {
        "/routes/{number}/choices": {
            "get": {
                "summary": "the ДПП offered per item while the caller (the route's teacher) may choose",
                "parameters": [NUMBER],
                "responses": {"200": {"description": "item key → offered courses"}, **ERRORS},
            }
        },
        "/routes/{number}/activities/{key}/choice": _post(
            "the teacher chooses a ДПП among the offered (audited)", ChoiceBody, [NUMBER, KEY], CARD
        ),
        "/applications": {
            "get": {
                "summary": "applications in the caller's scope (head, ЦНППМ)",
                "responses": {"200": listing, **ERRORS},
            }
        },
        "/applications/confirm": _ok(
            _post(
                "the head files / the ЦНППМ confirms any number at once; refusals listed with the reason",
                ConfirmApplicationsBody,
                [],
                {"description": "confirmed and refused"},
            )
        ),
        "/routes/{number}/activities/{key}/application/reject": _ok(
            _post(
                "a ЦНППМ specialist rejects the application with a reason",
                RejectBody,
                [NUMBER, KEY],
                {"description": "the rejected application"},
            )
        ),
    }


# long: the OpenAPI schemas are data: one literal per schema
def _schemas() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in _MODELS:
        schema = m.model_json_schema(ref_template="#/components/schemas/{model}")
        out.update(schema.pop("$defs", {}))
        out[m.__name__] = schema
    out["Error"] = {
        "type": "object",
        "properties": {
            "error": {
                "type": "object",
                "properties": {
                    "status": {"type": "integer"},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                },
                "required": ["status", "code", "message"],
            }
        },
    }
    out["RouteSummary"] = {
        "type": "object",
        "properties": {
            "number": {"type": "string"},
            "teacher": {"type": "string"},
            "school": {"type": "string"},
            "municipality": {"type": "string"},
            "status": {"type": "string"},
            "status_label": {"type": "string"},
            "curator": {"type": "string"},
            "done": {"type": "integer"},
            "total": {"type": "integer"},
            "deadline": {"type": ["string", "null"], "format": "date"},
            "overdue": {"type": "boolean"},
        },
    }
    out["RouteCard"] = {
        "type": "object",
        "description": "exporters.json_card.route_to_dict + allowed_actions; for heads of schools the "
        "diagnostic results (levels, deficit codes and level, recommendations, final levels, dynamics, the "
        "activities' deficit codes) are null and `withheld` gives the reason (003 App.2 §6.3)",
        "properties": {
            "number": {"type": "string"},
            "status": {"type": "string"},
            "status_label": {"type": "string"},
            "teacher": {"type": "object"},
            "diagnostic": {"type": "object", "description": "kind and date; results null when withheld"},
            "withheld": {
                "type": ["string", "null"],
                "description": "why the diagnostic results are left out; null when the card is complete",
            },
            "activities": {"type": "array", "items": {"type": "object"}},
            "corrections": {"type": "array", "items": {"type": "object"}},
            "progress": {"type": "object"},
            "deadline": {"type": ["string", "null"]},
            "allowed_actions": {"type": "array", "items": {"type": "string"}},
            "proposals": {
                "type": "array",
                "description": "teachers' correction proposals (GET /routes/{number} only)",
                "items": {"type": "object"},
            },
        },
        "additionalProperties": True,
    }
    return out


# long: the OpenAPI document is data: one literal per path
def document(public_url: str) -> dict[str, Any]:
    accepted = {"description": "accepted", "content": {"application/json": {"schema": {"type": "object"}}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "lms-bridge API",
            "version": "1",
            "description": "Individual educational routes (ИОМ) of teachers: registry and route cards.",
        },
        "servers": [{"url": public_url.rstrip("/") + "/api/v1"}],
        "security": [{"serviceToken": []}, {"launchId": []}],
        "paths": {
            "/openapi.json": {
                "get": {
                    "summary": "this document",
                    "security": [],
                    "responses": {"200": {"description": "OpenAPI 3.1"}},
                }
            },
            "/me": {
                "get": {
                    "summary": "the caller: role, name, scope and the CSRF token of a launch session",
                    "responses": {"200": {"description": "the caller"}, **ERRORS},
                }
            },
            "/routes": {
                "get": {
                    "summary": "routes in the caller's scope (no diagnostic details)",
                    "parameters": [
                        {"name": "status", "in": "query", "schema": {"type": "string"}},
                        {"name": "municipality", "in": "query", "schema": {"type": "string"}},
                        {"name": "school", "in": "query", "schema": {"type": "string"}},
                        {
                            "name": "archived",
                            "in": "query",
                            "description": "1: the archive (past the keeping period), not working routes",
                            "schema": {"type": "string", "enum": ["1", "true"]},
                        },
                        {
                            "name": "overdue",
                            "in": "query",
                            "schema": {"type": "string", "enum": ["1", "true"]},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "the registry",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "count": {"type": "integer"},
                                            "items": {
                                                "type": "array",
                                                "items": {"$ref": "#/components/schemas/RouteSummary"},
                                            },
                                        },
                                    }
                                }
                            },
                        },
                        **ERRORS,
                    },
                }
            },
            "/reports": {
                "get": {
                    "summary": "aggregated, non-personal report over the caller's scope; groups under 5 "
                    "people are merged or withheld",
                    "parameters": [
                        {
                            "name": "by",
                            "in": "query",
                            "schema": {"type": "string", "enum": ["region", "municipality", "school"]},
                        },
                        {"name": "municipality", "in": "query", "schema": {"type": "string"}},
                        {"name": "school", "in": "query", "schema": {"type": "string"}},
                    ],
                    "responses": {"200": {"description": "services.reports.report_to_dict"}, **ERRORS},
                }
            },
            "/routes/{number}": {
                "get": {
                    "summary": "one route card",
                    "parameters": [NUMBER],
                    "responses": {"200": CARD, **ERRORS},
                }
            },
            "/routes/{number}/activities/{key}/mark": _post(
                "mark an activity done / not done", MarkBody, [NUMBER, KEY], CARD
            ),
            "/routes/{number}/activities/{key}/note": _post(
                "curator's intermediate result", NoteBody, [NUMBER, KEY], CARD
            ),
            "/routes/{number}/corrections": _post(
                "add, replace or remove an activity", CorrectionBody, [NUMBER], CARD
            ),
            "/routes/{number}/proposals": _post(
                "teacher's correction proposal", ProposalBody, [NUMBER], accepted
            ),
            "/routes/{number}/conclusion": _post(
                "final diagnostics and conclusions", ConclusionBody, [NUMBER], CARD
            ),
            "/routes/{number}/transitions": _post(
                "a workflow action; complete is refused (409) naming everything missing",
                TransitionBody,
                [NUMBER],
                CARD,
            ),
            **_cycle_paths(),
            **_application_paths(),
            "/routes/{number}/signatures": _post(
                "the caller (curator, head of school, teacher) acknowledges a correction or the conclusions",
                SignatureBody,
                [NUMBER],
                CARD,
            ),
        },
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "serviceToken": {"type": "http", "scheme": "bearer", "description": "LMS_BRIDGE_API_TOKEN"},
                "launchId": {"type": "apiKey", "in": "header", "name": "X-Launch-Id"},
            },
        },
    }
