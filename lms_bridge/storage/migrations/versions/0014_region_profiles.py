"""region profiles: a diagnostic's grade of deficits and route model, a route's card details, the codifier

Revision ID: 0014_region_profiles
Revises: 0013_lti_memberships
Create Date: 2026-12-02 05:00:00

Diagnostics stored before keep no grade (NULL): they are graded by the rule lms-bridge used before
(domain/deficits.py, LEGACY_RULE), as they were. Their route model is «по результатам диагностики»,
the only one there was.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_region_profiles"
down_revision: str | None = "0013_lti_memberships"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("diagnostics", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deficit_level", sa.String(length=10), nullable=True))
        batch_op.add_column(
            sa.Column("route_model", sa.String(length=20), server_default="diagnostic", nullable=False)
        )
    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("card_details", sa.JSON(), nullable=True))
    op.create_table(
        "deficit_codifier",
        sa.Column("profile", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("block", sa.String(length=20), nullable=True),
        sa.Column("parent", sa.String(length=32), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("profile", "code", name=op.f("pk_deficit_codifier")),
    )


def downgrade() -> None:
    # plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35): a batch copy of «diagnostics» would drop the table
    # the routes' foreign key points at
    op.drop_table("deficit_codifier")
    op.drop_column("routes", "card_details")
    op.drop_column("diagnostics", "route_model")
    op.drop_column("diagnostics", "deficit_level")
