"""The mall boundary in Django's admin: staff of one mall see, pick and change only its rows.

Every ModelAdmin (and inline) of a mall-owned model mixes in `MallScopedAdmin` ahead of its
admin base class. Without it the admin shows every mall's rows to anyone with the model's
permission: an editor of one mall could publish another's promotions, a manager read another
mall's cases.
"""
from __future__ import annotations

from django.contrib.admin import RelatedFieldListFilter
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured

from .boundary import mall_path, scope, sees_every_mall
from .models import Mall


def _visible_rows(model, queryset, user):
    """`queryset` of `model` limited to the user's malls (unchanged for rows no mall owns)."""
    path = mall_path(model)
    return queryset if path is None else scope(queryset, user, path)


class VisibleRowsListFilter(RelatedFieldListFilter):
    """A related-field filter offering only the rows of malls the user may see."""

    def field_choices(self, field, request, model_admin):
        visible = _visible_rows(field.related_model, field.related_model._default_manager.all(), request.user)
        return field.get_choices(include_blank=False, ordering=self.field_admin_ordering(field, request, model_admin),
                                 limit_choices_to={"pk__in": visible.values("pk")})


class MallScopedAdmin:
    """Mix into a ModelAdmin or InlineModelAdmin of a mall-owned model, before the admin class.

    The changelist, change, delete and history pages and every action work on the scoped
    queryset, so another mall's row is "not found"; foreign-key choices and list filters offer
    only visible malls' rows; a row cannot be saved into, or without, a mall the user cannot see
    (a form error). `mall_field` is the lookup path to the mall, found from the model by default.
    """

    mall_field: str | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mall_field = self.mall_field or mall_path(self.model)
        if self.mall_field is None:
            raise ImproperlyConfigured(f"{type(self).__name__}: {self.model.__name__} belongs to no mall")

    def get_queryset(self, request):
        return scope(super().get_queryset(request), request.user, self.mall_field)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.remote_field.model
        if "queryset" not in kwargs and mall_path(related) is not None:
            db = kwargs.get("using")
            queryset = self.get_field_queryset(db, db_field, request)
            if queryset is None:
                queryset = related._default_manager.using(db)
            kwargs["queryset"] = _visible_rows(related, queryset, request.user)
        if related is Mall and not sees_every_mall(request.user):
            kwargs["required"] = True  # no mall means every mall's, which only administrators own
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_list_filter(self, request):
        return [self._scoped_filter(entry) for entry in super().get_list_filter(request)]

    def _scoped_filter(self, entry):
        if not isinstance(entry, str):
            return entry
        try:
            field = get_fields_from_path(self.model, entry)[-1]
        except (FieldDoesNotExist, NotRelationField):
            return entry
        if field.is_relation and mall_path(field.related_model) is not None:
            return (entry, VisibleRowsListFilter)
        return entry
