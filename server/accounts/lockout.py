"""The page a person sees when django-axes has locked sign-in (settings.AXES_LOCKOUT_CALLABLE).

Shown by /accounts/login/ and /admin/login/ in the language the console speaks to them
(LocaleMiddleware), with 429 and Retry-After: the cool-off, which each try while locked restarts.
"""
from __future__ import annotations

import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def locked_out_page(request: HttpRequest, original_response: HttpResponse | None = None,
                    credentials: dict | None = None) -> HttpResponse:
    """axes calls this with the view's response and the credentials tried; the page needs neither."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = render(request, "accounts/locked_out.html", {"minutes": math.ceil(seconds / 60)},
                      status=settings.AXES_HTTP_RESPONSE_CODE)
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response
