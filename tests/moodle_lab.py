"""A real Moodle for the tests, when one is configured (the moodle-lab: `.ci/run` stands it up).

* ``LMS_BRIDGE_TEST_MOODLE_URL`` and ``LMS_BRIDGE_TEST_MOODLE_TOKEN``: the site and a web-service token of a
  service with every function ``MoodleLms`` calls.
* ``LMS_BRIDGE_TEST_MOODLE_LAB``: the lab folder (``$LAB/moodle/config.php``, ``$LAB/scripts/``) here.
  The tests seed the site through Moodle's PHP API (``tests/fixtures/moodle_lab/seed.php``, one ``php``
  process per session) because the token's service has no function to create users, courses or grades.

Without them the real-Moodle tests are skipped with a reason (:func:`missing`). What the seed makes is marked
and retired after each test (users deleted, courses renamed ``zz-retired-<id>`` and hidden), so the site stays
usable for the next test and the next run; names a test needs again are freed first.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lms_bridge.ports import LmsCourse, LmsUser

SEED_PHP = Path(__file__).parent / "fixtures" / "moodle_lab" / "seed.php"
PROFILE_FIELD = "iom_url"


@dataclass(frozen=True)
class LabSite:
    url: str
    token: str
    lab: Path

    def script(self, name: str) -> Path:
        return self.lab / "scripts" / name


def missing() -> str:
    """Why the real-Moodle tests cannot run here ("" when they can)."""
    env = os.environ
    if not env.get("LMS_BRIDGE_TEST_MOODLE_URL") or not env.get("LMS_BRIDGE_TEST_MOODLE_TOKEN"):
        return "no real Moodle: set LMS_BRIDGE_TEST_MOODLE_URL and LMS_BRIDGE_TEST_MOODLE_TOKEN (see .ci/run)"
    lab = env.get("LMS_BRIDGE_TEST_MOODLE_LAB", "")
    if not lab or not (Path(lab) / "moodle" / "config.php").is_file():
        return "real Moodle given but LMS_BRIDGE_TEST_MOODLE_LAB names no lab folder with moodle/config.php"
    if shutil.which("php") is None:
        return "real Moodle given but no php here to seed it"
    return ""


def site() -> LabSite:
    env = os.environ
    return LabSite(
        env["LMS_BRIDGE_TEST_MOODLE_URL"],
        env["LMS_BRIDGE_TEST_MOODLE_TOKEN"],
        Path(env["LMS_BRIDGE_TEST_MOODLE_LAB"]),
    )


class Seeder:
    """One ``php seed.php`` process: a JSON command per line in, a JSON answer per line out."""

    def __init__(self, lab: Path):
        config = lab / "moodle" / "config.php"
        self.proc = subprocess.Popen(
            ["php", str(SEED_PHP), str(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # Moodle's notices (e.g. "Not sending email")
            text=True,
            encoding="utf-8",
        )

    def __call__(self, op: str, **args: Any) -> Any:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"op": op, "args": args}, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        while line := self.proc.stdout.readline():
            if not line.startswith("{"):
                continue  # anything Moodle printed to stdout before the answer
            answer = json.loads(line)
            if "error" in answer:
                raise RuntimeError(f"seed {op}: {answer['error']}")
            return answer["ok"]
        raise RuntimeError(f"seed {op}: the php process ended (exit {self.proc.wait()})")

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


@dataclass
class LabSeed:
    """InMemoryLms's seeding names on a real Moodle; ``retire()`` undoes what it made."""

    seeder: Seeder
    users: list[int] = field(default_factory=list)
    courses: list[int] = field(default_factory=list)

    def add_user(self, username: str, email: str = "", idnumber: str = "", full_name: str = "") -> LmsUser:
        u = self.seeder("user", username=username, email=email, idnumber=idnumber, full_name=full_name)
        self.users.append(u["id"])
        return LmsUser(u["id"], u["username"], u["email"], u["idnumber"], u["fullname"])

    def add_course(
        self,
        shortname: str,
        idnumber: str = "",
        full_name: str = "",
        *,
        manual_enrol: bool = True,
        completion_tracked: bool = True,
        grade_max: float = 100.0,  # noqa: ARG002 (Natural aggregation: the course total follows its items)
    ) -> LmsCourse:
        c = self.seeder(
            "course",
            shortname=shortname,
            idnumber=idnumber,
            full_name=full_name,
            manual_enrol=manual_enrol,
            completion_tracked=completion_tracked,
        )
        self.courses.append(c["id"])
        return LmsCourse(c["id"], c["shortname"], c["idnumber"], c["fullname"])

    def add_grade_item(
        self, course_id: int, idnumber: str, *, grade_max: float = 100.0, pass_grade: float | None = None
    ) -> None:
        self.seeder(
            "grade_item", course=course_id, idnumber=idnumber, grade_max=grade_max, pass_grade=pass_grade
        )

    def set_grade(
        self, course_id: int, user_id: int, grade: float | None, *, item: str = "", graded_at: int = 0
    ) -> None:
        self.seeder("grade", course=course_id, user=user_id, grade=grade, item=item, graded_at=graded_at)

    def complete(self, course_id: int, user_id: int, at: int = 1) -> None:
        self.seeder("complete", course=course_id, user=user_id, at=at)

    def suspend(self, course_id: int, user_id: int) -> None:
        self.seeder("suspend", course=course_id, user=user_id)

    def route_link(self, user_id: int) -> str | None:
        value: str | None = self.seeder("route_link", user=user_id, field=PROFILE_FIELD)
        return value

    def delete_user(self, user_id: int) -> None:
        """The user leaves the LMS (Moodle deletes the account)."""
        self.seeder("retire", users=[user_id], courses=[])

    def block_messages(self, user_id: int) -> None:
        self.seeder("block_messages", user=user_id)

    def messages_to(self, user_id: int) -> list[str]:
        """What Moodle's message table holds for this user, oldest first."""
        texts: list[str] = self.seeder("messages_to", user=user_id)
        return texts

    def retire(self) -> None:
        self.seeder("retire", users=self.users, courses=self.courses)
        self.users, self.courses = [], []
