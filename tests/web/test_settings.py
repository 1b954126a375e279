"""Platforms, staff and the service token come from the environment as documented in docs/web.md."""

from __future__ import annotations

import json

import pytest

from lms_bridge.config import LtiStaffConfig, Settings


def test_platforms_and_staff_from_json_env(monkeypatch: pytest.MonkeyPatch) -> None:
    platforms = [
        {
            "issuer": "https://sdo.example.ru",
            "client_id": "PUlntWfGyAyjQre",
            "deployment_ids": ["1", "2"],
            "auth_url": "https://sdo.example.ru/mod/lti/auth.php",
            "jwks_url": "https://sdo.example.ru/mod/lti/certs.php",
            "region": True,
        },
        {
            "issuer": "https://moodle.region.ru",
            "client_id": "other",
            "deployment_ids": ["7"],
            "auth_url": "https://moodle.region.ru/mod/lti/auth.php",
            "jwks_url": "https://moodle.region.ru/mod/lti/certs.php",
            "schools": ["МБОУ «СОШ № 1»"],
        },
    ]
    monkeypatch.setenv("LMS_BRIDGE_LTI_PLATFORMS", json.dumps(platforms))
    monkeypatch.setenv(
        "LMS_BRIDGE_LTI_STAFF",
        '{"metodist@cnppm.ru": {"role": "centre", "platform": "https://sdo.example.ru"}}',
    )
    monkeypatch.setenv("LMS_BRIDGE_API_TOKEN", "s3cret")
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert [(p.issuer, p.deployment_ids) for p in s.lti_platforms] == [
        ("https://sdo.example.ru", ["1", "2"]),
        ("https://moodle.region.ru", ["7"]),
    ]
    assert s.lti_staff == {
        "metodist@cnppm.ru": LtiStaffConfig(role="centre", platform="https://sdo.example.ru")
    }
    assert [(p.region, p.schools) for p in s.lti_platforms] == [(True, []), (False, ["МБОУ «СОШ № 1»"])]
    assert s.api_token.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(s)
