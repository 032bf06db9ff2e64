"""Which malls a person may see, and which one they are working on: the one place deciding it.

Staff belong to one mall (their `StaffProfile.mall`) and see only its rows; active superusers
(administrators) see every mall. Console views, the admin and the API ask here instead of
reading profiles themselves, so a new page cannot forget the boundary or draw it differently.
Role checks (who may handle cases, edit promotions...) stay in each app's access module: this
module answers only "which malls".
"""
from __future__ import annotations

from django.db.models import QuerySet

from .models import Mall, StaffProfile

WORKING_MALL_SESSION_KEY = "working_mall"
"""Where an administrator's pick of mall (?mall=) is remembered between console pages."""


def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def sees_every_mall(user) -> bool:
    """Active superusers work across malls; nobody else does, whatever their profile says."""
    return _signed_in(user) and user.is_superuser


def staff_mall_id(user) -> str | None:
    """The mall of the user's staff profile, or None; read once per user object (one request),
    since every permission check of a page asks for it."""
    if getattr(user, "pk", None) is None:
        return None
    if not hasattr(user, "_staff_mall_id"):
        user._staff_mall_id = (
            StaffProfile.objects.filter(user_id=user.pk).values_list("mall_id", flat=True).first())
    return user._staff_mall_id


def staff_mall(user) -> Mall | None:
    """The Mall row of the user's staff profile (None for administrators across malls)."""
    mall_id = staff_mall_id(user)
    return Mall.objects.filter(pk=mall_id).first() if mall_id else None


def only_mall() -> Mall | None:
    """The mall of a single-mall installation (None when there are none or several)."""
    malls = list(Mall.objects.all()[:2])
    return malls[0] if len(malls) == 1 else None


def visible_mall_ids(user) -> list[str] | None:
    """The ids of the malls `user` may see: None means every mall (active superusers); an empty
    list for anonymous or inactive users and accounts without a mall."""
    if sees_every_mall(user):
        return None
    mall_id = staff_mall_id(user) if _signed_in(user) else None
    return [mall_id] if mall_id else []


def visible_malls(user) -> QuerySet[Mall]:
    return scope(Mall.objects.all(), user, field="pk")


def may_see_mall(user, mall_id: str | None) -> bool:
    ids = visible_mall_ids(user)
    return ids is None or (mall_id is not None and mall_id in ids)


def scope(queryset: QuerySet, user, field: str = "mall") -> QuerySet:
    """`queryset` limited to the rows of the malls `user` may see. `field` is the lookup path
    from the queryset's model to the mall ("mall", "case__mall", "pk" for malls themselves)."""
    ids = visible_mall_ids(user)
    return queryset if ids is None else queryset.filter(**{f"{field}__in": ids})


def mall_path(model) -> str | None:
    """The lookup path from `model` to the mall its rows belong to ("pk" for Mall, "mall",
    "case__mall", "staff_profile__mall" for users), or None for rows no mall owns (blobs, groups).

    Found by walking forward foreign keys and reverse one-to-one links (a user's staff profile),
    nearest first, so a model added with a mall key is scoped without anyone listing it.
    """
    if model is Mall:
        return "pk"
    frontier = [("", model)]
    for _depth in range(3):
        reached = []
        for prefix, current in frontier:
            for field in current._meta.get_fields():
                forward = field.concrete and (field.many_to_one or field.one_to_one)
                reverse_one = field.one_to_one and field.auto_created and not field.concrete
                if not (forward or reverse_one):
                    continue
                path = f"{prefix}{field.name}"
                if field.related_model is Mall:
                    return path
                reached.append((f"{path}__", field.related_model))
        frontier = reached
    return None


def working_mall(request) -> Mall | None:
    """The mall a console page works on. Staff: their own. An administrator picks one with
    ?mall= (in the query or the form; remembered in the session for the next pages), else works
    on their profile's mall, else on the first mall."""
    user = request.user
    if not sees_every_mall(user):
        return staff_mall(user) if _signed_in(user) else None
    malls = Mall.objects.order_by("pk")
    asked = request.GET.get("mall") or request.POST.get("mall") or ""
    picked = malls.filter(pk=asked).first() if asked else None
    if picked is not None:
        request.session[WORKING_MALL_SESSION_KEY] = picked.pk
        return picked
    remembered = request.session.get(WORKING_MALL_SESSION_KEY)
    picked = malls.filter(pk=remembered).first() if remembered else None
    return picked or staff_mall(user) or malls.first()
