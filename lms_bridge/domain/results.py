"""What a route yields at its reflective-analytical stage (004 stage 4, 003 §4.5): the final public
events, the educational product and the teacher's reflection.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lms_bridge.domain.vocabulary import ActivityLevel, ProductKind


@dataclass(frozen=True)
class FinalEvent:
    """A final public event where the teacher presents the results (004: «можно спланировать несколько»).

    The teacher proposes (``confirmed`` False) and reports it held (``held_on`` set); the curator
    confirms the plan and the holding. Only a confirmed holding counts for completion.
    """

    key: str
    form: str
    title: str
    level: ActivityLevel = ActivityLevel.SCHOOL
    start: date | None = None
    end: date | None = None
    confirmed: bool = False
    held_on: date | None = None
    held_confirmed: bool = False
    link: str = ""  # a recording, a publication, a programme of the event
    note: str = ""
    proposed_by: str = ""

    @property
    def held(self) -> bool:
        return self.held_on is not None and self.held_confirmed

    @property
    def state_label(self) -> str:
        if self.held:
            return f"проведено {self.held_on:%d.%m.%Y}"
        if self.held_on is not None:
            return f"проведено {self.held_on:%d.%m.%Y} (ждёт подтверждения куратора)"
        return "запланировано" if self.confirmed else "предложено педагогом (ждёт подтверждения куратора)"


@dataclass(frozen=True)
class ProductFile:
    """A file of the educational product kept by the registry (the bytes live in the store)."""

    name: str
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Product:
    """The educational product the teacher created (004 §1.2): a link or an uploaded file."""

    kind: ProductKind
    title: str
    description: str = ""
    link: str = ""
    file: ProductFile | None = None
    entered_on: date | None = None


REFLECTION_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("overcome", "Какие профессиональные дефициты удалось преодолеть?"),
    ("helped", "Что помогло (какие мероприятия были наиболее полезны)?"),
    ("remains", "Что осталось непреодолённым, над чем предстоит работать?"),
    ("needs_met", "Удовлетворены ли ваши профессиональные потребности и запросы?"),
)
"""The questions of the teacher's self-analysis (004 stage 4, 003 §4.5.2, 001 stage 4)."""


@dataclass(frozen=True)
class Reflection:
    """The teacher's self-analysis, one free-text answer per question of ``REFLECTION_QUESTIONS``."""

    overcome: str = ""
    helped: str = ""
    remains: str = ""
    needs_met: str = ""
    written_on: date | None = None

    def answers(self) -> list[tuple[str, str]]:
        """(question, answer) in the order of the questions."""
        return [(q, getattr(self, key)) for key, q in REFLECTION_QUESTIONS]

    @property
    def empty(self) -> bool:
        return not any(getattr(self, key).strip() for key, _ in REFLECTION_QUESTIONS)
