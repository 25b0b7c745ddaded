"""The audit log of security-relevant actions: sign-ins, failures, revocations, staff actions.

`record_audit` adds the entry to the caller's session, so the entry commits (or rolls back)
together with the action it describes. Failed sign-ins are committed on their own by the
caller, because the failure itself changes nothing else.
"""

from __future__ import annotations

import getpass
import uuid
from datetime import datetime

from flask import g, has_request_context, request
from flask.views import MethodView
from marshmallow import Schema, ValidationError, fields, validates_schema
from sqlalchemy import JSON, String, select
from sqlalchemy.orm import Mapped, mapped_column

from api.dbtypes import UUID, UTCDateTime, new_uuid, utcnow
from api.extensions import db
from api.http import Blueprint, SelectPage
from api.policy import Staff, allow, current_principal
from api.workdays import moments_of


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True, default=new_uuid)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    actor: Mapped[str | None] = mapped_column(String(64), index=True)  # "staff:<uuid>", "citizen:<uuid>"
    target: Mapped[str | None] = mapped_column(String(120), index=True)
    outcome: Mapped[str] = mapped_column(String(16), default="success")
    ip: Mapped[str | None] = mapped_column(String(45))
    request_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


def record_audit(
    action: str,
    *,
    actor: str | None = None,
    target: str | None = None,
    outcome: str = "success",
    **detail,
) -> AuditEntry:
    """Add an audit entry to the current session; the caller's commit makes it durable."""
    if actor is None:
        principal = current_principal() if has_request_context() else None
        actor = f"{principal.kind}:{principal.id}" if principal else None
    entry = AuditEntry(
        action=action,
        actor=actor,
        target=target,
        outcome=outcome,
        ip=request.remote_addr if has_request_context() else None,
        request_id=g.get("request_id") if has_request_context() else None,
        detail=detail,
    )
    db.session.add(entry)
    return entry


blp = Blueprint("audit", __name__, url_prefix="/admin/audit", description="Nhật ký kiểm toán (quản trị)")


class AuditEntrySchema(Schema):
    id = fields.UUID()
    at = fields.AwareDateTime()
    action = fields.String()
    actor = fields.String(allow_none=True)
    target = fields.String(allow_none=True)
    outcome = fields.String()
    ip = fields.String(allow_none=True)
    request_id = fields.String(allow_none=True)
    detail = fields.Dict()


class AuditQuerySchema(Schema):
    action = fields.String(metadata={"description": "chỉ các mục có hành động này"})
    actor = fields.String(metadata={"description": "chỉ các mục của chủ thể này, ví dụ staff:<uuid>"})
    target = fields.String(metadata={"description": "chỉ các mục về đối tượng này, ví dụ report:<uuid>"})
    from_ = fields.Date(data_key="from", metadata={"description": "từ ngày (giờ Việt Nam), YYYY-MM-DD"})
    to = fields.Date(metadata={"description": "đến hết ngày (giờ Việt Nam), YYYY-MM-DD"})

    @validates_schema
    def _period(self, data, **kwargs):
        if "from_" in data and "to" in data and data["from_"] > data["to"]:
            raise ValidationError("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.", field_name="from")


@blp.route("")
class AuditLog(MethodView):
    @allow(Staff("admin"))
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, AuditEntrySchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """Newest first; filter by action, actor, target and the days (Vietnam) it happened."""
        statement = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id)
        for name in ("action", "actor", "target"):
            if name in query:
                statement = statement.where(getattr(AuditEntry, name) == query[name])
        if "from_" in query:
            statement = statement.where(AuditEntry.at >= moments_of(query["from_"], query["from_"])[0])
        if "to" in query:
            statement = statement.where(AuditEntry.at < moments_of(query["to"], query["to"])[1])
        return statement


def cli_actor() -> str:
    """Who ran a command, for the audit log: `cli:<login name>`."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        user = "unknown"
    return f"cli:{user}"[:64]
