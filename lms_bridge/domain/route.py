"""The route (ИОМ) as the card defines it: title, information, entry diagnostics, roadmap,
corrections log, final public event, final diagnostics and conclusions (domain.md, «The route card»).

Objects are frozen: every change produces a new object (``dataclasses.replace``), which keeps
the workflow functions pure and makes "what changed" easy to audit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from lms_bridge.domain.card_details import CardDetails
from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.domain.people import Teacher
from lms_bridge.domain.results import FinalEvent, Product, Reflection
from lms_bridge.domain.vocabulary import (
    ActivityCategory,
    ActivityLevel,
    Block,
    DiagnosticKind,
    Level,
    RouteStatus,
    SignatureParty,
    level_steps,
    scale_of,
)
from lms_bridge.errors import NotFound


@dataclass(frozen=True)
class Activity:
    """One roadmap activity. Formal when it is an LMS course (``lms_course`` = the course's idnumber
    or shortname from the course map); its completion then comes from the LMS final attestation."""

    key: str
    category: ActivityCategory
    title: str
    level: ActivityLevel = ActivityLevel.REGIONAL
    organiser: str = ""
    start: date | None = None
    end: date | None = None
    deficit_codes: tuple[str, ...] = ()
    lms_course: str | None = None
    hours: int | None = None
    done: bool = False
    done_on: date | None = None
    not_done_reason: str = ""
    result: str = ""
    result_form: str = ""
    grade: float | None = None
    pass_grade: float | None = None  # the pass mark the LMS grade was held against
    result_source: str = ""  # "lms", "teacher" or "curator": who recorded the mark
    closed: bool = False  # closed without completion by a correction (the reason is kept)
    curator_note: str = ""  # the curator's intermediate result (003 §4.4.5)
    head_confirmed_by: str = ""  # enrolment application confirmed by the head of school (000 §2.1)
    centre_confirmed_by: str = ""  # ... and by a ЦНППМ / study-office specialist
    # The teacher's choice (000 §2.1 b, §1.7): the catalogue ДПП drafting offered for this item (the
    # recommended one first); with two or more the teacher chooses one (``domain.choice``).
    options: tuple[str, ...] = ()
    chosen_by: str = ""
    chosen_on: date | None = None
    rejected_by: str = ""  # a ЦНППМ specialist rejected the application ...
    rejection_reason: str = ""  # ... for this reason (the head and the teacher see it)

    @property
    def formal(self) -> bool:
        return self.lms_course is not None

    @property
    def awaits_choice(self) -> bool:
        """A ДПП among alternatives the teacher has not chosen yet: no application until they do."""
        return self.formal and len(self.options) > 1 and not self.chosen_by

    @property
    def application_confirmed(self) -> bool:
        return bool(self.head_confirmed_by and self.centre_confirmed_by)

    @property
    def failed_attestation(self) -> bool:
        """The LMS graded the final attestation below the pass mark (and no pass came later)."""
        return not self.done and self.grade is not None and self.pass_grade is not None

    @property
    def mark_label(self) -> str:
        """The card's «отметка о выполнении или причины невыполнения» (004 Прил. 1)."""
        if self.done:
            return f"выполнено {self.done_on:%d.%m.%Y}" if self.done_on else "выполнено"
        if self.closed:
            return f"закрыто корректировкой: {self.not_done_reason}"
        if self.failed_attestation:
            return (
                f"не выполнено: итоговая аттестация не пройдена "
                f"(оценка {self.grade:g} при проходном {self.pass_grade:g})"
            )
        if self.not_done_reason:
            return f"не выполнено: {self.not_done_reason}"
        return ""


@dataclass(frozen=True)
class Signature:
    """An acknowledgement: who (party, name) signed a correction or the conclusions, and when."""

    party: SignatureParty
    name: str
    on: date


def signed_by(signatures: tuple[Signature, ...], party: SignatureParty) -> Signature | None:
    return next((s for s in signatures if s.party is party), None)


@dataclass(frozen=True)
class Correction:
    """One line of the corrections log (004 Прил. 2), signed by the curator, the head of school and
    the teacher (003 §5.11) as each acknowledges it."""

    at: datetime
    reason: str
    author: str
    replaced: str = ""
    new: str = ""
    signatures: tuple[Signature, ...] = ()

    def signature(self, party: SignatureParty) -> Signature | None:
        return signed_by(self.signatures, party)


@dataclass(frozen=True)
class Route:
    number: str
    teacher: Teacher
    diagnostic: Diagnostic
    status: RouteStatus = RouteStatus.DRAFT
    curator_email: str = ""
    curator_name: str = ""
    developed_on: date | None = None
    start: date | None = None
    end: date | None = None
    activities: tuple[Activity, ...] = ()
    corrections: tuple[Correction, ...] = ()
    final_events: tuple[FinalEvent, ...] = ()
    final_levels: Mapping[Block, Level] = field(default_factory=dict)
    final_diagnostic_on: date | None = None
    final_kind: DiagnosticKind | None = None
    final_codes: tuple[str, ...] | None = None  # deficit codes left; None = not assessed
    final_source: str = ""  # "import" (a re-diagnostic) or "curator" (entered by hand)
    conclusion: str = ""
    next_diagnostic_on: date | None = None
    submitted_on: date | None = None
    approved_by: str = ""
    approved_on: date | None = None
    self_education_theme: str = ""
    started_on: date | None = None  # actual start (the «start» transition)
    completed_on: date | None = None  # actual completion (the «complete» transition)
    previous_number: str = ""  # the teacher's route before this one
    product: Product | None = None
    reflection: Reflection | None = None
    # Acknowledgements of the conclusions: «С выводами ознакомлен(а)» (teacher), curator, head (004 Прил. 3)
    conclusion_signatures: tuple[Signature, ...] = ()
    # Keeping (003 §4.5.4): when the route was completed or cancelled, moved to the archive, depersonalised
    closed_on: date | None = None
    archived_on: date | None = None
    purged_on: date | None = None
    details: CardDetails = field(default_factory=CardDetails)  # what regional card layouts add
    educational_tasks: Mapping[str, str] = field(default_factory=dict)  # 001: deficit code → tasks
    # Set only by ``domain.access.redact_for``: why the diagnostic results are left out of this copy
    # ("" = complete). Outputs print it in their place; a store refuses to save such a copy.
    withheld: str = ""

    def tasks_for(self, code: str) -> str:
        """«Образовательные задачи» for the deficit ``code`` (001's table)."""
        return self.educational_tasks.get(code, "")

    def activity(self, key: str) -> Activity:
        for a in self.activities:
            if a.key == key:
                return a
        raise NotFound(f"в маршруте {self.number} нет мероприятия «{key}»")

    def with_activity(self, new: Activity) -> Route:
        """The same route with the activity of the same key replaced (or appended)."""
        rest = [a for a in self.activities if a.key != new.key]
        if len(rest) == len(self.activities):
            return replace(self, activities=(*self.activities, new))
        return replace(self, activities=tuple(new if a.key == new.key else a for a in self.activities))

    def next_activity_key(self) -> str:
        used = [int(a.key) for a in self.activities if a.key.isdigit()]
        return str(max(used, default=0) + 1)

    @property
    def formal_activities(self) -> tuple[Activity, ...]:
        return tuple(a for a in self.activities if a.formal)

    def progress(self) -> tuple[int, int]:
        """(done, total) over all activities."""
        return sum(a.done for a in self.activities), len(self.activities)

    @property
    def duration_months(self) -> int | None:
        if not (self.start and self.end):
            return None
        return max(1, round((self.end - self.start).days / 30.44))

    def dynamics(self) -> dict[Block, int]:
        """Change of level per block between entry and final diagnostics (+1 = one level up)."""
        entry = self.diagnostic.levels
        scale = scale_of([*entry.values(), *self.final_levels.values()])
        return {
            b: level_steps(entry[b], lv, scale)
            for b, lv in self.final_levels.items()
            if b in entry and entry[b] in scale and lv in scale
        }

    def uncovered_deficits(self) -> tuple[str, ...]:
        """Entry deficit codes that no activity of the route addresses (the card flags them)."""
        covered = {code for a in self.activities for code in a.deficit_codes}
        return tuple(c for c in self.diagnostic.deficit_codes if c not in covered)

    def deficits_gone(self) -> tuple[str, ...] | None:
        """Entry deficit codes the final diagnostic no longer shows; None when it listed none."""
        if self.final_codes is None:
            return None
        left = set(self.final_codes)
        return tuple(c for c in self.diagnostic.deficit_codes if c not in left)

    def get_final_event(self, key: str) -> FinalEvent:
        for e in self.final_events:
            if e.key == key:
                return e
        raise NotFound(f"в маршруте {self.number} нет итогового мероприятия «{key}»")

    @property
    def has_final_diagnostic(self) -> bool:
        return self.final_diagnostic_on is not None and bool(self.final_levels)
