"""The registry's tables (SQLAlchemy Core). Changes here need an Alembic revision."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

teachers = Table(
    "teachers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("last_name", String(100), nullable=False),
    Column("first_name", String(100), nullable=False),
    Column("middle_name", String(100), nullable=False, default=""),
    Column("school", String(300), nullable=False, default=""),
    Column("municipality", String(200), nullable=False, default=""),
    Column("position", String(200), nullable=False, default=""),
    Column("subject", String(200), nullable=False, default=""),
    Column("category", String(100), nullable=False, default=""),
    Column("staff_role", String(20), nullable=False),
    Column("education", String(300), nullable=False, default=""),
    Column("experience_years", Integer),
    Column("phone", String(50), nullable=False, default=""),
    # «Информационная справка» of the card (0004): server defaults fill the rows already stored
    Column("attestation_date", Date),
    Column("recent_courses", Text, nullable=False, default="", server_default=""),
    Column("degree", String(200), nullable=False, default="", server_default=""),
    Column("academic_title", String(200), nullable=False, default="", server_default=""),
    Column("awards", Text, nullable=False, default="", server_default=""),
    Column("self_education_theme", Text, nullable=False, default="", server_default=""),
)

diagnostics = Table(
    "diagnostics",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("teacher_id", ForeignKey("teachers.id"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("date", Date, nullable=False),
    Column("levels", JSON, nullable=False),
    Column("deficit_codes", JSON, nullable=False),
    Column("recommendations", Text, nullable=False, default=""),
    # 0014: the grade of deficits as the file stated or the profile's rule gave it (None: stored before)
    Column("deficit_level", String(10)),
    Column("route_model", String(20), nullable=False, default="diagnostic", server_default="diagnostic"),
    UniqueConstraint("teacher_id", "kind", "date", name="uq_diagnostics_teacher_kind_date"),
)

curators = Table(
    "curators",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("full_name", String(300), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("subject", String(200), nullable=False, default=""),
    Column("school", String(300), nullable=False, default=""),
    Column("municipality", String(200), nullable=False, default=""),
)

route_sequences = Table(
    "route_sequences",
    metadata,
    Column("region", String(8), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last", Integer, nullable=False),
)

routes = Table(
    "routes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("teacher_id", ForeignKey("teachers.id"), nullable=False, index=True),
    Column("diagnostic_id", ForeignKey("diagnostics.id"), nullable=False, unique=True),
    Column("status", String(20), nullable=False, index=True),
    Column("curator_email", String(254), nullable=False, default="", index=True),
    Column("curator_name", String(300), nullable=False, default=""),
    Column("developed_on", Date),
    Column("start", Date),
    Column("end", Date),
    Column("final_event", JSON),  # unused since 0005 (final_events); kept: see that migration
    Column("final_levels", JSON, nullable=False),
    Column("final_diagnostic_on", Date),
    # the route's cycle (0005): final diagnostic's kind, codes left and source, actual dates, the
    # teacher's previous route, the educational product and the reflection
    Column("final_kind", String(20)),
    Column("final_codes", JSON),  # None: the final diagnostic listed no codes
    Column("final_source", String(10), nullable=False, default="", server_default=""),
    Column("started_on", Date),
    Column("completed_on", Date),
    Column("previous_number", String(32), nullable=False, default="", server_default=""),
    Column("product", JSON),
    Column("reflection", JSON),
    Column("conclusion", Text, nullable=False, default=""),
    Column("next_diagnostic_on", Date),
    Column("submitted_on", Date),
    Column("approved_by", String(300), nullable=False, default=""),
    Column("approved_on", Date),
    Column("self_education_theme", Text, nullable=False, default=""),
    Column("updated_at", DateTime, nullable=False),
    # keeping (0005): completed or cancelled on; moved to the archive on; personal data removed on
    Column("closed_on", Date),
    Column("archived_on", Date, index=True),
    Column("purged_on", Date),
    Column("card_details", JSON),  # 0014: what regional card layouts add (storage/profile_codec.py)
)

route_items = Table(
    "route_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("route_id", ForeignKey("routes.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(16), nullable=False),
    Column("category", String(20), nullable=False),
    Column("title", String(500), nullable=False),
    Column("level", String(20), nullable=False),
    Column("organiser", String(300), nullable=False, default=""),
    Column("start", Date),
    Column("end", Date),
    Column("deficit_codes", JSON, nullable=False),
    Column("lms_course", String(255), index=True),
    Column("hours", Integer),
    Column("done", Boolean, nullable=False, default=False),
    Column("done_on", Date),
    Column("not_done_reason", Text, nullable=False, default=""),
    Column("result", Text, nullable=False, default=""),
    Column("result_form", String(300), nullable=False, default=""),
    Column("grade", Float),
    Column("pass_grade", Float),
    Column("result_source", String(20), nullable=False, default=""),
    Column("closed", Boolean, nullable=False, default=False, server_default="0"),
    Column("curator_note", Text, nullable=False, default=""),
    Column("head_confirmed_by", String(300), nullable=False, default=""),
    Column("centre_confirmed_by", String(300), nullable=False, default=""),
    # the teacher's choice among the recommended ДПП (000 §2.1 b) and the ЦНППМ's rejection (0010)
    Column("options", JSON, nullable=False, default=list, server_default="[]"),
    Column("chosen_by", String(300), nullable=False, default="", server_default=""),
    Column("chosen_on", Date),
    Column("rejected_by", String(300), nullable=False, default="", server_default=""),
    Column("rejection_reason", Text, nullable=False, default="", server_default=""),
    UniqueConstraint("route_id", "key", name="uq_route_items_route_key"),
)

corrections = Table(
    "corrections",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("route_id", ForeignKey("routes.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("at", DateTime, nullable=False),
    Column("reason", Text, nullable=False),
    Column("author", String(300), nullable=False),
    Column("replaced", String(500), nullable=False, default=""),
    Column("new", String(500), nullable=False, default=""),
)

# Final public events of a route (004: several per route).
final_events = Table(
    "final_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("route_id", ForeignKey("routes.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("key", String(16), nullable=False),
    Column("form", String(300), nullable=False),
    Column("title", String(500), nullable=False),
    Column("level", String(20), nullable=False),
    Column("start", Date),
    Column("end", Date),
    Column("confirmed", Boolean, nullable=False, default=False),
    Column("held_on", Date),
    Column("held_confirmed", Boolean, nullable=False, default=False),
    Column("link", String(1000), nullable=False, default=""),
    Column("note", Text, nullable=False, default=""),
    Column("proposed_by", String(400), nullable=False, default=""),
    UniqueConstraint("route_id", "key", name="uq_final_events_route_key"),
)

# The educational product's file, kept by the registry (one per route; a new upload replaces it).
product_files = Table(
    "product_files",
    metadata,
    Column("route_id", ForeignKey("routes.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("uploaded_at", DateTime, nullable=False),
)

# Acknowledgements of corrections (``correction_no`` = the line's number, 1-based) and of the
# conclusions (``correction_no`` = 0) by the curator, the head of school and the teacher (0005).
signatures = Table(
    "signatures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("route_id", ForeignKey("routes.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("correction_no", Integer, nullable=False),
    Column("party", String(20), nullable=False),
    Column("name", String(300), nullable=False),
    Column("on", Date, nullable=False),
    UniqueConstraint("route_id", "correction_no", "party", name="uq_signatures_route_no_party"),
)

course_map = Table(
    "course_map",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("lms_course", String(255), nullable=False, unique=True),
    Column("title", String(500), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("deficit_codes", JSON, nullable=False),
    Column("blocks", JSON, nullable=False),
    Column("hours", Integer, nullable=False),
    Column("format", String(100), nullable=False, default=""),
    Column("level", String(20), nullable=False),
    Column("final_item", String(255), nullable=False, default=""),
    Column("decided_by", String(20), nullable=False),
    Column("pass_grade", Float),
    Column("organiser", String(300), nullable=False, default=""),
    Column("start", Date),
    Column("end", Date),
    Column("weeks", Integer),
    # the LMS sites where the course lives (issue 12); [] = every site
    Column("sites", JSON, nullable=False, default=list, server_default="[]"),
    # the catalogue (0010): source, places, prerequisites, internship site, annotation
    Column("source", String(20)),
    Column("capacity", Integer),
    Column("prerequisites", JSON, nullable=False, default=dict, server_default="{}"),
    Column("internship_site", String(255), nullable=False, default="", server_default=""),
    Column("annotation", Text, nullable=False, default="", server_default=""),
)

# The register of regional internship sites (003 App. 4), replaced as a whole by its import (0010).
internship_sites = Table(
    "internship_sites",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(255), nullable=False, unique=True),
    Column("school", String(300), nullable=False),
    Column("municipality", String(200), nullable=False, default=""),
    Column("topics", JSON, nullable=False),
    Column("deficit_codes", JSON, nullable=False),
    Column("places", Integer, nullable=False),
    Column("period_start", Date),
    Column("period_end", Date),
    Column("tutors", JSON, nullable=False),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(400), nullable=False),
    Column("action", String(100), nullable=False),
    Column("subject", String(255), nullable=False),
    Column("details", Text, nullable=False, default=""),
    Index("ix_audit_subject_at", "subject", "at"),
)

# --- web app and LTI 1.3 tool (area: web) ------------------------------------------------------

lti_platforms = Table(
    "lti_platforms",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("issuer", String(500), nullable=False),
    Column("client_id", String(255), nullable=False),
    Column("deployment_ids", JSON, nullable=False),
    Column("auth_url", String(1000), nullable=False),
    Column("jwks_url", String(1000), nullable=False),
    Column("token_url", String(1000), nullable=False, default=""),
    # Whom the platform's launches may speak for (domain/platforms.py): the region, or these places.
    Column("region", Boolean, nullable=False, default=False, server_default=false()),
    Column("schools", JSON, nullable=False, default=list, server_default="[]"),
    Column("municipalities", JSON, nullable=False, default=list, server_default="[]"),
    # The services the platform granted at dynamic registration (its answer's ``scope``); NULL: not known
    # (a platform added by hand; its launches' grade service claim tells).
    Column("scopes", JSON, nullable=True),
    UniqueConstraint("issuer", "client_id", name="uq_lti_platforms_issuer_client"),
)

# LTI AGS line items the tool learned from launches of a «Мой маршрут» placement (the launch's grade
# service claim): where the route progress goes, and which scopes the platform granted with it.
lti_line_items = Table(
    "lti_line_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("issuer", String(500), nullable=False),
    Column("client_id", String(255), nullable=False),
    Column("lineitem_url", String(1000), nullable=False),
    Column("context_id", String(255), nullable=False, default=""),
    Column("resource_link_id", String(255), nullable=False, default=""),
    Column("scopes", JSON, nullable=False),
    # the course's Names and Roles service (its members get progress without launching first)
    Column("memberships_url", String(1000), nullable=False, default="", server_default=""),
    Column("seen_at", DateTime, nullable=False),
    UniqueConstraint("issuer", "client_id", "lineitem_url", name="uq_lti_line_items_url"),
)

# Route progress per line item × platform user (the teacher who launched it), and what was last sent:
# ``pending_*`` is written before a score is posted and cleared after, so a run killed in between looks
# the score up (AGS results) before sending it again; a score is sent only when it differs from ``score``.
lti_progress_scores = Table(
    "lti_progress_scores",
    metadata,
    Column("line_item_id", Integer, ForeignKey("lti_line_items.id", ondelete="CASCADE"), primary_key=True),
    Column("user_sub", String(255), primary_key=True),
    Column("email", String(254), nullable=False),
    Column("route_number", String(40), nullable=True),
    Column("score", Float, nullable=True),
    Column("comment", Text, nullable=True),
    Column("pending_score", Float, nullable=True),
    Column("pending_comment", Text, nullable=True),
    Column("sent_at", DateTime, nullable=True),
    Column("error", Text, nullable=True),
)

# One-time registration codes for LTI Dynamic Registration (``lti registration-url``): only hashes
# are stored. ``form_token_hash`` is the CSRF token of the confirmation page last shown for the code.
lti_registration_codes = Table(
    "lti_registration_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("form_token_hash", String(64)),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("used_at", DateTime),
    # whom the platform registered with this code speaks for (``registration-url --region|--school|…``)
    Column("scope", JSON, nullable=True),
)

# OIDC login state + nonce, kept server-side (not in a cookie: third-party cookies are often blocked
# inside the LMS iframe). One row per login initiation; ``used_at`` makes the nonce single-use.
lti_states = Table(
    "lti_states",
    metadata,
    Column("state", String(64), primary_key=True),
    Column("nonce", String(64), nullable=False),
    Column("issuer", String(500), nullable=False),
    Column("client_id", String(255), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False, index=True),
    Column("used_at", DateTime),
)

# A launch session: the opaque launch id travels in URLs and forms (only its SHA-256 is stored).
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("email", String(254), nullable=False, default=""),
    Column("name", String(300), nullable=False, default=""),
    Column("school", String(300), nullable=False, default=""),
    Column("municipality", String(200), nullable=False, default=""),
    Column("issuer", String(500), nullable=False, default=""),
    Column("subject", String(255), nullable=False, default=""),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False, index=True),
    # The launching platform's scope at launch time ({region, schools, municipalities}); NULL: no limit.
    Column("scope", JSON),
)

# How a platform user (issuer + sub, LMS idnumber) maps onto our person (email).
lti_identities = Table(
    "lti_identities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("issuer", String(500), nullable=False),
    Column("subject", String(255), nullable=False),
    Column("idnumber", String(255), nullable=False, default=""),
    Column("email", String(254), nullable=False),
    UniqueConstraint("issuer", "subject", name="uq_lti_identities_issuer_subject"),
)

# Heads of schools (руководители ОО): who sees and approves the routes of one school.
school_heads = Table(
    "school_heads",
    metadata,
    Column("email", String(254), primary_key=True),
    Column("full_name", String(300), nullable=False),
    Column("school", String(300), nullable=False),
    Column("municipality", String(200), nullable=False, default=""),
)

# --- LMS sync (area: jobs) ------------------------------------------------------------------------
# What the sync jobs did: one row per route item × LMS course × kind, so a second run skips done work
# and a killed run resumes. kind: enrol | result | link (card link) | plan (learning plan) | notify.
transmissions = Table(
    "transmissions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("route_number", String(32), nullable=False, index=True),
    Column("item_key", String(16), nullable=False),  # "" for route-level kinds (link, plan, notify)
    Column("lms_course", String(255), nullable=False),  # the course map's ref; "" for route-level kinds
    Column("kind", String(10), nullable=False),
    Column("state", String(10), nullable=False),  # pending | sent | failed | done
    Column("lms_user_id", Integer),
    Column("lms_course_id", Integer),
    Column("attempts", Integer, nullable=False, default=0),
    Column("error_code", String(100), nullable=False, default=""),
    Column("error_message", Text, nullable=False, default=""),
    Column("grade", Float),
    Column("detail", Text, nullable=False, default=""),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    UniqueConstraint("route_number", "item_key", "lms_course", "kind", name="uq_transmissions_item_kind"),
    Index("ix_transmissions_kind_state", "kind", "state"),
)

# A person (teacher or curator, by e-mail) resolved to an LMS account by the attach job.
lms_links = Table(
    "lms_links",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False),
    Column("site", String(40), nullable=False, default="default", server_default="default"),  # LMS site name
    Column("lms_user_id", Integer),  # None while no account or several match
    Column("field", String(20), nullable=False),  # email | username | idnumber
    Column("matches", Integer, nullable=False),  # 0 none, 1 linked, >1 ambiguous
    Column("resolved_at", DateTime, nullable=False),
    UniqueConstraint("email", "site", name="uq_lms_links_email_site"),  # one account per person per site
)

# A pass recorded from the LMS that the LMS later contradicts: a person decides, the mark stays.
result_disagreements = Table(
    "result_disagreements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("route_number", String(32), nullable=False, index=True),
    Column("item_key", String(16), nullable=False),
    Column("lms_course", String(255), nullable=False),
    Column("recorded_grade", Float),
    Column("lms_grade", Float),
    Column("pass_grade", Float),
    Column("found_at", DateTime, nullable=False),
    Column("resolved_by", String(400), nullable=False, default=""),
    Column("resolved_at", DateTime),
    Column("note", Text, nullable=False, default=""),
)

# 0014: the deficit codifier of each region's profile (code → name, competency block, parent code)
deficit_codifier = Table(
    "deficit_codifier",
    metadata,
    Column("profile", String(40), primary_key=True),
    Column("code", String(32), primary_key=True),
    Column("name", String(500), nullable=False),
    Column("block", String(20)),
    Column("parent", String(32), nullable=False, default="", server_default=""),
)

# --- notifications (area: notify) -----------------------------------------------------------------
# One row per teacher × catalogue event (kind "event") or curator × ISO week (kind "digest"): what the
# notification job sent, so a second run sends nothing twice and a killed run looks before it re-sends.
notices = Table(
    "notices",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(10), nullable=False),
    Column("recipient", String(254), nullable=False),
    Column("subject", String(255), nullable=False),
    Column("state", String(10), nullable=False),  # sent | failed | done | refused | gaveup
    Column("text", Text, nullable=False),
    Column("lms_user_id", Integer),
    Column("route_number", String(32), nullable=False, default=""),
    Column("attempts", Integer, nullable=False, default=0),
    Column("error", Text, nullable=False, default=""),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    UniqueConstraint("kind", "recipient", "subject", name="uq_notices_kind_recipient_subject"),
)
