"""lti memberships: the Names and Roles service URL of a line item's course

Revision ID: 0013_lti_memberships
Revises: 0012_lti_progress
Create Date: 2026-12-02 05:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_lti_memberships"
down_revision: str | None = "0012_lti_progress"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lti_line_items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("memberships_url", sa.String(length=1000), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("lti_line_items", schema=None) as batch_op:
        batch_op.drop_column("memberships_url")
