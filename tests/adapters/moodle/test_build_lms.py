"""build_lms: the Moodle adapter from settings."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from lms_bridge.adapters.moodle.lms import MoodleLms
from lms_bridge.bootstrap import build_lms
from lms_bridge.config import Settings
from lms_bridge.errors import ConfigError


def test_missing_url_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="LMS_BRIDGE_MOODLE_URL"):
        build_lms(Settings(moodle_url="", moodle_token=SecretStr("t")))


def test_missing_token_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="LMS_BRIDGE_MOODLE_TOKEN"):
        build_lms(Settings(moodle_url="https://host/moodle", moodle_token=SecretStr(" ")))


def test_bad_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="LMS_BRIDGE_MOODLE_URL"):
        build_lms(Settings(moodle_url="host/moodle", moodle_token=SecretStr("t")))


def test_settings_reach_the_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LMS_BRIDGE_MOODLE_URL", "https://host/moodle/")
    monkeypatch.setenv("LMS_BRIDGE_MOODLE_TOKEN", "abc123")
    monkeypatch.setenv("LMS_BRIDGE_MOODLE_MAX_INPUT_VARS", "5000")
    monkeypatch.setenv("LMS_BRIDGE_MOODLE_TIMEOUT_READ", "30")
    monkeypatch.setenv("LMS_BRIDGE_MOODLE_PROFILE_FIELD", "route_url")
    lms = build_lms(Settings(_env_file=None))  # type: ignore[call-arg]
    assert isinstance(lms, MoodleLms)
    assert lms.client.url == "https://host/moodle/webservice/rest/server.php"
    assert lms.client.max_input_vars == 5000
    assert lms.client.timeout == (5.0, 30.0)
    assert lms.profile_field == "route_url"
    assert "abc123" not in repr(lms)
