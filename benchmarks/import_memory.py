"""Import memory benchmark: peak RSS and rows/s of `lms-bridge diagnostics import` by file size.

For each size, writes a valid diagnostics CSV of N rows (about 1.2 kB a row, wider than the regional
registry of 200 MB and 290,355 rows that took 2.0 GB), imports it into a fresh SQLite registry with the
real command in a subprocess, and prints the child's peak RSS (``wait4``) and rows per second.
Prints figures; asserts nothing.

    python benchmarks/import_memory.py                     # 30,000 and 300,000 rows
    python benchmarks/import_memory.py --rows 5000         # one size
    python benchmarks/import_memory.py --code /work/main   # the import of another checkout
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (30_000, 300_000)
HEADER = [
    "email", "last_name", "first_name", "middle_name", "school", "municipality", "position", "subject",
    "category", "education", "experience_years", "recent_courses", "awards", "self_education_theme",
    "role", "diagnostic_kind", "diagnostic_date", "level_subject", "level_methodical",
    "level_psychological", "level_communicative", "level_ict", "deficit_codes", "recommendations",
]  # fmt: skip
LEVELS = ("низкий", "базовый", "повышенный", "высокий")
CODES = ("П1.1", "П1.2", "М2.3", "Пс3.1", "К4.2", "Ц5.4")
COURSES = "«Формирование функциональной грамотности обучающихся», 72 ч., 2025; «ФГОС ООО-2021», 36 ч., 2024"
ADVICE = (
    "Рекомендуется освоить ДПП по формированию функциональной грамотности, посетить открытые уроки "
    "коллег школы-лидера, принять участие в работе муниципального методического объединения и "
    "обобщить опыт на педагогическом совете; уделить внимание цифровым инструментам оценивания."
)


def write_csv(path: Path, rows: int, seed: int = 1) -> None:
    rnd = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(HEADER)
        for i in range(rows):
            w.writerow(
                [
                    f"t{i:07d}@school{i % 900}.ru", f"Фамилия{i}", "Мария", "Петровна",
                    f"МБОУ «Средняя общеобразовательная школа № {i % 900}»", f"Муниципальный округ {i % 40}",
                    "учитель", "математика", "первая", "высшее педагогическое", str(rnd.randint(1, 40)),
                    COURSES, "Почётная грамота Министерства образования (2023)",
                    "Формирующее оценивание на уроках математики", "teacher", "standardized",
                    f"2026-{rnd.randint(1, 10):02d}-{rnd.randint(1, 28):02d}",
                    *(rnd.choice(LEVELS) for _ in range(5)), ";".join(rnd.sample(CODES, 3)), ADVICE,
                ]
            )  # fmt: skip


def run(rows: int, tmp: Path, code: Path) -> None:
    path = tmp / f"diagnostics-{rows}.csv"
    write_csv(path, rows)
    env = {
        **os.environ,
        "LMS_BRIDGE_DATABASE_URL": f"sqlite:///{tmp / f'registry-{rows}.sqlite3'}",
        "PYTHONPATH": str(code),
    }
    command = [sys.executable, "-m", "lms_bridge"]
    subprocess.run([*command, "db", "upgrade"], env=env, cwd=tmp, check=True, capture_output=True)
    started = time.perf_counter()
    child = subprocess.Popen(
        [*command, "diagnostics", "import", str(path)], env=env, cwd=tmp, stdout=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    outcome = "ok" if os.waitstatus_to_exitcode(status) == 0 else f"exit {os.waitstatus_to_exitcode(status)}"
    print(
        f"{rows:>9,} rows  {path.stat().st_size / 2**20:7.1f} MB  {seconds:7.1f} s  "
        f"{rows / seconds:8,.0f} rows/s  peak RSS {usage.ru_maxrss / 1024:7.1f} MB  {outcome}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, nargs="+", default=list(SIZES), help="file sizes in rows")
    parser.add_argument(
        "--code", type=Path, default=ROOT, help="checkout whose lms_bridge is run (default: this one)"
    )
    args = parser.parse_args()
    print(f"diagnostics import of {args.code}: one subprocess per size, peak RSS of that process")
    with tempfile.TemporaryDirectory() as tmp:
        for rows in args.rows:
            run(rows, Path(tmp), args.code.resolve())


if __name__ == "__main__":
    main()
