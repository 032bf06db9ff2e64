"""What the service desk can lend now (wheelchairs, prams, umbrellas, power banks), as last
received by the sync agent, and whether it is fresh enough to show.

Availability changes with every loan, so it does not travel in content versions: the agent
polls `sync.protocol.AVAILABILITY_PATH` and keeps the last answer here with the time it
arrived (the kiosk's own clock). Screens show it only while fresh: after FRESH_FOR_S without
news (offline, or the server no longer answers) they show nothing rather than old numbers.
"""
from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from kiosk.store import LocalStore
from sync.protocol import LendingAvailability, LendingCount

SETTING = "lending_availability"
FRESH_FOR_S = 300.0
"""A few minutes: ten polls at the server's usual pace."""


@dataclass(frozen=True)
class Availability:
    counts: list[LendingCount]

    def at(self, facility_id: str) -> list[LendingCount]:
        """What the place `facility_id` lends, in the contract's kind order."""
        return [count for count in self.counts if count.facility_id == facility_id]


def save_availability(store: LocalStore, availability: LendingAvailability, received_at: float) -> None:
    store.set_setting(SETTING, {"received_at": received_at,
                                "counts": [count.model_dump() for count in availability.counts]})


def fresh_availability(store: LocalStore, now: float) -> Availability | None:
    """The last availability received within FRESH_FOR_S before `now`; None when there is none
    (never received, stale, or from a clock that jumped back)."""
    saved = store.get_setting(SETTING)
    if not isinstance(saved, dict):
        return None
    received_at = saved.get("received_at")
    if not isinstance(received_at, (int, float)) or not 0 <= now - received_at <= FRESH_FOR_S:
        return None
    try:
        return Availability([LendingCount.model_validate(count) for count in saved.get("counts", [])])
    except (ValidationError, TypeError):
        return None
