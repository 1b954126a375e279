"""Closed vocabularies of the regulations, each value with its Russian label.

Every enum parses both its English key and its Russian word (any case), so files
written by people in either language are accepted (``Level.parse("низкий")``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Self

_LABELS: dict[str, dict[str, str]] = {}  # filled at the end of the module


class _Labelled(StrEnum):
    """A StrEnum whose members carry a Russian label; ``parse`` accepts key or label."""

    @property
    def label(self) -> str:
        """The Russian word users read (UI, card, exports)."""
        return _LABELS[type(self).__name__][self.value]

    @classmethod
    def parse(cls, text: str) -> Self:
        key = text.strip().lower().replace("ё", "е")
        for member in cls:
            if key in (member.value, member.label.lower().replace("ё", "е")):
                return member
        allowed = ", ".join(f"{m.value}|{m.label}" for m in cls)
        raise ValueError(f"«{text}» — недопустимое значение; допустимо: {allowed}")


class StaffRole(_Labelled):
    """Whom the diagnostic assessed: a teacher or a manager (head, deputy)."""

    TEACHER = "teacher"
    MANAGER = "manager"


class Block(_Labelled):
    """Competency blocks: five for teachers, five for managers (002, 003 §2.3)."""

    SUBJECT = "subject"
    METHODICAL = "methodical"
    PSYCHOLOGICAL = "psychological"
    COMMUNICATIVE = "communicative"
    ICT = "ict"
    PROCESSES = "processes"
    RESOURCES = "resources"
    STAFF = "staff"
    RESULTS = "results"
    INFORMATION = "information"

    @property
    def staff_role(self) -> StaffRole:
        return StaffRole.TEACHER if self in TEACHER_BLOCKS else StaffRole.MANAGER


TEACHER_BLOCKS: tuple[Block, ...] = (
    Block.SUBJECT,
    Block.METHODICAL,
    Block.PSYCHOLOGICAL,
    Block.COMMUNICATIVE,
    Block.ICT,
)
MANAGER_BLOCKS: tuple[Block, ...] = (
    Block.PROCESSES,
    Block.RESOURCES,
    Block.STAFF,
    Block.RESULTS,
    Block.INFORMATION,
)


def blocks_for(role: StaffRole) -> tuple[Block, ...]:
    return TEACHER_BLOCKS if role is StaffRole.TEACHER else MANAGER_BLOCKS


class Level(_Labelled):
    """Levels of competence: 002's four (низкий, базовый, повышенный, высокий) and 004's «средний».

    A region uses one scale (``FOUR_LEVELS`` or ``THREE_LEVELS``, chosen by its profile). ``rank`` orders
    any two levels (``Level.LOW.rank < Level.HIGH.rank``); steps between two levels are counted within
    their scale (``scale_of``).
    """

    LOW = "low"
    BASIC = "basic"
    MEDIUM = "medium"
    ADVANCED = "advanced"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]


FOUR_LEVELS: tuple[Level, ...] = (Level.LOW, Level.BASIC, Level.ADVANCED, Level.HIGH)  # 002
THREE_LEVELS: tuple[Level, ...] = (Level.LOW, Level.MEDIUM, Level.HIGH)  # 004
_LEVEL_RANK = {Level.LOW: 0, Level.BASIC: 1, Level.MEDIUM: 1, Level.ADVANCED: 2, Level.HIGH: 3}


def scale_of(levels: Iterable[Level]) -> tuple[Level, ...]:
    """The scale a set of levels was given in: 004's three when «средний» is among them, else 002's four.

    Only «низкий» and «высокий» together cannot tell the scales apart; they are read on the four-level
    scale (one step more than on the three-level one).
    """
    return THREE_LEVELS if Level.MEDIUM in set(levels) else FOUR_LEVELS


def level_steps(entry: Level, final: Level, scale: Sequence[Level]) -> int:
    """How many steps of ``scale`` lie from ``entry`` to ``final`` (+1 = one level up)."""
    return scale.index(final) - scale.index(entry)


class RouteModel(_Labelled):
    """Models of forming a route (003 §2.3)."""

    DIAGNOSTIC = "diagnostic"
    POST_COURSE = "post_course"
    MENTORING = "mentoring"


class DeficitLevel(_Labelled):
    """How deep the deficits are (003 §4.2.2, §4.4.2): decides who curates the route."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class DiagnosticKind(_Labelled):
    """Forms of diagnostic (003 App.2 §3.1; 004)."""

    STANDARDIZED = "standardized"
    SELF = "self"
    RESULTS = "results"
    EXPERT = "expert"


class ActivityCategory(_Labelled):
    """The five categories of the roadmap (003 App.3 §5.6)."""

    KNOWLEDGE = "knowledge"
    EXCHANGE = "exchange"
    DEMONSTRATION = "demonstration"
    MENTORING = "mentoring"
    BURNOUT = "burnout"


class ActivityLevel(_Labelled):
    FEDERAL = "federal"
    REGIONAL = "regional"
    MUNICIPAL = "municipal"
    SCHOOL = "school"


class RouteStatus(_Labelled):
    DIAGNOSED = "diagnosed"
    DRAFT = "draft"
    AGREEMENT = "agreement"
    FINALISED = "finalised"
    CENTRE_AGREED = "centre_agreed"
    APPROVED = "approved"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    PROLONGED = "prolonged"
    CANCELLED = "cancelled"


class Role(_Labelled):
    """Who acts on a route (domain.md, «Who uses it»)."""

    TEACHER = "teacher"
    DEVELOPER = "developer"
    CURATOR = "curator"
    HEAD = "head"
    CENTRE = "centre"
    CENTRE_HEAD = "centre_head"
    COURSE_ADMIN = "course_admin"
    ADMIN = "admin"
    SYSTEM = "system"


class ProductKind(_Labelled):
    """The educational product the teacher created, the result of the route (004 §1.2)."""

    METHODICAL = "methodical"
    LESSON = "lesson"
    PROGRAMME = "programme"
    ARTICLE = "article"
    DIGITAL = "digital"
    OTHER = "other"


class SignatureParty(_Labelled):
    """Who signs a correction or the conclusions (003 §5.11, 004 Прил. 2–3)."""

    CURATOR = "curator"
    HEAD = "head"
    TEACHER = "teacher"


class CuratorKind(_Labelled):
    """Kinds of curator (003 §4.4.2)."""

    METHODIST = "methodist"
    LECTURER = "lecturer"
    UNION_HEAD = "union_head"
    MENTOR = "mentor"


_LABELS.update(
    StaffRole={"teacher": "педагог", "manager": "руководитель"},
    Block={
        "subject": "предметные",
        "methodical": "методические",
        "psychological": "психолого-педагогические",
        "communicative": "коммуникативные",
        "ict": "ИКТ-компетенции",
        "processes": "управление процессами",
        "resources": "управление ресурсами",
        "staff": "управление кадрами",
        "results": "управление результатами",
        "information": "управление информацией",
    },
    Level={
        "low": "низкий",
        "basic": "базовый",
        "medium": "средний",
        "advanced": "повышенный",
        "high": "высокий",
    },
    RouteModel={
        "diagnostic": "по результатам диагностики",
        "post_course": "посткурсовое сопровождение",
        "mentoring": "в рамках программы наставничества",
    },
    DeficitLevel={"high": "высокий", "medium": "средний", "low": "низкий"},
    DiagnosticKind={
        "standardized": "стандартизированная оценка",
        "self": "самодиагностика",
        "results": "анализ результатов деятельности",
        "expert": "экспертная оценка",
    },
    ActivityCategory={
        "knowledge": "получение дополнительных знаний",
        "exchange": "профессиональное развитие и обмен опытом",
        "demonstration": "демонстрация личного опыта",
        "mentoring": "наставничество",
        "burnout": "профилактика профессионального выгорания",
    },
    ActivityLevel={
        "federal": "федеральный",
        "regional": "региональный",
        "municipal": "муниципальный",
        "school": "ОО",
    },
    RouteStatus={
        "diagnosed": "диагностика пройдена",
        "draft": "проект",
        "agreement": "на согласовании",
        "finalised": "оформлен разработчиком",
        "centre_agreed": "согласован с руководителем ЦНППМ",
        "approved": "утверждён",
        "in_progress": "реализуется",
        "completed": "завершён",
        "prolonged": "продлён",
        "cancelled": "отменён",
    },
    Role={
        "teacher": "педагог",
        "developer": "разработчик ИОМ",
        "curator": "куратор",
        "head": "руководитель ОО",
        "centre": "специалист ЦНППМ",
        "centre_head": "руководитель ЦНППМ",
        "course_admin": "администратор курсов",
        "admin": "администратор",
        "system": "система",
    },
    ProductKind={
        "methodical": "методическая разработка",
        "lesson": "конспект/технологическая карта урока",
        "programme": "рабочая программа",
        "article": "статья/публикация",
        "digital": "цифровой образовательный ресурс",
        "other": "другое",
    },
    SignatureParty={
        "curator": "куратор ИОМ",
        "head": "руководитель ОО",
        "teacher": "педагогический работник",
    },
    CuratorKind={
        "methodist": "региональный методист",
        "lecturer": "преподаватель",
        "union_head": "руководитель методического объединения",
        "mentor": "наставник",
    },
)
