"""route cycle: final diagnostics from re-diagnostics, the next route, final public events,
educational product and reflection, actual dates, planned dates in the course map

Revision ID: 0007_route_cycle
Revises: 0006_lti_registration_codes
Create Date: 2026-12-02 02:30:00
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007_route_cycle"
down_revision: str | None = "0006_lti_registration_codes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    final_events = op.create_table(
        "final_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("route_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=16), nullable=False),
        sa.Column("form", sa.String(length=300), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("held_confirmed", sa.Boolean(), nullable=False),
        sa.Column("link", sa.String(length=1000), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("proposed_by", sa.String(length=400), nullable=False),
        sa.ForeignKeyConstraint(
            ["route_id"], ["routes.id"], name=op.f("fk_final_events_route_id_routes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_final_events")),
        sa.UniqueConstraint("route_id", "key", name="uq_final_events_route_key"),
    )
    with op.batch_alter_table("final_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_final_events_route_id"), ["route_id"], unique=False)
    op.create_table(
        "product_files",
        sa.Column("route_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["route_id"], ["routes.id"], name=op.f("fk_product_files_route_id_routes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("route_id", name=op.f("pk_product_files")),
    )
    with op.batch_alter_table("course_map", schema=None) as batch_op:
        batch_op.add_column(sa.Column("start", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("end", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("weeks", sa.Integer(), nullable=True))
    with op.batch_alter_table("route_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pass_grade", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("closed", sa.Boolean(), server_default="0", nullable=False))
    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("final_kind", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("final_codes", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("final_source", sa.String(length=10), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("started_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("completed_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("previous_number", sa.String(length=32), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("product", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("reflection", sa.JSON(), nullable=True))
    _move_final_events(final_events)
    _mark_typed_final_levels()
    # ``routes.final_event`` stays (emptied): dropping a column makes SQLite recreate ``routes``, and
    # dropping the old table would cascade-delete every route item, correction and event.
    bind = op.get_bind()
    bind.execute(sa.table("routes", sa.column("final_event", sa.JSON())).update().values(final_event=None))


def _mark_typed_final_levels() -> None:
    """Final levels stored before this revision were typed by the curator."""
    bind = op.get_bind()
    routes = sa.table(
        "routes",
        sa.column("id", sa.Integer()),
        sa.column("final_levels", sa.JSON()),
        sa.column("final_source"),
    )
    typed = [rid for rid, levels in bind.execute(sa.select(routes.c.id, routes.c.final_levels)) if levels]
    if typed:
        bind.execute(routes.update().where(routes.c.id.in_(typed)).values(final_source="curator"))


def _move_final_events(final_events: Any) -> None:
    """The one placeholder event per route (JSON on routes) becomes a row of ``final_events``."""
    bind = op.get_bind()
    routes = sa.table("routes", sa.column("id", sa.Integer()), sa.column("final_event", sa.JSON()))
    rows = []
    for rid, event in bind.execute(sa.select(routes.c.id, routes.c.final_event)):
        if not event:
            continue
        on = date.fromisoformat(event["on"]) if event.get("on") else None
        rows.append(
            {
                "route_id": rid,
                "key": "1",
                "form": event["form"],
                "title": event["title"],
                "level": event["level"],
                "start": on,
                "end": on,
                "confirmed": True,
                "held_on": on if event.get("done") else None,
                "held_confirmed": bool(event.get("done")),
                "link": "",
                "note": "",
                "proposed_by": "",
            }
        )
    if rows:
        op.bulk_insert(final_events, rows)


def downgrade() -> None:
    with op.batch_alter_table("routes", schema=None) as batch_op:
        batch_op.drop_column("reflection")
        batch_op.drop_column("product")
        batch_op.drop_column("previous_number")
        batch_op.drop_column("completed_on")
        batch_op.drop_column("started_on")
        batch_op.drop_column("final_source")
        batch_op.drop_column("final_codes")
        batch_op.drop_column("final_kind")
    with op.batch_alter_table("route_items", schema=None) as batch_op:
        batch_op.drop_column("closed")
        batch_op.drop_column("pass_grade")
    with op.batch_alter_table("course_map", schema=None) as batch_op:
        batch_op.drop_column("weeks")
        batch_op.drop_column("end")
        batch_op.drop_column("start")
    op.drop_table("product_files")
    with op.batch_alter_table("final_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_final_events_route_id"))
    op.drop_table("final_events")
