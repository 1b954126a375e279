"""lti progress: AGS line items learned from launches, route progress sent per line item, the services a
platform granted, the scope a registration code gives the platform it registers

Revision ID: 0012_lti_progress
Revises: 0011_notices
Create Date: 2026-12-02 05:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_lti_progress"
down_revision: str | None = "0011_notices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lti_platforms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scopes", sa.JSON(), nullable=True))
    with op.batch_alter_table("lti_registration_codes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.JSON(), nullable=True))
    op.create_table(
        "lti_line_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("lineitem_url", sa.String(length=1000), nullable=False),
        sa.Column("context_id", sa.String(length=255), nullable=False),
        sa.Column("resource_link_id", sa.String(length=255), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lti_line_items")),
        sa.UniqueConstraint("issuer", "client_id", "lineitem_url", name="uq_lti_line_items_url"),
    )
    op.create_table(
        "lti_progress_scores",
        sa.Column("line_item_id", sa.Integer(), nullable=False),
        sa.Column("user_sub", sa.String(length=255), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("route_number", sa.String(length=40), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("pending_score", sa.Float(), nullable=True),
        sa.Column("pending_comment", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["line_item_id"],
            ["lti_line_items.id"],
            name=op.f("fk_lti_progress_scores_line_item_id_lti_line_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("line_item_id", "user_sub", name=op.f("pk_lti_progress_scores")),
    )


def downgrade() -> None:
    op.drop_table("lti_progress_scores")
    op.drop_table("lti_line_items")
    with op.batch_alter_table("lti_registration_codes", schema=None) as batch_op:
        batch_op.drop_column("scope")
    with op.batch_alter_table("lti_platforms", schema=None) as batch_op:
        batch_op.drop_column("scopes")
