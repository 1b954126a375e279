"""Acknowledgements of corrections and conclusions (003 §5.11, 004 Прил. 2–3): the pure rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.domain.final_stage import apply_final_diagnostic, takes_as_final, write_conclusion
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Route
from lms_bridge.domain.signatures import (
    sign_conclusion,
    sign_correction,
    signature_line,
    unsigned_corrections,
    withdrawn_conclusion_signatures,
)
from lms_bridge.domain.vocabulary import Block, DiagnosticKind, Level, Role, RouteStatus, SignatureParty
from lms_bridge.errors import NotFound, PermissionDenied, WorkflowError
from tests.exporters.sample import full_route

DAY = date(2027, 3, 1)
CURATOR = Actor(Role.CURATOR, "Смирнова О.В.")
HEAD = Actor(Role.HEAD, "Петрова А.А.")
TEACHER = Actor(Role.TEACHER, "Иванова М.П.")


def unsigned(status: RouteStatus = RouteStatus.IN_PROGRESS) -> Route:
    r = full_route()
    fixes = tuple(replace(c, signatures=()) for c in r.corrections)
    return replace(r, status=status, corrections=fixes, conclusion_signatures=())


def test_each_party_signs_a_correction_with_name_and_date() -> None:
    r = unsigned()
    assert unsigned_corrections(r, SignatureParty.HEAD) == [1]
    for actor in (CURATOR, HEAD, TEACHER):
        r = sign_correction(r, 1, actor, DAY)
    c = r.corrections[0]
    assert [(s.party, s.name, s.on) for s in c.signatures] == [
        (SignatureParty.CURATOR, "Смирнова О.В.", DAY),
        (SignatureParty.HEAD, "Петрова А.А.", DAY),
        (SignatureParty.TEACHER, "Иванова М.П.", DAY),
    ]
    assert signature_line(c.signature(SignatureParty.HEAD)) == "Петрова А.А., 01.03.2027"
    assert unsigned_corrections(r, SignatureParty.HEAD) == []


def test_signing_twice_keeps_the_first_date() -> None:
    once = sign_correction(unsigned(), 1, TEACHER, DAY)
    assert sign_correction(once, 1, TEACHER, date(2027, 4, 1)) == once


@pytest.mark.parametrize("role", [Role.DEVELOPER, Role.CENTRE, Role.CENTRE_HEAD, Role.ADMIN, Role.SYSTEM])
def test_only_curator_head_and_teacher_sign(role: Role) -> None:
    with pytest.raises(PermissionDenied, match="подписывают куратор"):
        sign_correction(unsigned(), 1, Actor(role, "X"), DAY)


def test_a_person_signs_only_as_themself() -> None:
    r = unsigned()
    with pytest.raises(PermissionDenied):
        sign_correction(r, 1, Actor(Role.TEACHER, "Другая", email="other@school.ru"), DAY)
    with pytest.raises(PermissionDenied):
        sign_correction(r, 1, Actor(Role.HEAD, "Другой", school="МБОУ «СОШ № 99»"), DAY)
    own = Actor(Role.TEACHER, "Иванова М.П.", email=r.teacher.email)
    assert sign_correction(r, 1, own, DAY).corrections[0].signature(SignatureParty.TEACHER) is not None


def test_unknown_correction_and_wrong_state_are_refused() -> None:
    with pytest.raises(NotFound, match="№ 2"):
        sign_correction(unsigned(), 2, CURATOR, DAY)
    with pytest.raises(WorkflowError, match="не подписываются"):
        sign_correction(unsigned(RouteStatus.CANCELLED), 1, CURATOR, DAY)
    with pytest.raises(WorkflowError, match="в архиве"):
        sign_correction(replace(unsigned(RouteStatus.COMPLETED), archived_on=DAY), 1, CURATOR, DAY)


def test_teacher_acknowledges_the_conclusions() -> None:
    r = sign_conclusion(unsigned(RouteStatus.COMPLETED), TEACHER, DAY)
    (s,) = r.conclusion_signatures
    assert (s.party, s.name, s.on) == (SignatureParty.TEACHER, "Иванова М.П.", DAY)
    with pytest.raises(WorkflowError, match="выводы ещё не внесены"):
        sign_conclusion(replace(unsigned(), conclusion=""), TEACHER, DAY)


def test_new_conclusions_must_be_signed_again() -> None:
    signed = sign_conclusion(unsigned(), TEACHER, DAY)
    # the sample's final diagnostic is an imported re-diagnostic: only the text can change
    same = write_conclusion(signed, CURATOR, final_levels={}, conclusion=signed.conclusion, on=DAY)
    assert same.conclusion_signatures == signed.conclusion_signatures
    changed = write_conclusion(signed, CURATOR, final_levels={}, conclusion="Новые выводы", on=DAY)
    assert changed.conclusion_signatures == ()


# --- acknowledgements of the conclusions follow the text and the final diagnostic they were given to ---
def test_saving_the_same_conclusions_again_keeps_the_acknowledgements() -> None:
    signed = sign_conclusion(sign_conclusion(unsigned(), TEACHER, DAY), HEAD, DAY)
    # the page sends the words back with its own line breaks and the imported levels as shown
    resent = "  " + "\n".join(signed.conclusion.split(" ")) + "\n"
    same = write_conclusion(signed, CURATOR, final_levels=signed.final_levels, conclusion=resent, on=DAY)
    assert same.conclusion_signatures == signed.conclusion_signatures
    assert same.final_source == "import"  # the imported levels were not re-entered by hand
    assert withdrawn_conclusion_signatures(signed, same) == ""


def test_edited_conclusions_withdraw_every_acknowledgement_and_say_whose() -> None:
    signed = sign_conclusion(sign_conclusion(unsigned(), TEACHER, DAY), HEAD, date(2027, 3, 2))
    edited = write_conclusion(signed, CURATOR, final_levels={}, conclusion="Маршрут продлить", on=DAY)
    assert edited.conclusion_signatures == ()
    note = withdrawn_conclusion_signatures(signed, edited)
    assert "Иванова М.П. (01.03.2027)" in note
    assert "Петрова А.А. (02.03.2027)" in note
    again = sign_conclusion(edited, TEACHER, date(2027, 3, 5))  # the new text is acknowledged anew
    assert [s.on for s in again.conclusion_signatures] == [date(2027, 3, 5)]


def test_final_levels_entered_again_by_hand_withdraw_the_acknowledgements() -> None:
    by_hand = replace(unsigned(), final_source="curator")
    signed = sign_conclusion(by_hand, TEACHER, DAY)
    same = write_conclusion(
        signed, CURATOR, final_levels=signed.final_levels, conclusion=signed.conclusion, on=DAY
    )
    assert same.conclusion_signatures == signed.conclusion_signatures
    levels = {**signed.final_levels, Block.SUBJECT: Level.LOW}
    changed = write_conclusion(signed, CURATOR, final_levels=levels, conclusion=signed.conclusion, on=DAY)
    assert changed.conclusion_signatures == ()


def test_a_later_re_diagnostic_withdraws_the_acknowledgements() -> None:
    signed = sign_conclusion(unsigned(), TEACHER, DAY)
    later = Diagnostic(
        teacher_email=signed.teacher.email,
        kind=DiagnosticKind.STANDARDIZED,
        date=date(2027, 9, 20),
        levels={Block.SUBJECT: Level.HIGH},
        deficit_codes=(),
    )
    assert takes_as_final(signed, later)
    taken = apply_final_diagnostic(signed, later)
    assert taken.conclusion_signatures == ()
    assert "Иванова М.П." in withdrawn_conclusion_signatures(signed, taken)
