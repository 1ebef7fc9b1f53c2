"""Planted scenarios: known, deterministic stories in a simulated team's usage, for budget, forecast, anomaly
and chargeback tests. A :class:`Scenario` says what to plant; the team resolves it into a :class:`Planted`,
the ground truth of what it changed (see :mod:`.planting` for how).

Kinds (``user`` = member index, 0-based, or e-mail; ``day`` = a date, or N = N days before the end date):

``spike``             the user is active on ``day`` and spends ``factor`` x their typical day: more requests
                      of their usual kind until the day's cost (included + on-demand) reaches ``factor`` x the
                      median cost of their other active days in the period
``ramp``              in the billing cycle that contains ``day`` (default: the end date) the user works every
                      weekday, the n-th weekday costing n x a step: the cycle's on-demand spend reaches 1.5 x
                      the larger of ``amount_dollars`` and the user's spend limit, so it crosses both
``exhaust_included``  the user's included allowance runs out on ``day``: before it (in that cycle) their usage
                      stays under 60 % of the allowance, on it they use the rest and a quarter of an allowance
                      more, after it every chargeable request is on-demand until the cycle ends
``group_move``        the user moves from their billing group of the day before ``day`` to ``group`` (default:
                      the next group) on ``day``, their only move
``migration``         an agent-heavy migration of repository ``repo`` (a name, new or one of the team's, or the
                      index of one of the team's repositories) for ``length`` days (default 3) from ``day``: up to
                      three regular members (the most active ones without another usage scenario) work every one of
                      those days, spend ``factor`` (default 4) x their typical day in agent conversations, and
                      every conversation of theirs writes most of its lines in commits to that repository
``no_commits``        the user spends ``factor`` (default 3) x as much as they would on every day, and their AI lines
                      never reach a commit: they commit nothing (their usage is never linked nor allocated)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

_FORMATS = {  # kind -> what --scenario takes
    "spike": "spike:USER:DAY[:FACTOR]",
    "ramp": "ramp:USER:AMOUNT_DOLLARS[:DAY]",
    "exhaust_included": "exhaust_included:USER:DAY",
    "group_move": "group_move:USER:DAY[:GROUP]",
    "migration": "migration:REPO:DAY[:DAYS]",
    "no_commits": "no_commits:USER[:FACTOR]",
}
SCENARIO_KINDS = tuple(_FORMATS)
USAGE_SCENARIOS = ("spike", "ramp", "exhaust_included", "migration", "no_commits")  # at most one per member
_DEFAULT_FACTOR = {"spike": 5.0, "migration": 4.0, "no_commits": 3.0}


@dataclass(frozen=True)
class Scenario:
    """What to plant in a team's usage (see the module docstring for the kinds)."""

    kind: str
    user: int | str | None = None
    day: date | int | None = None
    factor: float | None = None
    amount_dollars: float | None = None
    group: str | None = None
    repo: int | str | None = None
    length: int = 3

    def __post_init__(self) -> None:
        if self.kind not in SCENARIO_KINDS:
            raise ValueError(f"unknown scenario {self.kind!r}; choose one of {', '.join(SCENARIO_KINDS)}")
        if self.factor is None:
            object.__setattr__(self, "factor", _DEFAULT_FACTOR.get(self.kind, 5.0))
        if (self.kind == "migration") != (self.user is None) or (self.kind == "migration") != (self.repo is not None):
            raise ValueError(f"scenario {self.kind} takes {_FORMATS[self.kind]}")
        if self.kind == "migration" and self.length < 1:
            raise ValueError("a migration lasts 1 day or more")
        if self.kind in ("migration", "no_commits") and not self.factor >= 1:
            raise ValueError(f"scenario {self.kind}'s factor must be 1 or more")
        if self.kind not in ("ramp", "no_commits") and self.day is None:
            raise ValueError(f"scenario {self.kind} needs a day: {_FORMATS[self.kind]}")
        if isinstance(self.day, int) and self.day < 0:
            raise ValueError("a scenario day given as a number counts days before the end date: use 0 or more")
        if self.kind == "spike" and not self.factor > 1:
            raise ValueError("a spike's factor must be more than 1")
        if self.kind == "ramp" and not (self.amount_dollars or 0) > 0:
            raise ValueError(f"scenario ramp needs a positive amount in dollars: {_FORMATS['ramp']}")

    @classmethod
    def parse(cls, text: str) -> Scenario:
        """``spike:USER:DAY[:FACTOR]``, ``ramp:USER:AMOUNT_DOLLARS[:DAY]``, ``exhaust_included:USER:DAY``,
        ``group_move:USER:DAY[:GROUP]``, ``migration:REPO:DAY[:DAYS]`` or ``no_commits:USER[:FACTOR]``; USER is a
        member index or an e-mail, REPO a repository name or index, DAY a date or days before the end."""
        kind, *parts = text.split(":")
        if kind not in _FORMATS:
            raise ValueError(f"unknown scenario {kind!r}; choose one of {', '.join(SCENARIO_KINDS)}")
        if not parts or not parts[0]:
            what = "a repository" if kind == "migration" else "a user"
            raise ValueError(f"scenario {kind} needs {what}: {_FORMATS[kind]}")
        if len(parts) > _FORMATS[kind].count(":"):
            raise ValueError(f"too many parts in scenario {text!r}; expected {_FORMATS[kind]}")
        first = int(parts[0]) if parts[0].isdigit() else parts[0]
        fields: dict = {"kind": kind, "repo" if kind == "migration" else "user": first}
        rest = parts[1:]
        try:
            if kind == "no_commits":
                fields["factor"] = float(rest.pop(0)) if rest else None
            if kind == "ramp":
                fields["amount_dollars"] = float(rest.pop(0)) if rest else None
            if rest and rest[0]:
                fields["day"] = int(rest[0]) if rest[0].isdigit() else date.fromisoformat(rest[0])
            if kind == "spike" and len(rest) > 1:
                fields["factor"] = float(rest[1])
            if kind == "group_move" and len(rest) > 1:
                fields["group"] = rest[1]
            if kind == "migration" and len(rest) > 1:
                fields["length"] = int(rest[1])
        except ValueError as exc:
            raise ValueError(f"cannot read scenario {text!r} ({exc}); expected {_FORMATS[kind]}") from None
        return cls(**fields)


@dataclass(frozen=True)
class Planted:
    """What a scenario planted in one team: the ground truth a test asserts against.

    ``days``: the spike day, the exhaust day, the move day, every weekday of the ramp's cycle (also those after
    the end date, which are planned but never served), the migration's days, or every day a ``no_commits`` member
    can use Cursor. ``target_cents``: what each of those days costs at least (spike: ``factor`` x
    ``typical_cents``; ramp: the n-th weekday n x the step; migration: per member, each of its days); empty for the
    other kinds. A migration names its first member in the member fields, all of them in ``members`` (indexes),
    and its repository in ``repo``.
    """

    kind: str
    email: str
    user_id: str
    numeric_id: int
    member_index: int
    days: tuple[date, ...]
    target_cents: tuple[float, ...] = ()
    factor: float | None = None
    typical_cents: float | None = None
    amount_dollars: float | None = None
    limit_dollars: int | None = None
    from_group: str | None = None
    to_group: str | None = None
    repo: str | None = None
    members: tuple[int, ...] = ()  # a migration's members (indexes), the first of them in the fields above

    @property
    def day(self) -> date:
        """The scenario's day (a ramp's first weekday)."""
        return self.days[0]

    def as_json(self) -> dict:
        body = {
            "kind": self.kind,
            "email": self.email,
            "userId": self.user_id,
            "numericUserId": self.numeric_id,
            "memberIndex": self.member_index,
            "days": [d.isoformat() for d in self.days],
            "targetCents": list(self.target_cents),
            "factor": self.factor,
            "typicalCents": self.typical_cents,
            "amountDollars": self.amount_dollars,
            "limitDollars": self.limit_dollars,
        }
        if self.kind == "group_move":
            body |= {"fromGroup": self.from_group, "toGroup": self.to_group}
        if self.kind == "migration":
            body |= {"repoName": self.repo, "memberIndexes": list(self.members)}
        return body
