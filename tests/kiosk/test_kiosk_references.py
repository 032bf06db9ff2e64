"""References: short, readable, never repeated by a kiosk, and not sequential-looking."""
from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

import pytest

from kiosk.cases import (
    REFERENCE_SPACE,
    CaseDraft,
    ReferenceSpaceExhausted,
    _counter_key,
    encode_reference,
    permute_counter,
    submit_case,
)
from kiosk.store import LocalStore
from sync.protocol import REFERENCE_RE

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def test_the_permutation_is_a_bijection_of_the_whole_space():
    assert REFERENCE_SPACE == 32**4
    images = bytearray(REFERENCE_SPACE)
    for counter in range(REFERENCE_SPACE):
        image = permute_counter(counter)
        assert not images[image], f"{counter} collides"
        images[image] = 1
    assert all(images)


def test_out_of_range_counters_are_refused():
    for bad in (-1, REFERENCE_SPACE):
        with pytest.raises(ValueError):
            permute_counter(bad)


def test_100k_references_are_unique_and_well_formed():
    references = [encode_reference("C7K", counter) for counter in range(100_000)]
    assert len(set(references)) == 100_000
    assert all(REFERENCE_RE.match(reference) for reference in references)


def test_consecutive_references_do_not_look_sequential():
    references = [encode_reference("C7K", counter)[4:] for counter in range(1000)]
    changed = [sum(a != b for a, b in zip(x, y, strict=True)) for x, y in pairwise(references)]
    assert sum(changed) / len(changed) > 2.5, "neighbours should differ in most of the 4 characters"
    assert sorted(references) != references


def test_two_kiosks_never_share_a_reference():
    first = {encode_reference("C7K", n) for n in range(5000)}
    second = {encode_reference("C7M", n) for n in range(5000)}
    assert not first & second


def test_counter_persists_across_restarts_and_is_never_reused(store, identity, data_dir):
    seen = [submit_case(store, identity, CaseDraft(kind="praise", description="好"), NOW).reference for _ in range(5)]
    store.close()
    with LocalStore.in_dir(data_dir) as reopened:
        seen += [submit_case(reopened, identity, CaseDraft(kind="praise", description="好"), NOW).reference
                 for _ in range(5)]
        assert seen == [encode_reference("C7K", n) for n in range(10)]
        assert reopened.get_setting(_counter_key("C7K")) == 10


def test_an_exhausted_kiosk_code_refuses_rather_than_repeats(store, identity):
    store.set_setting(_counter_key("C7K"), REFERENCE_SPACE)
    with pytest.raises(ReferenceSpaceExhausted):
        submit_case(store, identity, CaseDraft(kind="praise", description="好"), NOW)
