"""A teacher's proposal to correct the route (003 §5.11: the teacher, curator and head correct it).

The teacher never edits the roadmap directly: the proposal is an audit entry on the route that the
curator reads on the card and, if accepted, turns into a correction with a reason
(``route_actions.correct``), which is what the corrections log records.
"""

from __future__ import annotations

from lms_bridge.domain.limits import checked_text
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Route
from lms_bridge.domain.workflow import CLOSED, PROPOSERS
from lms_bridge.errors import PermissionDenied, WorkflowError
from lms_bridge.ports import AuditEntry, RouteStore

PROPOSAL = "correction proposal"


def propose(store: RouteStore, route: Route, actor: Actor, text: str) -> None:
    if actor.role not in PROPOSERS:
        raise PermissionDenied("предложение о корректировке вносит педагог")
    if route.status in CLOSED:
        raise WorkflowError(f"маршрут {route.number} в статусе «{route.status.label}» не корректируется")
    text = checked_text("proposal", text)
    if not text:
        raise WorkflowError("опишите предлагаемую корректировку")
    store.audit(actor, PROPOSAL, route.number, text)


def list_proposals(store: RouteStore, number: str) -> list[AuditEntry]:
    return [a for a in store.list_audit(number) if a.action == PROPOSAL]
