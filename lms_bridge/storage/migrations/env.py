"""Alembic environment: the URL comes from the caller (``lms-bridge db upgrade``), never from a file."""

from alembic import context

from lms_bridge.storage.store import make_engine
from lms_bridge.storage.tables import metadata

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url, "sqlalchemy.url must be set by lms_bridge.storage.migrate"

connectable = config.attributes.get("connection")
if connectable is None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()
else:
    context.configure(connection=connectable, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
