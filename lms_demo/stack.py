"""The demo stack: a fresh registry filled from examples/, the Moodle simulator with its LTI 1.3
platform on one site, the bridge's web app (the LTI tool) on another, registered with each other,
and the sync jobs run once against the simulator.

Two different sites (127.0.0.1 and localhost) on purpose: the tool is embedded cross-site in the
course page, as it is in production, so third-party-cookie rules bite in the demo as they would there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import TracebackType

import requests
from pydantic import SecretStr

from course_map.models import DecidedBy
from lms_bridge.bootstrap import build_launch_store, build_web_app
from lms_bridge.config import LtiStaffConfig, Settings
from lms_bridge.ports import Head
from lms_bridge.services.sync_common import JobReport
from lms_bridge.storage.store import SqlRouteStore
from lms_bridge.web.lti.keys import generate_pem
from lms_demo import lti_setup, seed, story
from lms_demo.people import CENTRE_EMAIL, DemoPerson, head_name
from lms_demo.servers import ServerThread
from lms_demo.sync import sync_demo
from moodle_sim import SimConfig, SimState, create_sim_app
from moodle_sim.lti import LtiPlatform, PlatformCourse, PlatformUser, lti_blueprint
from moodle_sim.seed import Person, add_person, seed_examples

LTI_COURSE = PlatformCourse(900, "ИОМ-ПЕДАГОГ", "Индивидуальные образовательные маршруты педагогов", "IOM")
SIM_TOKEN = "demo-sim-token"
Say = Callable[[str], None]


@dataclass(frozen=True)
class DemoConfig:
    workdir: Path = Path("var")
    examples: Path = Path("examples")
    bind: str = "127.0.0.1"
    sim_host: str = "127.0.0.1"
    sim_port: int = 8081
    web_host: str = "localhost"
    web_port: int = 8000
    sync: bool = True
    today: date = field(default_factory=date.today)


class DemoStack:
    """``start()`` builds and serves everything; ``stop()`` ends the servers. A context manager."""

    def __init__(self, config: DemoConfig, say: Say = lambda _text: None):
        self.config = config
        self.say = say
        self.people: dict[str, DemoPerson] = {}
        self.route_number = ""
        self.completed_number = ""  # the route completed honestly by the story (lms_demo.story)
        self.store: SqlRouteStore | None = None
        self.sync_reports: list[JobReport] = []
        self.sim_state = SimState()
        self._sim = ServerThread(config.bind, config.sim_port, name="demo-sim")
        try:
            self._web = ServerThread(config.bind, config.web_port, name="demo-web")
        except OSError:
            self._sim.stop()
            raise
        self.sim_url = f"http://{config.sim_host}:{self._sim.port}"
        self.web_url = f"http://{config.web_host}:{self._web.port}"
        self.platform = LtiPlatform(issuer=self.sim_url, site_name="Moodle ЦНППМ (симулятор)")
        self.settings = Settings(
            public_url=self.web_url,
            lti_private_key=SecretStr(generate_pem().decode()),
            lti_staff={CENTRE_EMAIL: LtiStaffConfig(role="centre", platform=self.sim_url)},
            moodle_url=self.sim_url,
            moodle_token=SecretStr(SIM_TOKEN),
        )

    # --- what to open -------------------------------------------------------------------------
    def course_url(self, role: str) -> str:
        return f"{self.sim_url}/course/view.php?id={LTI_COURSE.id}&user={self.people[role].username}"

    @property
    def urls(self) -> dict[str, str]:
        return {role: self.course_url(role) for role in self.people}

    # --- life cycle ---------------------------------------------------------------------------
    def start(self) -> DemoStack:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        cfg = self.config
        cfg.workdir.mkdir(parents=True, exist_ok=True)
        seeded = seed.prepare(cfg.workdir, cfg.examples, self.settings, cfg.today, self.say)
        self.settings, self.route_number, self.store = seeded.settings, seeded.route_number, seeded.store
        self.people = self._seed_simulator(seeded.people)
        self._sim.start(
            create_sim_app(
                SimConfig(token=SIM_TOKEN, site_url=self.sim_url),
                self.sim_state,
                blueprints=[lti_blueprint(self.platform)],
            )
        )
        launches = build_launch_store(seeded.store)
        teacher = seeded.store.get_route(self.route_number).teacher
        head = self.people["head"]
        launches.add_head(
            Head(head.email, f"{head.last_name} {head.first_name}", teacher.school, teacher.municipality)
        )
        # the web app serves from here on; the registry keeps the demo's clock until the story is told
        self._web.start(build_web_app(self.settings, store=seeded.store))
        # as an administrator and a course editor would in Moodle: register, then select content
        with requests.Session() as http:
            lti_setup.register(http, self.sim_url, self.web_url, launches)
            (tool,) = self.platform.tools.values()
            lti_setup.place(
                http, self.sim_url, LTI_COURSE.id, tool.deployment_id, self.people["curator"].username
            )
        placed = ", ".join(f"«{a.title}»" for a in self.platform.course_activities(LTI_COURSE.id))
        self.say(
            f"инструмент зарегистрирован в симуляторе динамически; размещено выбором содержимого: {placed}"
        )
        if cfg.sync:
            self._sync_and_finish(seeded)
        elif seeded.completed_number:
            self.say(f"без синхронизации маршрут № {seeded.completed_number} ждёт результатов курсов из СДО")
        seeded.clock.release()  # from here on the registry lives on the real clock
        return self

    def _sync_and_finish(self, seeded: seed.Seeded) -> None:
        """The sync on the demo's day, then (the courses graded) the honest completion of the story."""
        store = seeded.store
        completed = store.get_route(seeded.completed_number) if seeded.completed_number else None
        now = datetime.combine(self.config.today, datetime.now().time())
        self.sync_reports = sync_demo(
            self.settings,
            self.sim_state,
            store.list_routes(),
            self.route_number,
            self.say,
            now=now,
            completed=completed,
            graded={e.lms_course for e in store.list_course_map() if e.decided_by is DecidedBy.GRADE},
        )
        if completed is not None:
            cast = story.Cast.of(completed, head_name(completed.teacher.school))
            done = story.finish_honestly(store, seeded.clock, completed.number, cast)
            self.completed_number = done.number
            self.say(f"маршрут № {done.number} завершён: {done.teacher.full_name}")
        seeded.clock.at(self.config.today)

    def _seed_simulator(self, people: dict[str, DemoPerson]) -> dict[str, DemoPerson]:
        """Moodle accounts for everyone in examples/ plus the demo's head and ЦНППМ specialist, and the
        course that holds the tool. The demo people take the simulator's usernames and ids."""
        counts = seed_examples(self.sim_state, self.config.examples)
        users = counts["teachers"] + counts["staff"]
        self.say(f"симулятор Moodle: пользователей {users}, курсов ДПП {counts['courses']}")
        by_email = {u.email.lower(): u for u in self.sim_state.users.values()}
        self.platform.add_course(LTI_COURSE)
        out: dict[str, DemoPerson] = {}  # keyed by role
        for person in people.values():
            role = person.role
            user = by_email.get(person.email.lower()) or add_person(
                self.sim_state, Person(person.email, person.last_name, person.first_name)
            )
            out[role] = DemoPerson(
                role, user.username, person.first_name, person.last_name, person.email, user.idnumber
            )
            self.platform.add_user(
                PlatformUser(
                    user.id,
                    user.username,
                    person.first_name,
                    person.last_name,
                    person.email,
                    role,
                    user.idnumber,
                )
            )
        return out

    def stop(self) -> None:
        self._web.stop()
        self._sim.stop()

    def __enter__(self) -> DemoStack:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
