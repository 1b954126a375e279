"""platform scope: whom an LTI platform may speak for; the scope a launch session carries

Revision ID: 0008_platform_scope
Revises: 0007_route_cycle
Create Date: 2026-12-02 02:30:00

A platform registered before this revision had no scope. When it is the only one in the database it
kept speaking for the whole region (``region`` = true), as it did; with several, none gets a scope
and their launches are refused until ``lti add-platform`` sets one (issue 10, item 6: a second
platform must not claim the people of the first).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_platform_scope"
down_revision: str | None = "0007_route_cycle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lti_platforms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("region", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("schools", sa.JSON(), server_default="[]", nullable=False))
        batch_op.add_column(sa.Column("municipalities", sa.JSON(), server_default="[]", nullable=False))
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.JSON(), nullable=True))
    platforms = sa.table("lti_platforms", sa.column("id", sa.Integer), sa.column("region", sa.Boolean))
    bind = op.get_bind()
    if bind.execute(sa.select(sa.func.count()).select_from(platforms)).scalar() == 1:
        bind.execute(sa.update(platforms).values(region=True))
    # Sessions opened before: they were not limited by a platform; end them (one new launch each).
    bind.execute(sa.text("DELETE FROM web_sessions"))


def downgrade() -> None:
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_column("scope")
    with op.batch_alter_table("lti_platforms", schema=None) as batch_op:
        batch_op.drop_column("municipalities")
        batch_op.drop_column("schools")
        batch_op.drop_column("region")
