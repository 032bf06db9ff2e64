"""What each audit-log action code means, in the page's language: staff read "转交" on the audit
page, not `case.hand_over`. A code without a label (a newer action) is shown as it is."""
from __future__ import annotations

from django.utils.translation import pgettext_lazy

ACTION_LABELS = {
    "case.register": pgettext_lazy("audit action", "Case registered at the desk"),
    "case.status": pgettext_lazy("audit action", "Case status changed"),
    "case.note": pgettext_lazy("audit action", "Note added to a case"),
    "case.hand_over": pgettext_lazy("audit action", "Case handed over"),
    "case.callback": pgettext_lazy("audit action", "Call-back recorded"),
    "case.attachment": pgettext_lazy("audit action", "Photo attached to a case"),
    "case.reveal_contact": pgettext_lazy("audit action", "Visitor's phone number shown"),
    "case.escalate": pgettext_lazy("audit action", "Case escalated to the manager"),
    "case.queue": pgettext_lazy("audit action", "Case handed to a department's queue"),
    "case.take": pgettext_lazy("audit action", "Case taken from a queue"),
    "case.team": pgettext_lazy("audit action", "Staff member added to a case's team"),
    "case.merge": pgettext_lazy("audit action", "Cases merged"),
    "case.priority": pgettext_lazy("audit action", "Case priority changed"),
    "case.macro": pgettext_lazy("audit action", "Canned reply sent"),
    "case.follow_up_close": pgettext_lazy("audit action", "Follow-up closed by the manager"),
    "lostfound.case_saved": pgettext_lazy("audit action", "Lost-property record saved"),
    "lostfound.item_status": pgettext_lazy("audit action", "Found item's status changed"),
    "lostfound.report_status": pgettext_lazy("audit action", "Lost report's status changed"),
    "lostfound.claim_status": pgettext_lazy("audit action", "Claim's status changed"),
    "lostfound.suggestion_status": pgettext_lazy("audit action", "Match suggestion decided"),
    "lostfound.disposal_request": pgettext_lazy("audit action", "Disposal requested"),
    "lostfound.disposal_approval": pgettext_lazy("audit action", "Disposal approved"),
    "lostfound.announce": pgettext_lazy("audit action", "Found item announced"),
    "desk.luggage_check_in": pgettext_lazy("audit action", "Left luggage checked in"),
    "desk.luggage_status": pgettext_lazy("audit action", "Left luggage status changed"),
    "desk.closing_record": pgettext_lazy("audit action", "Open left luggage recorded at closing time"),
    "desk.first_aid_use": pgettext_lazy("audit action", "First-aid kit used"),
    "desk.incident_record": pgettext_lazy("audit action", "Incident recorded"),
    "desk.incident_update": pgettext_lazy("audit action", "Incident updated"),
    "desk.incident_status": pgettext_lazy("audit action", "Incident status changed"),
    "desk.handover_write": pgettext_lazy("audit action", "Shift handover written"),
    "desk.handover_status": pgettext_lazy("audit action", "Shift handover acknowledged"),
    "desk.meeting_record": pgettext_lazy("audit action", "Morning meeting recorded"),
    "loans.item_registered": pgettext_lazy("audit action", "Lendable item registered"),
    "loans.item_state": pgettext_lazy("audit action", "Lendable item's state changed"),
    "loans.lent": pgettext_lazy("audit action", "Item lent"),
    "loans.loan_status": pgettext_lazy("audit action", "Loan status changed"),
    "loans.overdue_contacts_shown": pgettext_lazy("audit action", "Overdue borrowers' phone numbers shown"),
    "report.export": pgettext_lazy("audit action", "Report downloaded"),
    "report.analysis": pgettext_lazy("audit action", "Report analysis written"),
    "broadcast_emergency": pgettext_lazy("audit action", "Emergency sent to kiosks"),
    "broadcast_notice": pgettext_lazy("audit action", "Notice sent to kiosks"),
    "broadcast_end": pgettext_lazy("audit action", "Broadcast ended"),
    "content.publish": pgettext_lazy("audit action", "Content published"),
    "content.publish_confirmed_loss": pgettext_lazy("audit action", "Content published with losses confirmed"),
    "wayfinding.close": pgettext_lazy("audit action", "Lift or escalator closed"),
    "wayfinding.reopen": pgettext_lazy("audit action", "Lift or escalator back in service"),
    "wayfinding.map_publish": pgettext_lazy("audit action", "Map published"),
    "fleet.settings": pgettext_lazy("audit action", "Fleet settings changed"),
    "fleet.approve": pgettext_lazy("audit action", "Kiosk approved"),
    "fleet.revoke": pgettext_lazy("audit action", "Kiosk revoked"),
    "fleet.rotate_key": pgettext_lazy("audit action", "Kiosk device key rotated"),
    "fleet.command": pgettext_lazy("audit action", "Command sent to a kiosk"),
}


def action_label(code: str) -> str:
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code
