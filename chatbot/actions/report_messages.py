"""What the citizen reads from the report actions: the numbered list of categories, the
summary before sending, what happened once sent, the status of their reports."""

from __future__ import annotations

from typing import Any

from actions import texts
from actions.report_slots import (
    ADDRESS,
    ANONYMOUS,
    CATEGORY,
    CRIME,
    DESCRIPTION,
    KIND,
    LIST_LIMIT,
    TIME,
    UNKNOWN,
    WARD,
    WARD_NAME,
)
from actions.report_time import time_text
from actions.report_words import categories_of


def category_list(kind: str, catalogue: list[dict[str, Any]]) -> str:
    lines = [f"{number}. {c.get('name')}" for number, c in enumerate(categories_of(kind, catalogue), start=1)]
    return "\n".join(lines)


def category_name(code: str | None, catalogue: list[dict[str, Any]]) -> str:
    return next((c.get("name") for c in catalogue if c.get("code") == code), None) or str(code)


def summary(slots: dict[str, Any], catalogue: list[dict[str, Any]], *, signed_in: bool) -> str:
    kind = slots.get(KIND)
    address = slots.get(ADDRESS)
    lines = [
        texts.REPORT_SUMMARY_HEADER_CRIME if kind == CRIME else texts.REPORT_SUMMARY_HEADER_ISSUE,
        f"• Lĩnh vực: {category_name(slots.get(CATEGORY), catalogue)}",
        f"• Nơi xảy ra: {address if address and address != UNKNOWN else 'không rõ địa chỉ cụ thể'}, "
        f"{slots.get(WARD_NAME) or slots.get(WARD)}",
        f"• Thời gian: {time_text(slots.get(TIME))}",
        f"• Nội dung: {slots.get(DESCRIPTION)}",
    ]
    if kind == CRIME:
        anonymous = slots.get(ANONYMOUS) is True or not signed_in
        lines.append(
            f"• Người tố giác: {'ẩn danh' if anonymous else 'có danh tính (được mã hóa, chỉ công an xem)'}"
        )
    lines.append(texts.REPORT_CONFIRM_QUESTION)
    return "\n".join(lines)


def deadline_of(report: dict[str, Any]) -> str | None:
    due = texts.day(report.get("deadline"))
    if not due:
        return None
    return f"hạn phản hồi {due}" + (" (đã quá hạn)" if report.get("overdue") else "")


def describe_submitted(submitted: dict[str, Any]) -> list[str]:
    """What the citizen is told once the report is filed: one message each, the token alone."""
    report = submitted.get("report") or {}
    category = (report.get("category") or {}).get("name") or ""
    ward = (report.get("ward") or {}).get("name") or ""
    what = (
        texts.REPORT_CRIME_SENT if (report.get("category") or {}).get("is_crime") else texts.REPORT_ISSUE_SENT
    )
    first = what.format(
        category=category,
        ward=ward,
        unit=report.get("unit_name") or "",
        status=report.get("status_name") or "",
        deadline=texts.day(report.get("deadline")) or "",
    )
    messages = [first]
    token = submitted.get("tracking_token")
    if token:
        messages.append(texts.REPORT_FOLLOW_ANONYMOUS.format(token=token))
    else:
        messages.append(texts.REPORT_FOLLOW_IN_APP)
    duplicates = submitted.get("possible_duplicates") or []
    if duplicates:
        messages.append(texts.REPORT_POSSIBLE_DUPLICATES.format(count=len(duplicates)))
    emergency = submitted.get("emergency")
    if isinstance(emergency, dict) and emergency.get("message"):
        messages.append(emergency["message"])
    return messages


def describe_report(report: dict[str, Any]) -> str:
    category = (report.get("category") or {}).get("name") or "Phản ánh"
    sent = texts.day(report.get("submitted_at"))
    ward = (report.get("ward") or {}).get("name")
    head = f"• {category}" + (f", gửi ngày {sent}" if sent else "") + (f" ({ward})" if ward else "")
    facts = [report.get("status_name") or report.get("status") or ""]
    if report.get("status") in ("received", "assigned", "in_progress") or report.get("overdue"):
        deadline = deadline_of(report)
        if deadline:
            facts.append(deadline)
    if report.get("resolution_note"):
        facts.append(f"kết quả: {report['resolution_note']}")
    if report.get("reject_reason"):
        facts.append(f"lý do: {report['reject_reason']}")
    return f"{head}: " + "; ".join(fact for fact in facts if fact) + "."


def describe_mine(reports: list[dict[str, Any]], total: int) -> str:
    lines = [texts.REPORTS_MINE_HEADER.format(count=total)]
    lines.extend(describe_report(report) for report in reports[:LIST_LIMIT])
    if total > LIST_LIMIT:
        lines.append(texts.REPORTS_MINE_MORE.format(more=total - LIST_LIMIT))
    overdue = sum(1 for report in reports if report.get("overdue"))
    if overdue:
        lines.append(texts.REPORTS_OVERDUE_NOTE)
    lines.append(texts.REPORTS_MINE_FOOTER)
    return "\n".join(lines)
