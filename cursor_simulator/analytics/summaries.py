"""What the routes need of a day, kept for more days than the full activity (conversations are left out): the
commits and changes and their list entries, each active person's Analytics figures, and the Bugbot reviews. A
30-day window read route after route (commits, their details, changes, DAU, agent edits, tabs, models, by user,
Bugbot) generates each of its days once."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date

from .activity import Change, CodeActivity, MemberCode
from .bugbot import member_reviews
from .commit_ids import commit_place
from .commits import Commit

_CACHE_DAYS = 32  # a 30-day window and the day before it

Stub = tuple[int, str, int, date]  # (createdAt ms, hash or change id, member index, day made): one listed row


@dataclass(frozen=True)
class PersonDay:
    """One active person's day as Analytics reports it."""

    email: str
    agent: dict
    tabs: dict
    origins: frozenset[str]
    bugbot_reviews: int
    models: dict[str, int]


@dataclass(frozen=True)
class DaySummary:
    commit_stubs: list[Stub]  # an amended commit twice
    change_stubs: list[Stub]
    commits: dict[str, Commit]
    changes: dict[str, Change]
    people: dict[int, PersonDay]
    reviews: list[dict]


class Summaries:
    def __init__(self, activity: CodeActivity) -> None:
        self.activity = activity
        self.usage = activity.usage
        self._days: OrderedDict[date, DaySummary] = OrderedDict()

    def day(self, day: date) -> DaySummary:
        cached = self._days.get(day)
        if cached is None:
            cached = self._days[day] = self._summarize(day, self.activity.day(day))
            if len(self._days) > _CACHE_DAYS:
                self._days.popitem(last=False)
        self._days.move_to_end(day)
        return cached

    def commit(self, hash_text: str) -> Commit | None:
        """The commit with this hash, wherever it was made (None for a hash the team never made, or one older than
        the retention)."""
        place = commit_place(self.usage.spec.seed, hash_text)
        if place is None or not self.usage.in_retention(place[0]):
            return None
        return self.day(place[0]).commits.get(hash_text.strip().lower())

    def _summarize(self, day: date, codes: dict[int, MemberCode]) -> DaySummary:
        commits, changes, reviews = [], [], []
        for index, code in codes.items():
            for commit in code.commits:
                commits.append((commit.created_ms, commit.hash, index, day))
                if commit.amended_ms is not None:
                    commits.append((commit.amended_ms, commit.hash, index, day))
            changes += [(change.created_ms, change.id, index, day) for change in code.changes]
            reviews += member_reviews(self.usage.spec.seed, self.activity.repos, code)
        by_hash = {c.hash: c for code in codes.values() for c in code.commits}
        by_id = {c.id: c for code in codes.values() for c in code.changes}
        people = {
            index: PersonDay(
                code.member.email, code.agent, code.tabs, frozenset(code.origins), code.bugbot_reviews, code.models
            )
            for index, code in codes.items()
        }
        return DaySummary(commits, changes, by_hash, by_id, people, reviews)
