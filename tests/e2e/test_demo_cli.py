"""`lms-bridge demo` as a user runs it: a process that prints where to go, serves, and stops on a signal."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 90


def _pump(stream: object, lines: queue.Queue[str | None]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        lines.put(line)
    lines.put(None)


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lms_bridge",
            "demo",
            "--no-browser",
            "--no-sync",
            "--ports",
            "0,0",
            "--workdir",
            str(tmp_path / "var"),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        while not any(line.startswith("Готово") for line in seen):
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            assert line is not None, "demo exited early:\n" + "".join(seen)
            seen.append(line)
        yield proc, seen
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        while (line := lines.get(timeout=5)) is not None:
            seen.append(line)


def test_demo_prints_working_links_and_stops_on_sigterm(
    demo: tuple[subprocess.Popen[str], list[str]],
) -> None:
    proc, out = demo
    links = dict(re.findall(r"^\s+(педагог|куратор|руководитель ОО)\s.*?(http://\S+)$", "".join(out), re.M))
    assert set(links) == {"педагог", "куратор", "руководитель ОО"}
    page = requests.get(links["педагог"], timeout=10)
    assert page.status_code == 200
    assert "Индивидуальные образовательные маршруты педагогов" in page.text
    assert re.search(r'<iframe class="lti"[^>]*\s+src="/mod/lti/launch\.php\?id=\d+&amp;user=', page.text)
    tool = re.search(r"инструмент lms-bridge: (http://localhost:\d+)", "".join(out))
    assert tool, out
    assert requests.get(tool.group(1) + "/healthz", timeout=10).text == "ok"

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0


def test_a_busy_port_is_reported_with_what_to_do(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "lms_bridge",
                "demo",
                "--no-browser",
                "--ports",
                f"{port},0",
                "--workdir",
                str(tmp_path / "var"),
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert "не удалось занять порт" in done.stderr
    assert "--ports 0,0" in done.stderr
