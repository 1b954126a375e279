"""Editing what regional card layouts add to a route (region, additional information, school year, the
tutor, educational tasks per deficit, stages): one transaction with an audit line."""

from __future__ import annotations

from dataclasses import replace

from lms_bridge.domain.card_details import DetailsChange, change_details, changed_tasks
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Route
from lms_bridge.errors import NotFound
from lms_bridge.ports import RouteStore


def set_details(
    store: RouteStore, number: str, actor: Actor, change: DetailsChange, tutor_email: str = ""
) -> Route:
    """Apply ``change``; ``tutor_email`` names the second curator from the curators' registry."""
    with store.transaction():
        route = store.get_route(number)
        if tutor_email:
            tutor = next((c for c in store.list_curators() if c.email == tutor_email.strip().lower()), None)
            if tutor is None:
                raise NotFound(f"куратор (тьютор) {tutor_email} не найден в реестре кураторов")
            change = replace(change, tutor=tutor)
        details = change_details(route.details, change, actor, route.status)
        tasks = route.educational_tasks
        if change.tasks is not None:
            tasks = changed_tasks(tasks, change.tasks, route.diagnostic.deficit_codes)
        if details == route.details and tasks == route.educational_tasks:
            return route
        changed = replace(route, details=details, educational_tasks=tasks)
        store.save_route(changed, actor, "details", _what(change))
        return changed


def _what(change: DetailsChange) -> str:
    names = {
        "region": "регион",
        "additional_info": "дополнительные сведения",
        "academic_year": "учебный год",
        "tutor": "тьютор",
        "tasks": "образовательные задачи",
        "stages": "этапы",
    }
    return (
        "изменены: " + ", ".join(label for key, label in names.items() if getattr(change, key) is not None)
        if any(getattr(change, k) is not None for k in names)
        else "снят тьютор"
    )
