"""The CLI loads a command group only when it runs (that the product never imports the simulator or the demo
is an import-linter contract in pyproject.toml)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from lms_bridge.cli import COMMANDS, cli
from lms_bridge.cli.lazy import LazyGroup, load
from lms_bridge.cli.routes import COMMANDS as ROUTE_COMMANDS
from lms_bridge.cli.sync import COMMANDS as SYNC_COMMANDS

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "flask", "requests", "rich", "openpyxl", "docx", "pydantic_settings", "lxml")
OUTSIDE = ("moodle_sim", "lms_demo")


def _modules_after(code: str, whole: str = "lms_bridge.cli.") -> set[str]:
    """Top-level packages (and modules under ``whole``, by full name) imported by a fresh interpreter
    running ``code``."""
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    ).stdout
    names: list[str] = json.loads(out.splitlines()[-1])
    return {n if n.startswith(whole) else n.split(".")[0] for n in names}


@pytest.mark.usefixtures("table")
@pytest.mark.parametrize(
    ("group", "table"),
    [
        (cli, COMMANDS),
        (load(COMMANDS["routes"].target), ROUTE_COMMANDS),
        (load(COMMANDS["sync"].target), SYNC_COMMANDS),
    ],
    ids=["lms-bridge", "routes", "sync"],
)
def test_static_help_matches_each_loaded_command(group: click.Command) -> None:
    assert isinstance(group, LazyGroup)
    for name, entry in group.lazy.items():
        command = load(entry.target)
        assert command.name == name
        assert entry.short_help == command.get_short_help_str(limit=1000), name


def test_help_lists_every_command_with_its_russian_line() -> None:
    result = CliRunner().invoke(cli, ["--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    listed = {line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.strip()}
    assert listed == set(COMMANDS)
    assert "Маршруты (ИОМ): построение, реестр, карта, переходы." in result.output


def test_importing_the_cli_loads_no_heavy_library_nor_the_simulator() -> None:
    loaded = _modules_after("import lms_bridge.cli")
    assert loaded.isdisjoint(HEAVY + OUTSIDE), sorted(loaded & {*HEAVY, *OUTSIDE})


def test_help_imports_no_command_module() -> None:
    code = "from lms_bridge.cli import cli\ntry:\n    cli(['--help'])\nexcept SystemExit:\n    pass"
    loaded = _modules_after(code)
    assert not {n for n in loaded if n.startswith("lms_bridge.cli.")} - {
        "lms_bridge.cli.lazy",
        "lms_bridge.cli.context",
    }
    assert loaded.isdisjoint(HEAVY + OUTSIDE)


@pytest.mark.parametrize("group", ["routes", "sync"])
def test_a_group_help_lists_its_commands_without_loading_them(group: str) -> None:
    code = (
        f"from lms_bridge.cli import cli\ntry:\n    cli([{group!r}, '--help'])\nexcept SystemExit:\n    pass"
    )
    loaded = _modules_after(code, whole="lms_bridge.")
    assert loaded.isdisjoint({*HEAVY, *OUTSIDE}), sorted(loaded & {*HEAVY, *OUTSIDE})
    product = {n for n in loaded if n.startswith("lms_bridge.")}
    # the group's table, none of its commands: not route_commands, export, sync_jobs, services, bootstrap
    assert product - {"lms_bridge.cli.lazy", "lms_bridge.cli.context"} <= {
        f"lms_bridge.cli.{group}",
        "lms_bridge.errors",
        "lms_bridge.cli",
    }, sorted(product)
    assert f"lms_bridge.cli.{group}" in product


def test_sim_and_demo_commands_still_load() -> None:
    for name in ("sim", "demo"):
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0, result.output
        assert COMMANDS[name].short_help.split(":")[0].split(" (")[0] in result.output
