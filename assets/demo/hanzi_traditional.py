"""Placeholder while the table is being built."""
PHRASES: dict[str, str] = {}
CHARS: dict[str, str] = {}


def to_traditional(text: str) -> str:
    return text
