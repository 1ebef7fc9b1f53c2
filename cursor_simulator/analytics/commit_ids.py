"""Commit hashes that say where their commit was made: a keyed permutation (a 4-round Feistel network over 64
bits, keyed by the team's seed) of the member-day and the commit's number that day, then 24 hex digits of a
keyed hash of it. They look like git hashes (40 hex digits, no visible order), and the commit-detail route
finds a commit from its hash alone without keeping every commit in memory."""

from __future__ import annotations

import hashlib
from datetime import date

_EPOCH = date(2000, 1, 1).toordinal()
_MASK32 = 0xFFFFFFFF
_ROUNDS = 4


def _round(seed: int, number: int, half: int) -> int:
    digest = hashlib.blake2b(f"{seed}|{number}|{half}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big")


def _permute(seed: int, block: int, inverse: bool = False) -> int:
    left, right = block >> 32, block & _MASK32
    rounds = range(_ROUNDS - 1, -1, -1) if inverse else range(_ROUNDS)
    for number in rounds:
        if inverse:
            left, right = right ^ _round(seed, number, left), left
        else:
            left, right = right, left ^ _round(seed, number, right)
    return (left << 32) | right


def _tail(seed: int, head: str) -> str:
    return hashlib.blake2b(f"{seed}|{head}".encode(), digest_size=12).hexdigest()


def commit_hash(seed: int, day: date, member_index: int, number: int) -> str:
    """The hash of the member's ``number``-th commit (0 to 255) of ``day`` (up to 1,048,575 members)."""
    block = ((day.toordinal() - _EPOCH) << 28) | (member_index << 8) | number
    head = f"{_permute(seed, block):016x}"
    return head + _tail(seed, head)


def commit_place(seed: int, text: str) -> tuple[date, int, int] | None:
    """(day, member index, number) of a hash made by :func:`commit_hash`, or None for any other text."""
    text = text.strip().lower()
    if len(text) != 40 or any(c not in "0123456789abcdef" for c in text) or _tail(seed, text[:16]) != text[16:]:
        return None
    block = _permute(seed, int(text[:16], 16), inverse=True)
    if block >> 48:  # 20 bits of days from 2000-01-01
        return None
    return date.fromordinal((block >> 28) + _EPOCH), (block >> 8) & 0xFFFFF, block & 0xFF
