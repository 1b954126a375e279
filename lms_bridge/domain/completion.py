"""What a route needs before it may be completed (003 §4.5, 000 §2.6, 004 stage 4).

A route is completed only when
* every activity is done, or closed by a correction that accepts the reason it was not done;
* every formal ДПП item is decided by the LMS (a passed final attestation, source «lms») or closed
  by a correction — nobody marks a course done by hand;
* at least one final public event is held (and the curator confirmed it);
* the final diagnostics exist (an imported re-diagnostic, or levels the curator entered by hand);
* the curator's conclusions are written.

``completion_gaps`` lists every missing thing at once, in Russian, so one refusal tells the curator
all that is left (prolonging stays possible, 003 §4.5.3).
"""

from __future__ import annotations

from lms_bridge.domain.route import Activity, Route


def _activity_gap(a: Activity) -> str | None:
    if a.closed:
        return None
    name = f"мероприятие {a.key} «{a.title}»"
    if a.formal:
        if a.done and a.result_source == "lms":
            return None
        if a.failed_attestation:
            return f"{name}: {a.mark_label}; пересдача в СДО или закрытие корректировкой"
        return f"{name}: нет результата итоговой аттестации в СДО (или закройте его корректировкой)"
    if a.done:
        return None
    if a.not_done_reason:
        return f"{name}: {a.mark_label}; причина не принята корректировкой"
    return f"{name}: не выполнено"


def completion_gaps(route: Route) -> list[str]:
    """Everything that keeps the route from being completed; empty when it may be completed."""
    gaps = [g for a in route.activities if (g := _activity_gap(a))]
    if not any(e.held for e in route.final_events):
        gaps.append(
            "итоговое публичное мероприятие не проведено (нужно хотя бы одно, подтверждённое куратором)"
        )
    if not route.has_final_diagnostic:
        gaps.append("нет итоговой диагностики (загрузите повторную диагностику или внесите итоговые уровни)")
    if not route.conclusion.strip():
        gaps.append("не написаны выводы куратора")
    return gaps


def completion_refusal(route: Route) -> str | None:
    """The Russian refusal naming each missing thing, or None when the route may be completed."""
    gaps = completion_gaps(route)
    if not gaps:
        return None
    lines = "\n".join(f"— {g}" for g in gaps)
    return f"маршрут {route.number} нельзя завершить, не хватает ({len(gaps)}):\n{lines}"
