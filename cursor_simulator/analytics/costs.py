"""Ground truth of what the AI code cost, per commit and per repository and month, exactly (``Fraction`` dollars).

The rule (the product's dbt marts implement the same):

* an event's **usage value** is ``chargedCents / 100`` dollars (every event); its **billed** value the same for
  chargeable (``Usage-based``) events, else 0. Both are carried alike, each in its own figures;
* **linked**: an event whose conversation wrote ranges in commits goes to those commits, split in proportion to the
  lines the conversation wrote in each (a range ``start``-``end`` counts ``end - start + 1`` lines; a
  conversation's lines in a commit are the sum over the commit's range annotations of its groups' ranges);
* **allocated**: the author's usage of UTC day D that no conversation links (events without ``conversationId``, or
  whose conversation wrote no ranges) goes to the author's commits of the first day on or after D, and at most
  ``attribution_days`` (default 7) after it, on which they committed; split over that day's commits by AI lines
  added (tab + composer), equally when none has any. The author is the event's ``userEmail`` (lower-cased) and the
  commit's ``userEmail``: events without one (members removed since) and service accounts' events (which make no
  commits) cannot be allocated;
* **unattributed**: usage neither linked nor allocated;
* a commit's day is the UTC day of ``commitTs``, or of ``createdAt`` when ``commitTs`` is null; an amended commit
  (its hash listed twice) is one commit, and its first row (the earlier ``createdAt``) is the one that counts: it
  is the one Cursor ingested when the commit was made, and the second row repeats it (same ``commitTs`` and lines);
* figures go to the month of the usage (the event's UTC day), not of the commit; a commit without a repository
  counts under ``(no repository)``.

The window: every commit and event of the team's data period that the API still serves (within the retention),
with the commit details of every one of those commits. A conversation writes only in its author's commits of the
same UTC day (see :mod:`.activity`), so reading the events, commits and commit details of the same days links
exactly as this does. With the commit-detail route off, nothing is linked: all usage is allocated or unattributed,
and the totals are unchanged. So per team-month, linked + allocated over repositories + unattributed = the usage
value of that month's events, exactly, and the same for billed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from ..pricing import KIND_USAGE_BASED
from ..usage import TeamUsage
from .activity import CodeActivity
from .commits import Commit

NO_REPOSITORY = "(no repository)"
ZERO = Fraction(0)


@dataclass(frozen=True)
class Amounts:
    """Exact dollars: usage value and billed (on-demand) cost."""

    usage: Fraction = ZERO
    billed: Fraction = ZERO

    def __add__(self, other: Amounts) -> Amounts:
        return Amounts(self.usage + other.usage, self.billed + other.billed)

    def __mul__(self, share: Fraction) -> Amounts:
        return Amounts(self.usage * share, self.billed * share)


@dataclass
class Costs:
    """Linked and allocated amounts of a commit or a repository-month."""

    linked: Amounts = field(default_factory=Amounts)
    allocated: Amounts = field(default_factory=Amounts)

    @property
    def total(self) -> Amounts:
        return self.linked + self.allocated


@dataclass
class AiCodeCosts:
    """The ground truth: per commit hash, per (month ``YYYY-MM``, repository), unattributed and all usage per month."""

    linked: bool
    attribution_days: int
    commits: dict[str, Costs]
    repositories: dict[tuple[str, str], Costs]
    unattributed: dict[str, Amounts]
    usage: dict[str, Amounts]


def _amounts(event: dict) -> Amounts:
    value = Fraction(Decimal(repr(event["chargedCents"]))) / 100
    return Amounts(value, value if event["kind"] == KIND_USAGE_BASED else ZERO)


def ai_code_costs(activity: CodeActivity, linked: bool = True, attribution_days: int = 7) -> AiCodeCosts:
    usage: TeamUsage = activity.usage
    spec = usage.spec
    days = [spec.start_date + timedelta(days=k) for k in range(spec.days)]
    days = [d for d in days if usage.in_retention(d)]
    commits: dict[str, Commit] = {}
    by_author_day: dict[tuple[str, date], list[Commit]] = defaultdict(list)
    lines_of: dict[str, dict[str, int]] = defaultdict(dict)  # conversation -> commit hash -> lines
    for day in days:
        for code in activity.day(day).values():
            for commit in code.commits:
                commits[commit.hash] = commit
                by_author_day[(commit.member.email.lower(), day)].append(commit)
                for conversation, lines in commit.conversation_lines().items():
                    lines_of[conversation][commit.hash] = lines
    out = AiCodeCosts(linked, attribution_days, {h: Costs() for h in commits}, defaultdict(Costs), {}, {})
    unlinked: dict[tuple[str | None, date], Amounts] = defaultdict(Amounts)
    for day in days:
        month = day.strftime("%Y-%m")
        usage_day = usage.day(day)
        for position, (raw, owner) in enumerate(zip(usage_day.events, usage_day.owners, strict=True)):
            event = usage.served_event(usage.members[owner], raw, day, position)
            amounts = _amounts(event)
            out.usage[month] = out.usage.get(month, Amounts()) + amounts
            written = lines_of.get(event.get("conversationId")) if linked else None
            if not written:
                unlinked[((event.get("userEmail") or "").lower() or None, day)] += amounts
                continue
            total = sum(written.values())
            for hash_text, lines in written.items():
                share = amounts * Fraction(lines, total)
                out.commits[hash_text].linked += share
                out.repositories[(month, commits[hash_text].repo or NO_REPOSITORY)].linked += share
    for (email, day), amounts in unlinked.items():
        _allocate(out, commits, by_author_day, email, day, amounts)
    out.repositories = dict(out.repositories)
    return out


def _allocate(out: AiCodeCosts, commits: dict, by_author_day: dict, email: str | None, day: date, amounts: Amounts):
    month = day.strftime("%Y-%m")
    for k in range(out.attribution_days + 1):
        made = by_author_day.get((email, day + timedelta(days=k)))
        if email is not None and made:
            weights = [c.tab_added + c.composer_added for c in made]
            if not sum(weights):
                weights = [1] * len(made)
            for commit, weight in zip(made, weights, strict=True):
                share = amounts * Fraction(weight, sum(weights))
                out.commits[commit.hash].allocated += share
                out.repositories[(month, commit.repo or NO_REPOSITORY)].allocated += share
            return
    out.unattributed[month] = out.unattributed.get(month, Amounts()) + amounts
