"""What a member's commits of a day hold: parts of their conversations' accepted lines and of their accepted tab
lines (the rules are in :mod:`.activity`'s docstring)."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date

from ..agents import ORIGIN_AUTOMATION, ORIGIN_CLI, ORIGIN_CLOUD
from ..cycles import DAY_MS, day_start_ms
from ..team import Member
from . import naming
from .commit_ids import commit_hash

_LATEST_COMMIT_MS = DAY_MS - 10 * 60_000  # commits are made by 23:50 UTC


@dataclass(frozen=True)
class Conversation:
    id: str
    origin: str
    model: str  # the model of most of its requests
    last_ms: int
    lines_added: int
    lines_deleted: int


@dataclass(frozen=True)
class Part:
    """Lines one writer put in one commit: a conversation, or tab completions (``conversation`` None)."""

    conversation: str | None
    model: str | None
    lines: int


@dataclass(frozen=True)
class Commit:
    hash: str
    member: Member
    repo: str | None
    branch: str | None
    primary: bool | None
    source: str  # ide, cli or cloud
    ts: int
    ts_known: bool  # False: commitTs is null
    created_ms: int
    amended_ms: int | None  # createdAt of the second row of an amended commit
    message: str | None
    parts: tuple[Part, ...]
    non_ai_added: int
    deleted: tuple[int, int, int]  # tab, composer and non-AI lines deleted

    @property
    def tab_added(self) -> int:
        return sum(p.lines for p in self.parts if p.conversation is None)

    @property
    def composer_added(self) -> int:
        return sum(p.lines for p in self.parts if p.conversation is not None)

    def conversation_lines(self) -> dict[str, int]:
        out: Counter = Counter()
        for part in self.parts:
            if part.conversation is not None:
                out[part.conversation] += part.lines
        return dict(out)


def split_lines(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` lines in ``parts`` shares of at least one line each (fewer shares when there are fewer lines)."""
    parts = max(1, min(parts, total))
    cuts = sorted(rng.sample(range(1, total), parts - 1)) if parts > 1 else []
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


class CommitMaker:
    """The commits of one member-day (see :mod:`.activity`)."""

    def __init__(
        self, seed: int, member: Member, day: date, repos: tuple[str, ...], rng: random.Random, migration: str | None
    ) -> None:
        self.seed, self.member, self.day, self.repos, self.rng, self.migration = (
            seed,
            member,
            day,
            repos,
            rng,
            migration,
        )
        self.base = day_start_ms(day)
        self.topic = naming.topic(seed, member.index, day.isocalendar()[1])
        self.conversations: list[Conversation] = []

    def make(self, conversations: list[Conversation], tab_accepted: int) -> list[Commit]:
        """Commits holding part of ``conversations``' lines and of the ``tab_accepted`` lines."""
        self.conversations = conversations
        rng, local, cloud = self.rng, [], []
        for conversation in conversations:
            if not conversation.lines_added or (not self.migration and rng.random() < 0.3):
                continue
            share = rng.uniform(0.85, 1.0) if self.migration else rng.uniform(0.5, 1.0)
            written = (conversation, max(1, int(conversation.lines_added * share)))
            (cloud if conversation.origin in (ORIGIN_CLOUD, ORIGIN_AUTOMATION) else local).append(written)
        has_local = self.migration is not None or rng.random() < 0.75
        tab_lines = int(tab_accepted * rng.uniform(0.4, 0.9)) if has_local else 0
        slots: list[list[Part]] = []
        if has_local and (local or tab_lines or rng.random() < 0.3):
            slots = [[] for _ in range(rng.randint(1, 3))]
            for conversation, lines in local:
                chosen = rng.sample(range(len(slots)), min(len(slots), rng.choice((1, 1, 1, 1, 1, 2, 2, 2, 3))))
                for slot, share in zip(chosen, split_lines(lines, len(chosen), rng), strict=False):
                    slots[slot].append(Part(conversation.id, conversation.model, share))
            if tab_lines:
                order = rng.sample(range(len(slots)), len(slots))
                for slot, share in zip(order, split_lines(tab_lines, len(slots), rng), strict=False):
                    slots[slot].append(Part(None, None, share))
        commits = [self._commit(number, parts, local_commit=True) for number, parts in enumerate(slots)]
        for conversation, lines in cloud[:120]:  # at most 3 + 240 commits a day: a hash numbers them in a byte
            shares = split_lines(lines, 2 if rng.random() < 0.25 else 1, rng)
            repos = rng.sample(self.repos, min(len(self.repos), len(shares))) if not self.migration else [None]
            for k, share in enumerate(shares):
                repo = repos[k % len(repos)]
                part = Part(conversation.id, conversation.model, share)
                commits.append(self._commit(len(commits), [part], local_commit=False, repo=repo))
        return commits

    def _commit(self, number: int, parts: list[Part], local_commit: bool, repo: str | None = None) -> Commit:
        rng = self.rng
        lasts = [c.last_ms for c in self.conversations if any(p.conversation == c.id for p in parts)]
        earliest = max([*lasts, self.base + 8 * 3_600_000])
        ts = min(earliest + rng.randint(60_000, 5_400_000), self.base + _LATEST_COMMIT_MS)
        repo = self.migration or repo or rng.choice(self.repos)
        if local_commit and not self.migration and rng.random() < 0.03:
            repo = None
        primary = rng.random() < 0.35 if local_commit else False
        branch = "main" if primary else f"feature/{self.topic}" if local_commit else f"cursor/{self.topic}"
        if not local_commit:
            branch += f"-{rng.getrandbits(16):04x}"
        source = "cloud" if not local_commit else "ide"
        by_origin: Counter = Counter()
        for conversation in self.conversations:
            by_origin[conversation.origin == ORIGIN_CLI] += sum(
                p.lines for p in parts if p.conversation == conversation.id
            )
        if local_commit and by_origin[True] > by_origin[False]:
            source = "cli"  # most of its agent lines come from CLI conversations
        created = ts + rng.randint(3_000, 60_000)
        composer = sum(p.lines for p in parts if p.conversation)
        tab = sum(p.lines for p in parts if not p.conversation)
        return Commit(
            hash=commit_hash(self.seed, self.day, self.member.index, number),
            member=self.member,
            repo=repo,
            branch=branch if repo else None,
            primary=(primary if rng.random() >= 0.02 else None) if repo else None,
            source=source,
            ts=ts,
            ts_known=rng.random() >= 0.03,
            created_ms=created,
            amended_ms=created + rng.randint(120_000, 3 * 3_600_000) if rng.random() < 0.05 else None,
            message=naming.commit_message(rng, self.topic) if rng.random() >= 0.05 else None,
            parts=tuple(parts),
            non_ai_added=rng.randint(0 if parts else 1, 80),
            deleted=(int(tab * rng.uniform(0, 0.1)), int(composer * rng.uniform(0.05, 0.3)), rng.randint(0, 30)),
        )
