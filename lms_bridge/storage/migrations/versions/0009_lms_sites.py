"""LMS sites: the sites a course lives on (course map), a person's LMS account per site

Revision ID: 0009_lms_sites
Revises: 0008_platform_scope
Create Date: 2026-12-02 05:00:00

Issue 12, §1. Links recorded before belong to the one site a region had, named ``default`` (the site
built from LMS_BRIDGE_MOODLE_URL); a region that later names its sites in a sites file has its people
looked up again on each site once (an account id on one Moodle means nothing on another).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_lms_sites"
down_revision: str | None = "0008_platform_scope"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("course_map", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sites", sa.JSON(), server_default="[]", nullable=False))
    with op.batch_alter_table("lms_links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("site", sa.String(length=40), server_default="default", nullable=False))
        batch_op.drop_constraint("uq_lms_links_email", type_="unique")
        batch_op.create_unique_constraint("uq_lms_links_email_site", ["email", "site"])


def downgrade() -> None:
    op.execute("DELETE FROM lms_links WHERE site <> 'default'")
    with op.batch_alter_table("lms_links", schema=None) as batch_op:
        batch_op.drop_constraint("uq_lms_links_email_site", type_="unique")
        batch_op.create_unique_constraint("uq_lms_links_email", ["email"])
        batch_op.drop_column("site")
    with op.batch_alter_table("course_map", schema=None) as batch_op:
        batch_op.drop_column("sites")
