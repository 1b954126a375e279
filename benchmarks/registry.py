"""Registry benchmark: import a diagnostics CSV of N teachers and build all their routes.

Prints seconds, rows/s and peak memory for each size; asserts nothing.
Target: 30,000 teachers imported and routed in under 60 s on a 2-core machine.

    python benchmarks/registry.py            # 1,000, 10,000 and 30,000
    python benchmarks/registry.py 5000       # one size
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from course_map.loading import load_course_map  # noqa: E402
from lms_bridge.domain.people import Actor  # noqa: E402
from lms_bridge.domain.vocabulary import MANAGER_BLOCKS, TEACHER_BLOCKS, Level, Role  # noqa: E402
from lms_bridge.importers.curators import read_curators  # noqa: E402
from lms_bridge.importers.diagnostics import read_diagnostics  # noqa: E402
from lms_bridge.services.build import build_routes  # noqa: E402
from lms_bridge.services.imports import import_diagnostics  # noqa: E402
from lms_bridge.storage.migrate import upgrade  # noqa: E402
from lms_bridge.storage.store import SqlRouteStore, make_engine  # noqa: E402

TODAY = date(2026, 11, 22)
SIZES = (1_000, 10_000, 30_000)
EXAMPLES = ROOT / "examples"
CODES = {
    "subject": [f"П1.{i}" for i in range(1, 6)],
    "methodical": [f"М2.{i}" for i in range(1, 6)],
    "psychological": [f"Пс3.{i}" for i in range(1, 5)],
    "communicative": [f"К4.{i}" for i in range(1, 5)],
    "ict": [f"Ц5.{i}" for i in range(1, 5)],
    "processes": ["У6.1", "У6.2", "У6.3"],
    "resources": ["У7.1", "У7.2", "У7.3"],
    "staff": ["У8.1", "У8.2", "У8.3"],
    "results": ["У9.1", "У9.2", "У9.3"],
    "information": ["У10.1", "У10.2", "У10.3"],
}
LEVELS = [lv.label for lv in Level]
SUBJECTS = ["математика", "физика", "русский язык", "начальные классы"]
MUNICIPALITIES = [
    "г. Челябинск",
    "г. Магнитогорск",
    "Копейский городской округ",
    "Златоустовский городской округ",
]
SCHOOLS = [(f"МОУ «СОШ № {n}»", MUNICIPALITIES[n % 4]) for n in range(1, 301)]


def write_csv(path: Path, n: int, seed: int = 1) -> None:
    rnd = random.Random(seed)
    blocks = [b.value for b in (*TEACHER_BLOCKS, *MANAGER_BLOCKS)]
    header = [
        "email", "last_name", "first_name", "middle_name", "school", "municipality", "position",
        "subject", "category", "role", "diagnostic_kind", "diagnostic_date",
        *[f"level_{b}" for b in blocks], "deficit_codes", "recommendations",
    ]  # fmt: skip
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(header)
        for i in range(n):
            manager = i % 12 == 0
            own = [b.value for b in (MANAGER_BLOCKS if manager else TEACHER_BLOCKS)]
            levels = {b: rnd.choice(LEVELS) for b in own}
            codes = [c for b in own if levels[b] in ("низкий", "базовый") for c in rnd.sample(CODES[b], 2)]
            school, municipality = SCHOOLS[i % len(SCHOOLS)]
            w.writerow(
                [
                    f"t{i:06d}@school{i % 300}.ru", f"Фамилия{i}", "Имя", "Отчество", school, municipality,
                    "директор" if manager else "учитель", "" if manager else rnd.choice(SUBJECTS),
                    "первая", "manager" if manager else "teacher", "standardized",
                    f"2026-{rnd.randint(1, 10):02d}-{rnd.randint(1, 28):02d}",
                    *[levels.get(b, "") for b in blocks], ";".join(codes), "",
                ]
            )  # fmt: skip


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def run(n: int, tmp: Path) -> None:
    path = tmp / f"diagnostics-{n}.csv"
    write_csv(path, n)
    url = f"sqlite:///{tmp / f'registry-{n}.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    store = SqlRouteStore(engine)
    actor = Actor(Role.COURSE_ADMIN, "benchmark")
    store.replace_course_map(
        load_course_map((EXAMPLES / "course_map.csv").read_bytes(), "course_map.csv"), actor
    )
    store.save_curators(read_curators((EXAMPLES / "curators.csv").read_bytes(), "curators.csv"))

    t0 = time.perf_counter()
    parsed = read_diagnostics(path.read_bytes(), path.name, today=TODAY)
    t1 = time.perf_counter()
    result = import_diagnostics(store, parsed)
    t2 = time.perf_counter()
    summary = build_routes(store, region="74", today=TODAY, actor=Actor(Role.DEVELOPER, "benchmark"))
    t3 = time.perf_counter()
    engine.dispose()
    total = t3 - t0
    print(
        f"{n:>7,} teachers: parse {t1 - t0:6.2f} s, store {t2 - t1:6.2f} s, build {t3 - t2:6.2f} s, "
        f"total {total:6.2f} s = {n / total:8,.0f} rows/s; added {result.added:,}, routes {summary.built:,}; "
        f"peak RSS {peak_mib():,.0f} MiB",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("sizes", type=int, nargs="*", help=f"teacher counts (default {SIZES})")
    sizes = tuple(parser.parse_args().sizes) or SIZES
    with tempfile.TemporaryDirectory(prefix="lms-bridge-bench-") as tmp:
        for n in sizes:
            run(n, Path(tmp))


if __name__ == "__main__":
    main()
