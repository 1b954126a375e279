"""The registry's database: SQLAlchemy Core tables, Alembic migrations, repositories and their unit of work.

Shape (*Architecture Patterns with Python*, chapters 2 and 6, without an ORM):

- ``unit_of_work.SqlUnitOfWork`` owns the engine and, inside ``with uow:``, one connection and one
  transaction; it exposes one repository per area as an attribute (``uow.people``, ``uow.audit``, …).
  Nested ``with uow:`` blocks join the outer one; the outermost commits, or rolls back on an exception.
- One module per area holds a ``Sql<Area>Repository(conn, …)``: SQL for that area only, no commit, no
  transaction of its own — ``diagnostics.py`` (teachers and diagnostics), ``routes.py`` (routes, numbers,
  items, the product file, what the sync jobs read and mark), ``people.py`` (curators, course map),
  ``catalogue.py`` (internship sites), ``audit.py``, ``sync.py`` (transmissions, LMS links,
  disagreements), ``notices.py`` (what the notification job sent, with its ``SqlNoticeStore`` facade),
  ``reports.py`` (figures the reports read).
  ``sql.py`` has the helpers they share. A new area is a new module registered on ``SqlUnitOfWork``.
- ``store.SqlRouteStore`` and ``sync_store.SqlSyncStore`` stay as the implementations of the
  ``RouteStore``/``SyncStore`` ports (lms_bridge/ports/): thin facades whose methods open the store's
  unit of work and call repositories. Decision: keep the ports and facades rather than migrate the
  services, web views, CLI, simulator, demo and tests to ``uow.<area>`` — the services, jobs and web views
  are typed against the ports (22 modules), keeping them free of SQLAlchemy, and a migration would touch
  ~130 calls in 27 product modules (and ~225 in tests) for no change in behaviour. A facade method holds
  no SQL; where a port method spans areas (``purge_route``, ``replace_course_map`` with its audit line) it
  calls each area's repository in one unit.
- ``launch_store.SqlLaunchStore`` is the web app's own store (the ``LaunchStore`` port), on the same
  database. It keeps a short transaction per method on the engine rather than a unit of work: the web app
  shares one launch store between request threads, and a unit of work (its open connection) belongs to
  one thread — the route store is built per request for that reason (``bootstrap.build_web_app``).
"""
