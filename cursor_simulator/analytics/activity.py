"""A member-day's AI code activity, derived from that day's usage events and daily counters and a generator of its
own (seeded by team, member and day), so that any day can be produced alone, as the events are.

* **Conversations** are the member's requests grouped by ``conversationId``; each that is not only errored or
  aborted requests wrote accepted agent lines (4 to 30 per request; twice that in a planted migration).
* **Accepted changes**: one ``COMPOSER`` change per such conversation (its lines), and a few ``TAB`` changes holding
  the day's accepted tab lines (1.2 to 2.8 per accepted tab: ``totalTabsAccepted`` of the daily usage).
* **Commits** draw from them: most conversations (7 in 10; every one in a migration) commit half or more of their
  lines; IDE and CLI conversations and tab lines go into 1 to 3 local commits (on 3 days in 4; every migration day),
  a conversation into 1 to 3 of them, which may be in different repositories; a cloud-agent or automation run goes
  into its own ``cloud`` commit, or two in two repositories; a local commit is a ``cli`` one when most of its agent
  lines come from CLI conversations, else ``ide``. So commits' AI lines never exceed accepted lines.
  A ``no_commits`` member commits nothing. A commit of a day is made after its conversations' requests.
* Quirks (reference §9.2): 3 % of local commits have no repository (and no branch; only the workspace's top-level
  repository is measured), 3 % of commits no ``commitTs``, 2 % no ``isPrimaryBranch``, 5 % no message, and 5 % are
  amended: listed twice with the same hash and ``commitTs``, the second row ingested 2 minutes to 3 hours later.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from ..agents import origin
from ..cycles import DAY_MS, day_start_ms
from ..day_cache import DayCache
from ..pricing import KIND_ABORTED, KIND_ERRORED
from ..repositories import team_repositories
from ..team import Member
from ..usage import TeamUsage
from . import naming
from .commits import Commit, CommitMaker, Conversation, split_lines

TAB, COMPOSER = "TAB", "COMPOSER"
_EVENTS_PER_MEMBER = 50  # a member-day of activity counted as this many events in the simulator's day budget


@dataclass(frozen=True)
class Change:
    """An accepted change; its files are laid out on demand (from a generator seeded by the change id)."""

    id: str
    source: str
    model: str | None
    created_ms: int
    repo: str
    added: int
    deleted: int

    def files(self, seed: int) -> list[tuple[str, int, int]]:
        """(path, lines added, lines deleted) of each of the 1 to 3 files the change touched."""
        rng = random.Random(f"{seed}|files|{self.id}")
        shares = split_lines(self.added, rng.randint(1, 3), rng)
        paths = [naming.file_path(self.repo, rng) for _ in shares]
        return list(zip(paths, shares, _in_proportion(self.deleted, shares), strict=True))


@dataclass
class MemberCode:
    """One member's AI code activity on one day (people only; service accounts commit nothing)."""

    member: Member
    day: date
    conversations: list[Conversation]
    tabs: dict  # tab lines and counts, the Analytics tabs row of the member-day
    agent: dict = field(default_factory=dict)  # the Analytics agent-edits row
    changes: list[Change] = field(default_factory=list)
    commits: list[Commit] = field(default_factory=list)
    origins: set[str] = field(default_factory=set)  # where the member worked: ide, cli, cloud, automation
    bugbot_reviews: int = 0
    models: dict[str, int] = field(default_factory=dict)  # requests per model


def _conversations(member: Member, events: list[dict], rng: random.Random, boost: int) -> list[Conversation]:
    grouped: dict[str, list[dict]] = {}
    for event in sorted(events, key=lambda e: int(e["timestamp"])):
        if "conversationId" in event:
            grouped.setdefault(event["conversationId"], []).append(event)
    out = []
    for conversation, requests in grouped.items():
        models = Counter(e["model"] for e in requests)
        working = sum(1 for e in requests if e["kind"] not in (KIND_ERRORED, KIND_ABORTED))
        added = max(1, int(working * rng.uniform(4, 30) * boost)) if working else 0
        out.append(
            Conversation(
                id=conversation,
                origin=origin(member.agents, conversation).kind,
                model=min(models, key=lambda m: (-models[m], m)),
                last_ms=int(requests[-1]["timestamp"]),
                lines_added=added,
                lines_deleted=int(added * rng.uniform(0.05, 0.4)),
            )
        )
    return out


def _tabs(daily: dict, rng: random.Random) -> dict:
    accepts, shown = daily["totalTabsAccepted"], daily["totalTabsShown"]
    green = int(accepts * rng.uniform(1.2, 2.8))
    rejected = int((shown - accepts) * rng.uniform(1.0, 2.5))
    return {
        "suggestions": shown, "accepts": accepts, "rejects": shown - accepts,
        "green_accepted": green, "red_accepted": int(green * rng.uniform(0, 0.15)),
        "green_rejected": rejected, "red_rejected": int(rejected * rng.uniform(0, 0.1)),
    }  # fmt: skip


def _in_proportion(total: int, shares: list[int]) -> list[int]:
    """``total`` split in proportion to ``shares`` (rounded down, the rest in the last)."""
    out = [total * share // sum(shares) for share in shares[:-1]]
    return [*out, total - sum(out)]


class CodeActivity:
    """The AI code activity of one team, a day at a time (a small LRU keeps the days being read)."""

    def __init__(self, usage: TeamUsage) -> None:
        self.usage = usage
        self.spec = usage.spec
        self.repos = team_repositories(usage.spec)
        self._days: DayCache[dict[int, MemberCode]] = DayCache(lambda members: len(members) * _EVENTS_PER_MEMBER)
        self.no_commits = {p.member_index for p in usage.planted if p.kind == "no_commits"}
        migrations = [p for p in usage.planted if p.kind == "migration"]
        self.migrations = {(index, day): p.repo for p in migrations for index in p.members for day in p.days}

    def day(self, day: date) -> dict[int, MemberCode]:
        """Per member index, the activity of the people active on ``day``."""
        return self._days.get(day, self._generate)

    def _generate(self, day: date) -> dict[int, MemberCode]:
        usage_day = self.usage.day(day)
        events: dict[int, list[dict]] = {}
        for event, owner in zip(usage_day.events, usage_day.owners, strict=True):
            events.setdefault(owner, []).append(event)
        out = {}
        for index, daily in usage_day.daily.items():
            if daily["isActive"]:
                out[index] = self._member_day(self.usage.members[index], day, daily, events.get(index, []))
        return out

    def _member_day(self, member: Member, day: date, daily: dict, events: list[dict]) -> MemberCode:
        rng = random.Random(f"{self.spec.seed}|code|{member.index}|{day.isoformat()}")
        migration = self.migrations.get((member.index, day))
        code = MemberCode(member, day, _conversations(member, events, rng, 2 if migration else 1), _tabs(daily, rng))
        code.origins = {c.origin for c in code.conversations}
        code.bugbot_reviews = daily["bugbotUsages"]
        code.models = dict(Counter(e["model"] for e in events))
        code.changes = self._changes(code, rng)
        composer = [c for c in code.changes if c.source == COMPOSER]
        accepted = max(daily["totalAccepts"], len(composer))
        code.agent = {
            "suggested": accepted + daily["totalRejects"], "accepted": accepted, "rejected": daily["totalRejects"],
            "green_accepted": sum(c.lines_added for c in code.conversations),
            "red_accepted": sum(c.lines_deleted for c in code.conversations),
        }  # fmt: skip
        code.agent["green_rejected"] = int(code.agent["green_accepted"] * rng.uniform(0.1, 0.5))
        code.agent["red_rejected"] = int(code.agent["red_accepted"] * rng.uniform(0.1, 0.5))
        if member.index not in self.no_commits:
            repos = naming.member_repositories(self.spec.seed, member.index, self.repos)
            code.commits = CommitMaker(self.spec.seed, member, day, repos, rng, migration).make(
                code.conversations, code.tabs["green_accepted"]
            )
        return code

    def _changes(self, code: MemberCode, rng: random.Random) -> list[Change]:
        repos = naming.member_repositories(self.spec.seed, code.member.index, self.repos)
        base = day_start_ms(code.day)
        changes = []
        for conversation in code.conversations:
            if conversation.lines_added:
                at = min(conversation.last_ms + rng.randint(1_000, 120_000), base + DAY_MS - 1)
                lines = (repos[0], conversation.lines_added, conversation.lines_deleted)
                changes.append(Change(f"chg_{conversation.id}", COMPOSER, conversation.model, at, *lines))
        tabs = code.tabs
        if tabs["green_accepted"]:
            shares = split_lines(tabs["green_accepted"], min(tabs["accepts"], rng.randint(1, 5)), rng)
            for k, (lines, deleted) in enumerate(
                zip(shares, _in_proportion(tabs["red_accepted"], shares), strict=True)
            ):
                at = base + rng.randint(6 * 3_600_000, 22 * 3_600_000)
                change_id = f"chg_tab_{code.member.user_id}_{code.day:%Y%m%d}_{k}"
                changes.append(Change(change_id, TAB, None, at, rng.choice(repos), lines, deleted))
        return sorted(changes, key=lambda c: (c.created_ms, c.id))
