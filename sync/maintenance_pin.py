"""The staff PIN of a kiosk's maintenance screen, as the `set_maintenance_pin` command carries it.

Only a salted PBKDF2-SHA256 hash travels and is kept: the fleet console hashes the PIN a
manager types, the kiosk checks what staff type on its pad against the hash. Both sides read
the format here, so the console and the kiosk cannot drift apart.
"""
from __future__ import annotations

import hashlib
import secrets
from typing import Any

PIN_ALGORITHM = "pbkdf2_sha256"
PIN_ITERATIONS = 200_000
MIN_ITERATIONS, MAX_ITERATIONS = 50_000, 2_000_000
"""The iterations a console-sent hash may use: fewer is too cheap to guess, more stalls the kiosk."""
PIN_MIN_DIGITS, PIN_MAX_DIGITS = 4, 12


def valid_pin(pin: str) -> bool:
    return PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS and pin.isascii() and pin.isdigit()


def hash_pin(pin: str, salt: bytes | None = None, iterations: int = PIN_ITERATIONS) -> dict[str, Any]:
    """The record kept for `pin` (what the fleet console sends, too)."""
    if not valid_pin(pin):
        raise ValueError(f"a PIN has {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits")
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode("ascii"), salt, iterations)
    return {"algorithm": PIN_ALGORITHM, "iterations": iterations, "salt": salt.hex(), "hash": digest.hex()}


def pin_record_from_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """A hash record as the console sent it, checked; ValueError says what is wrong."""
    algorithm, iterations = payload.get("algorithm"), payload.get("iterations")
    salt, digest = payload.get("salt"), payload.get("hash")
    if algorithm != PIN_ALGORITHM:
        raise ValueError(f"unknown PIN hash algorithm {algorithm!r} (expected {PIN_ALGORITHM})")
    if not isinstance(iterations, int) or isinstance(iterations, bool) or not (
            MIN_ITERATIONS <= iterations <= MAX_ITERATIONS):
        raise ValueError(f"iterations must be a whole number from {MIN_ITERATIONS} to {MAX_ITERATIONS}")
    try:
        salt_bytes = bytes.fromhex(salt) if isinstance(salt, str) else b""
        digest_bytes = bytes.fromhex(digest) if isinstance(digest, str) else b""
    except ValueError:
        raise ValueError("the salt and the hash must be hexadecimal") from None
    if not 16 <= len(salt_bytes) <= 64:
        raise ValueError("the salt must be 16 to 64 bytes")
    if len(digest_bytes) != 32:
        raise ValueError("the hash must be 32 bytes (PBKDF2-SHA256)")
    return {"algorithm": PIN_ALGORITHM, "iterations": iterations, "salt": salt_bytes.hex(),
            "hash": digest_bytes.hex()}
