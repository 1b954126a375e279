"""Bad settings: one Russian line per bad variable saying what is expected, exit code 2, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from lms_bridge.cli import cli


def _run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> tuple[int, str]:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("LMS_BRIDGE_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli, ["routes", "list"])
    return result.exit_code, result.output


def test_a_word_for_a_number(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code, out = _run(monkeypatch, tmp_path, LMS_BRIDGE_MOODLE_RETRIES="abc")
    assert code == 2
    assert out.splitlines() == [
        "Ошибка в настройках (переменные окружения или файл .env):",
        "  LMS_BRIDGE_MOODLE_RETRIES: ожидается целое число (не меньше 1, не больше 10); задано «abc»",
    ]


def test_broken_platforms_json(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code, out = _run(monkeypatch, tmp_path, LMS_BRIDGE_LTI_PLATFORMS='[{"issuer": "https://sdo.ru",}]')
    assert code == 2
    (line,) = out.splitlines()[1:]
    assert line.startswith("  LMS_BRIDGE_LTI_PLATFORMS: ожидается JSON-список объектов с полями issuer, ")
    assert line.endswith("значение не читается как JSON (ошибка у знака 30)")


def test_platform_without_required_keys_names_them(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code, out = _run(monkeypatch, tmp_path, LMS_BRIDGE_LTI_PLATFORMS='[{"issuer": "https://sdo.ru"}]')
    assert code == 2
    assert "элемент 1, поле «auth_url»: нет обязательного поля" in out


def test_every_bad_setting_gets_its_own_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code, out = _run(
        monkeypatch,
        tmp_path,
        LMS_BRIDGE_MOODLE_RETRIES="abc",
        LMS_BRIDGE_LTI_STAFF="{not json",
        LMS_BRIDGE_MOODLE_USER_FIELD="login",
        LMS_BRIDGE_SYNC_PLANS="maybe",
        LMS_BRIDGE_MOODLE_TOKEN="s3cret-token",  # a good secret is never echoed
    )
    assert code == 2
    lines = out.splitlines()[1:]
    assert [line.split(":")[0].strip() for line in lines] == [
        "LMS_BRIDGE_MOODLE_RETRIES",
        "LMS_BRIDGE_MOODLE_USER_FIELD",
        "LMS_BRIDGE_LTI_STAFF",
        "LMS_BRIDGE_SYNC_PLANS",
    ]
    assert "одно из значений: email, username, idnumber; задано «login»" in out
    assert "ожидается true или false" in out
    assert "s3cret" not in out
    assert "Traceback" not in out


def test_the_installed_command_prints_no_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "LMS_BRIDGE_MOODLE_RETRIES": "abc", "LMS_BRIDGE_LTI_PLATFORMS": "{bad"}
    done = subprocess.run(
        [sys.executable, "-m", "lms_bridge", "routes", "list"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "pydantic" not in done.stderr
    assert len(done.stderr.splitlines()) == 3  # the heading and one line per bad variable


def test_an_unknown_region_profile(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code, out = _run(monkeypatch, tmp_path, LMS_BRIDGE_REGION_PROFILE="moscow")
    assert code == 2
    assert out.splitlines()[1:] == [
        "  LMS_BRIDGE_REGION_PROFILE: ожидается имя профиля (chelyabinsk, buryatia, smolensk, bashkortostan) "
        "или путь к файлу .toml; «moscow» — нет такого профиля"
    ]


def test_a_broken_profile_file_names_its_field(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    own = tmp_path / "region.toml"
    own.write_text('format = 1\nname = "x"\nversion = "1"\ntitle = "X"\n', encoding="utf-8")
    code, out = _run(monkeypatch, tmp_path, LMS_BRIDGE_REGION_PROFILE=str(own))
    assert code == 2
    (line,) = out.splitlines()[1:]
    assert f"профиль «{own}»: поле «scale»: нет обязательного поля (и ещё ошибок: 5)" in line
