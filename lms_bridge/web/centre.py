"""Blueprint ``centre``: the ЦНППМ's downloads — the study office report (000 §2.7) and the demand bank
(«банк запросов») as an XLSX brief for new ДПП. Thin views: the access rule is ``domain.access``."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, request
from werkzeug.wrappers import Response as WResponse

from lms_bridge.domain import access
from lms_bridge.errors import PermissionDenied, Problem, ValidationError
from lms_bridge.services import demand, study_office
from lms_bridge.web.auth import current_principal
from lms_bridge.web.context import web_context

bp = Blueprint("centre", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _day(name: str) -> date:
    raw = request.args.get(name, "").strip()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        what = f"«{raw}» — не дата (ГГГГ-ММ-ДД)" if raw else "укажите дату (ГГГГ-ММ-ДД)"
        raise ValidationError([Problem(what, field=name)], source="параметры отчёта") from None


@bp.get("/reports/study-office.<fmt>")
def study_office_report(fmt: str) -> WResponse:
    """Listeners of ДПП within routes for ``from``…``to``: ЦНППМ staff only."""
    p = current_principal()
    if not access.sees_study_office(p):
        raise PermissionDenied("отчёт для отдела учебной работы доступен только специалистам ЦНППМ")
    if fmt not in ("xlsx", "csv"):
        raise ValidationError(
            [Problem(f"формат «{fmt}»: xlsx или csv", field="format")], source="параметры отчёта"
        )
    start, end = _day("from"), _day("to")
    if end < start:
        raise ValidationError([Problem("конец периода раньше начала", field="to")], source="параметры отчёта")
    rows = study_office.report_rows(web_context().store(), access.scope_filter(p), start, end)
    name = f"study-office-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
    if fmt == "csv":
        resp = WResponse(study_office.report_csv(rows), mimetype="text/csv; charset=utf-8")
    else:
        resp = WResponse(study_office.report_xlsx(rows, start, end), mimetype=XLSX)
    resp.headers["Content-Disposition"] = f"attachment; filename={name}"
    return resp


@bp.get("/dashboard/demand.xlsx")
def demand_xlsx() -> WResponse:
    """The demand bank of the region: ЦНППМ staff who see the whole region."""
    p = current_principal()
    if not access.sees_region_demand(p):
        raise PermissionDenied("банк запросов региона доступен специалистам ЦНППМ")
    ctx = web_context()
    bank = demand.region_bank(ctx.store(), ctx.settings.report_min_group, ctx.settings.profile.name)
    resp = WResponse(demand.demand_xlsx(bank), mimetype=XLSX)
    resp.headers["Content-Disposition"] = "attachment; filename=demand-bank.xlsx"
    return resp
