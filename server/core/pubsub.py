"""Messages between server processes through Redis, where CONCIERGE_REDIS_URL names one.

Used so that a change made by one process (a console request, a job, a `python -m server` tool)
wakes what waits for it in every other worker at once, on SQLite as on PostgreSQL, instead of
each worker re-reading the database on a timer. A message only says "look again": whoever
receives it reads the database, so a lost message costs a delay, never a wrong answer, and the
readers keep a slow periodic re-read as the safety net.
"""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache

import redis
import redis.asyncio
from django.conf import settings

log = logging.getLogger(__name__)

PUBLISH_TIMEOUT_SECONDS = 0.5
"""A Redis that does not answer delays the change that publishes by at most this (it has been committed)."""


def configured() -> bool:
    return bool(settings.CONCIERGE_REDIS_URL)


@cache
def _publisher(url: str) -> redis.Redis:
    """One client (a thread-safe connection pool) per process."""
    return redis.Redis.from_url(url, socket_timeout=PUBLISH_TIMEOUT_SECONDS,
                                socket_connect_timeout=PUBLISH_TIMEOUT_SECONDS)


def publish(channel: str, message: str = "") -> None:
    """Publish from sync code; a Redis failure is logged, not raised (the readers re-read anyway)."""
    try:
        _publisher(settings.CONCIERGE_REDIS_URL).publish(channel, message)
    except redis.RedisError as failed:
        log.warning("publishing on Redis channel %s failed (%s); its subscribers notice at their next re-read",
                    channel, failed)


@asynccontextmanager
async def subscription(channel: str) -> AsyncIterator[AsyncIterator[bytes]]:
    """Subscribed to `channel` once entered (Redis has confirmed), yielding the messages' data.
    Raises redis.RedisError (or OSError) when the connection fails, then or later."""
    client = redis.asyncio.Redis.from_url(settings.CONCIERGE_REDIS_URL, socket_connect_timeout=5,
                                          socket_keepalive=True)
    async with client, client.pubsub() as pubsub:
        await pubsub.subscribe(channel)
        async for confirmation in pubsub.listen():
            if confirmation["type"] == "subscribe":
                break

        async def messages() -> AsyncIterator[bytes]:
            async for message in pubsub.listen():
                if message["type"] == "message":
                    yield message["data"]

        yield messages()
