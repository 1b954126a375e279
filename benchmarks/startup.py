"""Start-up cost of the ``lms-bridge`` command: how long a user waits for ``--help`` and friends.

Runs each command several times in a fresh interpreter and prints the wall time (median, min, max) and the
CPU time the child used (user + system, median: less noisy than wall time on a shared machine), then the
modules that cost most when ``lms_bridge.cli`` is imported (``python -X importtime``). Asserts nothing.

    python benchmarks/startup.py                       # 10 runs of --help and of every group's --help
    python benchmarks/startup.py --runs 20 --top 30
    python benchmarks/startup.py --command="--help" --command="routes list --help"  # use = for a leading -
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def default_commands() -> list[str]:
    """``--help`` and each command group's ``--help`` (the CLI's table of groups: importing it is cheap)."""
    from lms_bridge.cli import COMMANDS

    return ["--help", *(f"{name} --help" for name in sorted(COMMANDS))]


def entry_point() -> list[str]:
    """The installed ``lms-bridge`` script beside this interpreter, else ``python -m lms_bridge``."""
    script = Path(sys.executable).with_name("lms-bridge")
    return [str(script)] if script.exists() else [sys.executable, "-m", "lms_bridge"]


def run_once(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and child CPU seconds of one run (the run must succeed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def timing_table(commands: list[tuple[str, list[str]]], runs: int) -> None:
    print(f"{'command':<34} {'median s':>9} {'min s':>7} {'max s':>7} {'CPU med s':>10}  ({runs} runs each)")
    for label, argv in commands:
        run_once(argv)  # warm the file cache; not counted
        samples = [run_once(argv) for _ in range(runs)]
        walls = [w for w, _ in samples]
        cpus = [c for _, c in samples]
        print(
            f"{label:<34} {statistics.median(walls):>9.3f} {min(walls):>7.3f} {max(walls):>7.3f}"
            f" {statistics.median(cpus):>10.3f}"
        )


def import_costs(module: str, top: int) -> None:
    """The ``top`` imports by cumulative time when a fresh interpreter imports ``module``."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    rows: list[tuple[int, int, str]] = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line.removeprefix("import time:").split("|")
        rows.append((int(cumulative_us), int(self_us), name.rstrip()))
    total = sum(self_us for _, self_us, _ in rows)
    print(f"\npython -X importtime -c 'import {module}': {len(rows)} modules, {total / 1e6:.3f} s in all")
    print(f"{'cumulative ms':>14} {'self ms':>8}  module")
    for cumulative_us, self_us, name in sorted(rows, reverse=True)[:top]:
        print(f"{cumulative_us / 1000:>14.1f} {self_us / 1000:>8.1f}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="runs of each command (default 10)")
    parser.add_argument("--top", type=int, default=15, help="imports to list (default 15)")
    parser.add_argument(
        "--command",
        action="append",
        help="arguments of lms-bridge to time, quoted (repeatable; default: --help and every group's --help)",
    )
    parser.add_argument("--module", default="lms_bridge.cli", help="module for -X importtime")
    args = parser.parse_args()
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "")
    base = entry_point()
    print(f"entry point: {' '.join(base)}   python {sys.version.split()[0]}   CPUs: {os.cpu_count()}")
    commands = [("python -c pass (interpreter alone)", [sys.executable, "-c", "pass"])]
    commands += [(f"lms-bridge {c}", [*base, *shlex.split(c)]) for c in args.command or default_commands()]
    timing_table(commands, args.runs)
    import_costs(args.module, args.top)


if __name__ == "__main__":
    main()
