"""Revision 0008: platforms registered before scopes existed (issue 10, item 6)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from lms_bridge.domain.platforms import REGION, PlatformScope
from lms_bridge.storage.launch_store import SqlLaunchStore
from lms_bridge.storage.migrate import alembic_config, upgrade
from lms_bridge.storage.store import make_engine


def _platforms_before_0008(db_url: str, issuers: list[str]) -> list[PlatformScope]:
    command.downgrade(alembic_config(db_url), "0007_route_cycle")
    engine = make_engine(db_url)
    try:
        with engine.begin() as c:
            for issuer in issuers:
                c.execute(
                    text(
                        "INSERT INTO lti_platforms (issuer, client_id, deployment_ids, auth_url, jwks_url,"
                        " token_url) VALUES (:i, 'c', '[\"1\"]', 'a', 'j', '')"
                    ),
                    {"i": issuer},
                )
        upgrade(db_url)
        return [p.scope for p in SqlLaunchStore(engine).list_platforms()]
    finally:
        engine.dispose()


def test_a_lone_platform_keeps_speaking_for_the_region(db_url: str) -> None:
    assert _platforms_before_0008(db_url, ["https://sdo.example.ru"]) == [REGION]


def test_several_platforms_get_no_scope_until_one_is_set(db_url: str) -> None:
    scopes = _platforms_before_0008(db_url, ["https://sdo.example.ru", "https://school2.example.ru"])
    assert scopes == [PlatformScope(), PlatformScope()]
