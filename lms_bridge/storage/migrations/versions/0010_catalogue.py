"""catalogue: activity source, places, prerequisites, internship sites; the teacher's choice of a ДПП

Revision ID: 0010_catalogue
Revises: 0009_lms_sites
Create Date: 2026-12-02 05:10:00

The course map becomes the region's catalogue (issue 9 §3): every new column is optional, so a map
stored before keeps its meaning (no source: taken from the level; no places: not limited; no
prerequisites: open to all). Route items get the ДПП offered for the teacher's choice, the choice, and a
ЦНППМ rejection of the application with its reason (§4). Items stored before offer nothing to choose.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_catalogue"
down_revision: str | None = "0009_lms_sites"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "internship_sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=255), nullable=False),
        sa.Column("school", sa.String(length=300), nullable=False),
        sa.Column("municipality", sa.String(length=200), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("deficit_codes", sa.JSON(), nullable=False),
        sa.Column("places", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("tutors", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_internship_sites")),
        sa.UniqueConstraint("code", name=op.f("uq_internship_sites_code")),
    )
    with op.batch_alter_table("course_map", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("capacity", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prerequisites", sa.JSON(), server_default="{}", nullable=False))
        batch_op.add_column(
            sa.Column("internship_site", sa.String(length=255), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("annotation", sa.Text(), server_default="", nullable=False))
    with op.batch_alter_table("route_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("options", sa.JSON(), server_default="[]", nullable=False))
        batch_op.add_column(sa.Column("chosen_by", sa.String(length=300), server_default="", nullable=False))
        batch_op.add_column(sa.Column("chosen_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("rejected_by", sa.String(length=300), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("rejection_reason", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("route_items", schema=None) as batch_op:
        for name in ("rejection_reason", "rejected_by", "chosen_on", "chosen_by", "options"):
            batch_op.drop_column(name)
    with op.batch_alter_table("course_map", schema=None) as batch_op:
        for name in ("annotation", "internship_site", "prerequisites", "capacity", "source"):
            batch_op.drop_column(name)
    op.drop_table("internship_sites")
