"""Acknowledgements (signatures) of corrections and of the conclusions.

003 §5.11: a change to the card is signed by the curator, the head of school and the teacher;
004 Прил. 2–3: corrections are signed by the methodist (tutor) and the teacher, the conclusions by
the methodist and the head, and the teacher writes «С выводами ознакомлен(а)». Each party
acknowledges on their own view of the card; the card prints the name and date of each signature,
or an empty line while it is not given.

Decisions: the three parties sign both corrections and conclusions (the union of 003 and 004);
signing twice changes nothing (the first date stays); an archived route takes no signatures.

An acknowledgement of the conclusions is given to what the person read: the conclusions' text and
the final diagnostic they rest on (levels, deficit codes left, date — 004 Прил. 3 prints them
together). When the curator rewrites the text, or the final diagnostic changes (levels entered again
by hand, or a later re-diagnostic imported), the earlier acknowledgements no longer count for the new
conclusions: they are withdrawn from the route (the card shows empty lines again and asks each party
to acknowledge anew), and the audit line of that change names each withdrawn acknowledgement with its
date, so the history of who acknowledged which version stays in the audit trail
(``withdrawn_conclusion_signatures``). Saving the same conclusions again — the same words, whatever
the surrounding white space — withdraws nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Correction, Route, Signature, signed_by
from lms_bridge.domain.vocabulary import Role, RouteStatus, SignatureParty
from lms_bridge.errors import NotFound, PermissionDenied, WorkflowError

S = RouteStatus
PARTIES: tuple[SignatureParty, ...] = (SignatureParty.CURATOR, SignatureParty.HEAD, SignatureParty.TEACHER)
_PARTY_OF_ROLE = {
    Role.CURATOR: SignatureParty.CURATOR,
    Role.HEAD: SignatureParty.HEAD,
    Role.TEACHER: SignatureParty.TEACHER,
}
CORRECTIONS_SIGNED_IN = frozenset({S.APPROVED, S.IN_PROGRESS, S.PROLONGED, S.COMPLETED})
CONCLUSIONS_SIGNED_IN = frozenset({S.IN_PROGRESS, S.PROLONGED, S.COMPLETED})


def party_of(role: Role) -> SignatureParty | None:
    """The party a role signs as; None for roles that do not sign (developer, ЦНППМ, admin)."""
    return _PARTY_OF_ROLE.get(role)


def _signer(route: Route, actor: Actor) -> SignatureParty:
    party = party_of(actor.role)
    if party is None:
        raise PermissionDenied("подписывают куратор ИОМ, руководитель ОО и педагогический работник")
    mismatch = {
        SignatureParty.TEACHER: actor.email and actor.email.lower() != route.teacher.email,
        SignatureParty.CURATOR: actor.email and actor.email.lower() != route.curator_email.lower(),
        SignatureParty.HEAD: actor.school and actor.school != route.teacher.school,
    }[party]
    if mismatch:
        raise PermissionDenied(f"маршрут {route.number} подписывает его {party.label}, а не другой")
    if route.archived_on is not None:
        raise WorkflowError(f"маршрут {route.number} в архиве и не подписывается")
    return party


def _add(
    signatures: tuple[Signature, ...], party: SignatureParty, actor: Actor, on: date
) -> tuple[Signature, ...]:
    if signed_by(signatures, party) is not None:
        return signatures  # signing twice keeps the first date
    return (*signatures, Signature(party, actor.name, on))


def sign_correction(route: Route, number: int, actor: Actor, on: date) -> Route:
    """``actor`` acknowledges correction № ``number`` (1-based, as the card numbers them)."""
    party = _signer(route, actor)
    if not 1 <= number <= len(route.corrections):
        raise NotFound(f"в маршруте {route.number} нет корректировки № {number}")
    if route.status not in CORRECTIONS_SIGNED_IN:
        raise WorkflowError(
            f"маршрут {route.number} в статусе «{route.status.label}»: корректировки не подписываются"
        )
    old = route.corrections[number - 1]
    new = replace(old, signatures=_add(old.signatures, party, actor, on))
    fixes = tuple(new if i == number - 1 else c for i, c in enumerate(route.corrections))
    return replace(route, corrections=fixes)


def sign_conclusion(route: Route, actor: Actor, on: date) -> Route:
    """``actor`` acknowledges the conclusions (the teacher: «С выводами ознакомлен(а)»)."""
    party = _signer(route, actor)
    if route.status not in CONCLUSIONS_SIGNED_IN or not route.conclusion:
        raise WorkflowError(f"маршрут {route.number}: выводы ещё не внесены, подписывать нечего")
    return replace(route, conclusion_signatures=_add(route.conclusion_signatures, party, actor, on))


def _conclusions_read(route: Route) -> tuple[object, ...]:
    """What a party acknowledges when it signs the conclusions (see the module's docstring)."""
    return (
        " ".join(route.conclusion.split()),
        tuple(sorted((b.value, lv.value) for b, lv in route.final_levels.items())),
        route.final_codes,
        route.final_diagnostic_on,
    )


def renew_conclusion_signatures(before: Route, after: Route) -> Route:
    """``after`` without the conclusions' acknowledgements when what they acknowledged changed."""
    if not after.conclusion_signatures or _conclusions_read(before) == _conclusions_read(after):
        return after
    return replace(after, conclusion_signatures=())


def withdrawn_conclusion_signatures(before: Route, after: Route) -> str:
    """For the audit line: the acknowledgements ``after`` no longer has, «; ознакомление снято …»."""
    gone = [s for s in before.conclusion_signatures if s not in after.conclusion_signatures]
    if not gone:
        return ""
    names = ", ".join(f"{s.party.label} {s.name} ({s.on:%d.%m.%Y})" for s in gone)
    return f"; выводы изменены, ознакомление снято: {names}"


def unsigned_corrections(route: Route, party: SignatureParty) -> list[int]:
    """Numbers of the corrections ``party`` has not yet acknowledged."""
    return [i for i, c in enumerate(route.corrections, start=1) if c.signature(party) is None]


def signature_line(signature: Signature | None) -> str:
    """«Смирнова О.В., 05.12.2026», or empty while not signed (the card leaves the line blank)."""
    if signature is None:
        return ""
    return f"{signature.name}, {signature.on:%d.%m.%Y}"


def correction_signatures(c: Correction) -> list[tuple[SignatureParty, str]]:
    """Each party with its signature line, in the card's order."""
    return [(p, signature_line(c.signature(p))) for p in PARTIES]
