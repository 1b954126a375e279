"""keeping and signatures: routes.closed_on / archived_on / purged_on; the signatures table

Revision ID: 0005_keeping_signatures
Revises: 0004_teacher_information
Create Date: 2026-12-02 02:10:00

Routes already completed or cancelled get ``closed_on`` from their last «complete» / «cancel» audit
line (the day of the transition), or from ``updated_at`` when the audit has none, so that the
keeping period (003 §4.5.4) runs from the real day the route closed.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_keeping_signatures"
down_revision: str | None = "0004_teacher_information"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("archived_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("purged_on", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_routes_archived_on"), ["archived_on"], unique=False)
    op.create_table(
        "signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("route_id", sa.Integer(), nullable=False),
        sa.Column("correction_no", sa.Integer(), nullable=False),
        sa.Column("party", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["route_id"], ["routes.id"], name=op.f("fk_signatures_route_id_routes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signatures")),
        sa.UniqueConstraint("route_id", "correction_no", "party", name="uq_signatures_route_no_party"),
    )
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signatures_route_id"), ["route_id"], unique=False)
    _backfill_closed_on()


def _backfill_closed_on() -> None:
    routes = sa.table(
        "routes",
        sa.column("number", sa.String),
        sa.column("status", sa.String),
        sa.column("updated_at", sa.DateTime),
        sa.column("closed_on", sa.Date),
    )
    audit = sa.table(
        "audit", sa.column("subject", sa.String), sa.column("action", sa.String), sa.column("at", sa.DateTime)
    )
    conn = op.get_bind()
    closed = conn.execute(
        sa.select(routes.c.number, routes.c.updated_at).where(routes.c.status.in_(["completed", "cancelled"]))
    ).all()
    for number, updated_at in closed:
        last = conn.execute(
            sa.select(sa.func.max(audit.c.at))
            .where(audit.c.subject == number)
            .where(audit.c.action.in_(["complete", "cancel"]))
        ).scalar()
        when = last or updated_at
        conn.execute(sa.update(routes).where(routes.c.number == number).values(closed_on=when.date()))


def downgrade() -> None:
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signatures_route_id"))
    op.drop_table("signatures")
    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routes_archived_on"))
        batch_op.drop_column("purged_on")
        batch_op.drop_column("archived_on")
        batch_op.drop_column("closed_on")
