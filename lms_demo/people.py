"""Who the demo lets you be: a teacher with a route in progress, that route's curator, the head of the
teacher's school and a ЦНППМ specialist — chosen from the registry the demo has just filled."""

from __future__ import annotations

from dataclasses import dataclass

from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import RouteStatus
from lms_bridge.errors import ConfigError
from lms_bridge.ports import RouteStore
from moodle_sim.lti_claims import DemoRole

HEAD_EMAIL = "head@demo.school.ru"
HEAD_NAME = "Петрова Анна Александровна"  # the head the demo lets you be, whatever the school
# Heads of the example schools, by name: they approve (the card's «УТВЕРЖДАЮ») and sign.
HEADS = {
    "МАОУ «СОШ № 15» г. Челябинска": HEAD_NAME,
    "МОУ «СОШ № 5» г. Магнитогорска": "Соколова Ирина Владимировна",
    "МОУ «СОШ № 13» Копейского городского округа": "Кириллов Сергей Николаевич",
    "МАОУ «Гимназия № 1» г. Златоуста": "Медведева Людмила Петровна",
}


def head_name(school: str) -> str:
    return HEADS.get(school, HEAD_NAME)


CENTRE_EMAIL = "specialist@demo.cnppm.ru"


@dataclass(frozen=True)
class DemoPerson:
    role: DemoRole  # decides the LTI roles the simulated Moodle sends
    username: str
    first_name: str
    last_name: str
    email: str
    idnumber: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def _split(full_name: str) -> tuple[str, str]:
    """«Смирнова Ольга Ивановна» → («Ольга», «Смирнова»): Moodle's firstname / lastname."""
    parts = full_name.split()
    if len(parts) >= 2:
        return " ".join(parts[1:]), parts[0]
    return full_name, ""


def pick_route(routes: list[Route]) -> Route:
    """The route the demo shows: approved or in progress, with a curator and a non-formal
    activity still to mark, formal courses preferred (their results come back from the LMS)."""
    usable = [
        r
        for r in routes
        if r.status in (RouteStatus.APPROVED, RouteStatus.IN_PROGRESS)
        and r.curator_email
        and any(not a.formal and not a.done for a in r.activities)
    ]
    if not usable:
        raise ConfigError("в демонстрационных данных нет утверждённого маршрута с куратором")
    return max(usable, key=lambda r: (len(r.formal_activities), r.number))


def demo_people(store: RouteStore, route: Route) -> dict[str, DemoPerson]:
    t = route.teacher
    curator = next((c for c in store.list_curators() if c.email == route.curator_email), None)
    c_first, c_last = _split(curator.full_name if curator else route.curator_name)
    return {
        "teacher": DemoPerson(
            "teacher",
            "teacher",
            " ".join(p for p in (t.first_name, t.middle_name) if p),
            t.last_name,
            t.email,
        ),
        "curator": DemoPerson("curator", "curator", c_first, c_last, route.curator_email),
        "head": DemoPerson("head", "head", *_split(head_name(t.school)), HEAD_EMAIL),
        "centre": DemoPerson("centre", "centre", "Игорь Сергеевич", "Волков", CENTRE_EMAIL),
    }
