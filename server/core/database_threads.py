"""Database work of the busiest endpoints, on a few threads that keep their connections.

Under ASGI, Django runs each request's sync code on a thread of its own and opens and closes a
database connection per request: on the machines we measured that is about 3 ms of a kiosk
poll that otherwise costs a few. The hot paths (the kiosk API's device-key check, broadcast
polls and acknowledgements; the visitor's tracking page, `serve_on_database_threads`) run here
instead: `CONCIERGE_DATABASE_THREADS` threads per
process, each with one connection opened once and kept (so PostgreSQL sees at most that many
per process, however many polls are held). A connection that failed is closed and reopened on
the next call. With 0 threads the work runs on the request's own thread, as Django would run
it (the in-process tests do so: their transaction lives on that thread's connection).
"""
from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, ParamSpec, TypeVar

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, connection

P = ParamSpec("P")
R = TypeVar("R")

_executors: dict[int, ThreadPoolExecutor] = {}


def _keeping_connection(function: Callable[P, R]) -> Callable[P, R]:
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except DatabaseError:
            connection.close()
            raise
    return call


async def on_database_thread(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run `function` on one of the database threads and wait for it without blocking the loop."""
    threads = settings.CONCIERGE_DATABASE_THREADS
    if not threads:
        return await sync_to_async(function)(*args, **kwargs)
    if threads not in _executors:
        _executors[threads] = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="concierge-db")
    return await sync_to_async(_keeping_connection(function), thread_sensitive=False,
                               executor=_executors[threads])(*args, **kwargs)


def serve_on_database_threads(view: Callable[..., R]) -> Callable[..., R]:
    """A sync view served on the database threads (to Django, an async view)."""
    @functools.wraps(view)
    async def serve(request, *args, **kwargs):
        return await on_database_thread(view, request, *args, **kwargs)
    return serve
