"""SQLAlchemy tables, Alembic migrations and the RouteStore implementation."""
