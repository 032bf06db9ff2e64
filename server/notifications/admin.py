from django.contrib import admin
from django.db import models

from server.malls.admin import MallScopedAdmin

from .models import DepartmentChannel, Message


@admin.register(DepartmentChannel)
class DepartmentChannelAdmin(MallScopedAdmin, admin.ModelAdmin):
    list_display = ("mall", "department", "webhook_url")
    list_filter = ("department",)
    # A robot address typed without a scheme is taken as https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Message)
class MessageAdmin(MallScopedAdmin, admin.ModelAdmin):
    """What was sent, to whom, and why a message failed; read-only (the courier writes it)."""

    list_display = ("created_at", "case_reference", "trigger", "channel", "recipient", "status", "attempts")
    list_filter = ("status", "channel", "trigger")
    search_fields = ("case_reference",)
    readonly_fields = [field.name for field in Message._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
