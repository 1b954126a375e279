"""lti registration codes: one-time codes for LTI Dynamic Registration

Revision ID: 0006_lti_registration_codes
Revises: 0005_keeping_signatures
Create Date: 2026-12-02 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_lti_registration_codes"
down_revision: str | None = "0005_keeping_signatures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lti_registration_codes",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("form_token_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("code_hash"),
    )


def downgrade() -> None:
    op.drop_table("lti_registration_codes")
