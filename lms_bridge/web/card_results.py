"""The card page's forms of the reflective-analytical stage: final public events, the educational
product (with its file), the reflection, closing an activity by a correction. Each handler reads the
form, calls one service and returns; ``pages.act`` checks the session, CSRF and scope first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import request

from lms_bridge.config import Settings
from lms_bridge.domain.final_events import EventDraft
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import ActivityLevel, ProductKind
from lms_bridge.errors import Problem, ValidationError
from lms_bridge.ports import RouteStore
from lms_bridge.services import route_actions, route_results
from lms_bridge.services.route_results import Upload, UploadRules


def form_date(field: str, default: date | None = None) -> date | None:
    raw = request.form.get(field, "").strip()
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError([Problem(f"«{raw}» — не дата (ГГГГ-ММ-ДД)", field=field)]) from None


def _choice(parse: Callable[[str], object], field: str, default: str) -> object:
    try:
        return parse(request.form.get(field) or default)
    except ValueError as e:
        raise ValidationError([Problem(str(e), field=field)]) from None


def _draft() -> EventDraft:
    f = request.form
    start = form_date("start")
    level = _choice(ActivityLevel.parse, "level", "school")
    assert isinstance(level, ActivityLevel)
    return EventDraft(f.get("form", ""), f.get("title", ""), level, start, form_date("end", start))


def upload_rules(settings: Settings) -> UploadRules:
    return UploadRules(settings.product_max_bytes, tuple(settings.product_file_types))


Handler = Callable[[RouteStore, Route, Actor, date, Settings], object]


def _event_add(store: RouteStore, route: Route, actor: Actor, _today: date, _s: Settings) -> object:
    return route_results.add_event(store, route.number, actor, _draft())


def _event_edit(store: RouteStore, route: Route, actor: Actor, _today: date, _s: Settings) -> object:
    return route_results.edit_event(store, route.number, actor, request.form.get("key", ""), _draft())


def _event_remove(store: RouteStore, route: Route, actor: Actor, _today: date, _s: Settings) -> object:
    return route_results.remove_event(store, route.number, actor, request.form.get("key", ""))


def _event_held(store: RouteStore, route: Route, actor: Actor, today: date, _s: Settings) -> object:
    f = request.form
    on = form_date("held_on", today) or today
    key = f.get("key", "")
    return route_results.mark_event_held(
        store, route.number, actor, key, on=on, today=today, link=f.get("link", ""), note=f.get("note", "")
    )


def _event_confirm(store: RouteStore, route: Route, actor: Actor, _today: date, _s: Settings) -> object:
    return route_results.confirm_event(store, route.number, actor, request.form.get("key", ""))


def _product(store: RouteStore, route: Route, actor: Actor, today: date, s: Settings) -> object:
    f = request.form
    kind = _choice(ProductKind.parse, "kind", "")
    assert isinstance(kind, ProductKind)
    sent = request.files.get("file")
    upload = Upload(sent.filename or "", sent.read()) if sent and sent.filename else None
    return route_results.save_product(
        store,
        route.number,
        actor,
        today,
        kind=kind,
        title=f.get("title", ""),
        description=f.get("description", ""),
        link=f.get("link", ""),
        upload=upload,
        rules=upload_rules(s),
    )


def _reflection(store: RouteStore, route: Route, actor: Actor, today: date, _s: Settings) -> object:
    answers = {k: request.form.get(k, "") for k in ("overcome", "helped", "remains", "needs_met")}
    return route_results.save_reflection(store, route.number, actor, today, answers)


def _close(store: RouteStore, route: Route, actor: Actor, _today: date, _s: Settings) -> object:
    from lms_bridge.web.context import web_context

    f = request.form
    return route_actions.close(
        store, route.number, f.get("key", ""), actor, web_context().clock(), reason=f.get("reason", "")
    )


HANDLERS: dict[str, Handler] = {
    "event_add": _event_add,
    "event_edit": _event_edit,
    "event_remove": _event_remove,
    "event_held": _event_held,
    "event_confirm": _event_confirm,
    "product": _product,
    "reflection": _reflection,
    "close": _close,
}
MESSAGES = {
    "event_add": "Итоговое мероприятие добавлено.",
    "event_edit": "Итоговое мероприятие изменено.",
    "event_remove": "Итоговое мероприятие удалено.",
    "event_held": "Отметка о проведении сохранена.",
    "event_confirm": "Подтверждено.",
    "product": "Образовательный продукт сохранён.",
    "reflection": "Самоанализ сохранён.",
    "close": "Мероприятие закрыто корректировкой.",
}
