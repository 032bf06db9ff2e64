"""The first-aid kit's log (医药箱使用登记): what was used, for whom, by whom and when, so the kit
is refilled and a later question ("who gave my child that plaster?") has an answer."""
from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext

from server.accounts.services import record_audit
from server.malls.models import Mall, person_name

from .errors import DeskError
from .models import FirstAidUse, Incident


def record_use(mall: Mall, actor, *, used_at: datetime, supplies: str, used_for: str, given_by: str,
               incident: Incident | None = None) -> FirstAidUse:
    if used_at > timezone.now() + timedelta(minutes=5):
        raise DeskError(gettext("The kit cannot have been used in the future."), "future")
    if incident is not None and incident.mall_id != mall.pk:
        raise DeskError(gettext("Only an incident of this mall can be linked."), "incident")
    use = FirstAidUse.objects.create(mall=mall, used_at=used_at, supplies=supplies.strip(), used_for=used_for.strip(),
                                     given_by=given_by.strip() or person_name(actor), incident=incident,
                                     recorded_by=person_name(actor))
    record_audit(actor, "desk.first_aid_use", mall=mall, subject=str(use.pk), detail=use.supplies[:100])
    return use
