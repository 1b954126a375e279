"""Use cases of a route's reflective-analytical stage, each one transaction with an audit line:
final diagnostics taken from imported re-diagnostics, final public events, the educational product
(with its file) and the teacher's reflection. The CLI, the pages and the API call these.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from lms_bridge.domain import final_events, final_stage, signatures
from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.domain.final_events import EventDraft
from lms_bridge.domain.people import SYSTEM, Actor
from lms_bridge.domain.results import Product, Reflection
from lms_bridge.domain.route import Route
from lms_bridge.domain.uploads import DEFAULT_FILE_TYPES, DEFAULT_MAX_BYTES, check_upload
from lms_bridge.domain.vocabulary import ProductKind
from lms_bridge.ports import RouteStore


def take_final_diagnostics(store: RouteStore, diagnostics: Sequence[Diagnostic]) -> list[str]:
    """Make each new diagnostic the final diagnostic of its teacher's route in progress or prolonged
    (``final_stage.takes_as_final``); returns the numbers of the routes that changed. Idempotent:
    the same import again changes nothing. Call inside the import's transaction."""
    by_teacher: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        by_teacher.setdefault(d.teacher_email, []).append(d)
    changed = []
    for route in store.list_implementing_routes(list(by_teacher)):
        taken = route
        for d in sorted(by_teacher.get(route.teacher.email, []), key=lambda d: d.date):
            if final_stage.takes_as_final(taken, d):
                taken = final_stage.apply_final_diagnostic(taken, d)
        if taken != route:
            d_on = taken.final_diagnostic_on
            details = f"повторная диагностика {d_on:%d.%m.%Y}"
            details += signatures.withdrawn_conclusion_signatures(route, taken)
            store.save_route(taken, SYSTEM, "final diagnostic", details)
            changed.append(route.number)
    return changed


def _apply(
    store: RouteStore, number: str, actor: Actor, action: str, change: Callable[[Route], Route], details: str
) -> Route:
    with store.transaction():
        route = change(store.get_route(number))
        store.save_route(route, actor, action, details)
        return route


# --- final public events ---------------------------------------------------------------------------
def add_event(store: RouteStore, number: str, actor: Actor, draft: EventDraft) -> Route:
    return _apply(
        store, number, actor, "event add", lambda r: final_events.add_event(r, actor, draft), draft.title
    )


def edit_event(store: RouteStore, number: str, actor: Actor, key: str, draft: EventDraft) -> Route:
    return _apply(
        store,
        number,
        actor,
        "event edit",
        lambda r: final_events.edit_event(r, actor, key, draft),
        f"{key}: {draft.title}",
    )


def remove_event(store: RouteStore, number: str, actor: Actor, key: str) -> Route:
    return _apply(
        store, number, actor, "event remove", lambda r: final_events.remove_event(r, actor, key), key
    )


def mark_event_held(
    store: RouteStore,
    number: str,
    actor: Actor,
    key: str,
    *,
    on: date,
    today: date,
    link: str = "",
    note: str = "",
) -> Route:
    return _apply(
        store,
        number,
        actor,
        "event held",
        lambda r: final_events.mark_held(r, actor, key, on=on, today=today, link=link, note=note),
        f"{key}: проведено {on:%d.%m.%Y}",
    )


def confirm_event(store: RouteStore, number: str, actor: Actor, key: str) -> Route:
    return _apply(
        store, number, actor, "event confirm", lambda r: final_events.confirm_event(r, actor, key), key
    )


# --- the educational product and the reflection ---------------------------------------------------
@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


@dataclass(frozen=True)
class UploadRules:
    """``Settings.product_max_bytes`` and ``product_file_types``."""

    max_bytes: int = DEFAULT_MAX_BYTES
    allowed: tuple[str, ...] = DEFAULT_FILE_TYPES


DEFAULT_UPLOADS = UploadRules()


def save_product(
    store: RouteStore,
    number: str,
    actor: Actor,
    today: date,
    *,
    kind: ProductKind,
    title: str,
    description: str = "",
    link: str = "",
    upload: Upload | None = None,
    rules: UploadRules = DEFAULT_UPLOADS,
) -> Route:
    """The teacher's educational product: a link, an uploaded file (kept by the registry), or both.
    A new entry without a file keeps the file uploaded before."""
    file = None
    if upload is not None:
        file = check_upload(upload.name, upload.data, max_bytes=rules.max_bytes, allowed=list(rules.allowed))
    with store.transaction():
        route = store.get_route(number)
        kept = route.product.file if route.product else None
        product = Product(
            kind=kind,
            title=title.strip(),
            description=description.strip(),
            link=link.strip(),
            file=file or kept,
            entered_on=today,
        )
        changed = final_stage.set_product(route, actor, product)
        if upload is not None and file is not None:
            store.save_product_file(number, file, upload.data)
        store.save_route(changed, actor, "product", f"{kind.label}: {product.title}")
        return changed


def save_reflection(
    store: RouteStore, number: str, actor: Actor, today: date, answers: dict[str, str]
) -> Route:
    reflection = Reflection(
        overcome=answers.get("overcome", "").strip(),
        helped=answers.get("helped", "").strip(),
        remains=answers.get("remains", "").strip(),
        needs_met=answers.get("needs_met", "").strip(),
        written_on=today,
    )
    return _apply(
        store, number, actor, "reflection", lambda r: final_stage.set_reflection(r, actor, reflection), ""
    )
