"""A simulated Cursor team: its configuration and its members.

Everything is derived from the team's seed, so two simulators with the same spec serve the same data.
Members are a small list; usage is generated a day at a time in :mod:`.usage`.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from .agents import NO_AGENTS, AgentUse, agent_use
from .pricing import MODELS
from .scenarios import Scenario

PLANS = ("enterprise", "business", "no-admin-api", "personal", "empty-team")
ROLE_OWNER, ROLE_MEMBER, ROLE_FREE_OWNER = "owner", "member", "free-owner"
GROUP_NAMES = ("Engineering", "Data Science", "Platform", "Mobile")
DEFAULT_USER_LIMIT_DOLLARS = 250  # a member's spend limit when no monthly limit or override is set

_FIRST = (
    "Priya Diego Mei Sam Alex Jordan Taylor Morgan Casey Riley Avery Jamie Quinn Rowan Sasha Noor Kenji Lena "
    "Omar Ines Tomas Yuki Ana Lars Chloe Ravi Zoe Malik Elena Hugo Aisha Felix Nina Kofi Maya Ivan Sofia Leo"
).split()
_LAST = (
    "Raman Alvarez Chen Patel Kim Garcia Novak Okafor Schmidt Rossi Silva Nguyen Cohen Dubois Larsen Tanaka "
    "Haddad Moreau Kowalski Singh Oliveira Jensen Ibrahim Fischer Costa Ward Reyes Berg Sato Mendes"
).split()


def _yesterday() -> date:
    return datetime.now(UTC).date() - timedelta(days=1)


@dataclass(frozen=True)
class TeamSpec:
    """What a simulated team looks like.

    ``end_date`` is the last day with data (default: yesterday, UTC); the team has ``days`` days of data up to
    and including it, and the simulator's "now" is the end of that day. ``activity`` multiplies every member's
    chance to be active on a day (0.0: an idle team, members and daily rows but no usage). ``scenarios`` plant
    known stories in the usage (see :mod:`.scenarios`).
    """

    api_key: str
    seed: int = 7
    members: int = 50
    days: int = 30
    end_date: date = field(default_factory=_yesterday)
    plan: str = "enterprise"
    team_id: int = 0
    domain: str = "acme.io"
    service_accounts: int = 2
    retention_days: int = 90
    cycle_day: int = 1
    included_cents_per_user: float = 2000.0  # $20 of usage included per user and cycle
    events_per_active_day: float = 20.0
    activity: float = 1.0
    scenarios: tuple[Scenario, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "scenarios", tuple(self.scenarios))  # hashable even when given a list
        if not self.activity >= 0:
            raise ValueError("activity must be 0 or more (1.0: as usual, 0.0: nobody uses Cursor)")
        if self.plan not in PLANS:
            raise ValueError(f"unknown plan {self.plan!r}; choose one of {', '.join(PLANS)}")
        if not 1 <= self.cycle_day <= 28:
            raise ValueError("cycle_day must be between 1 and 28")

    @property
    def start_date(self) -> date:
        return self.end_date - timedelta(days=self.days - 1)

    @property
    def resolved_team_id(self) -> int:
        return self.team_id or 10000 + self.seed % 90000


@dataclass(frozen=True)
class Member:
    """A member of the team (or a service account) over the simulated period.

    Membership covers ``joined`` .. ``removed`` inclusive (``removed`` is None while still a member); usage
    happens on ``joined`` .. the day before ``removed``.
    """

    index: int
    user_id: str
    numeric_id: int
    name: str
    email: str
    role: str
    joined: date
    removed: date | None
    p_active: float
    model_weights: tuple[float, ...]
    client_version: str
    monthly_limit_dollars: int | None
    hard_limit_override_dollars: int
    group: str | None
    previous_group: str | None = None
    group_switch: date | None = None
    service_account_id: str | None = None
    agents: AgentUse = NO_AGENTS  # how often their conversations are cloud-agent, automation or CLI runs
    privacy_mode: bool = False  # the AI Code Tracking API leaves out their file names

    @property
    def is_service_account(self) -> bool:
        return self.service_account_id is not None

    def is_member_on(self, day: date) -> bool:
        return self.joined <= day and (self.removed is None or day <= self.removed)

    def can_use_on(self, day: date) -> bool:
        return self.joined <= day and (self.removed is None or day < self.removed)

    def group_on(self, day: date) -> str | None:
        if self.group_switch is not None and day < self.group_switch:
            return self.previous_group
        return self.group

    @property
    def effective_limit_dollars(self) -> int | None:
        if self.hard_limit_override_dollars:
            return self.hard_limit_override_dollars
        return self.monthly_limit_dollars

    @property
    def spend_limit_dollars(self) -> int:
        """The per-user spend limit that applies: the override, else the monthly limit, else the default."""
        return self.effective_limit_dollars or DEFAULT_USER_LIMIT_DOLLARS


def _encoded_id(rng: random.Random, prefix: str, length: int = 26) -> str:
    alphabet = string.ascii_letters + string.digits
    return prefix + "".join(rng.choice(alphabet) for _ in range(length))


def _role(index: int, count: int) -> str:
    if index == 0 or (count >= 20 and index == 1):
        return ROLE_OWNER
    if count >= 3 and index == 2:
        return ROLE_FREE_OWNER
    return ROLE_MEMBER


def _model_weights(rng: random.Random) -> tuple[float, ...]:
    favourite = rng.randrange(len(MODELS))
    return tuple((6.0 if i == favourite else 1.0) * rng.uniform(0.2, 1.0) for i in range(len(MODELS)))


def build_members(spec: TeamSpec) -> list[Member]:
    """The people of the team, deterministic for the spec: owners, members, an unpaid admin, joiners and
    leavers within the period, and idle seats."""
    members: list[Member] = []
    for i in range(spec.members):
        rng = random.Random(f"{spec.seed}|member|{i}")
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        joined = spec.start_date - timedelta(days=rng.randint(5, 400))
        removed = None
        roll = rng.random()
        if i >= 3 and roll < 0.10:  # joins during the period
            joined = spec.start_date + timedelta(days=rng.randint(1, max(1, spec.days - 2)))
        elif i >= 3 and roll < 0.18:  # leaves during the period
            removed = spec.start_date + timedelta(days=rng.randint(2, max(2, spec.days - 1)))
        idle = i >= 3 and rng.random() < 0.12
        group = rng.choice((*GROUP_NAMES, None))
        previous_group, switch = None, None
        if group is not None and rng.random() < 0.08 and spec.days > 4:
            previous_group = rng.choice([g for g in GROUP_NAMES if g != group])
            switch = spec.start_date + timedelta(days=rng.randint(1, spec.days - 1))
        limit = rng.choice((None, None, 50, 100, 200))
        members.append(
            Member(
                index=i,
                user_id=_encoded_id(rng, "user_"),
                numeric_id=90000 + i,
                name=f"{first} {last}",
                email=f"{first.lower()}.{last.lower()}{i}@{spec.domain}",
                role=_role(i, spec.members),
                joined=joined,
                removed=removed,
                p_active=0.0 if idle else rng.uniform(0.45, 0.95),
                model_weights=_model_weights(rng),
                client_version=f"2.{rng.randint(0, 3)}.{rng.randint(10, 60)}",
                monthly_limit_dollars=limit,
                hard_limit_override_dollars=rng.choice((0, 0, 0, 300)),
                group=group,
                previous_group=previous_group,
                group_switch=switch,
                agents=agent_use(spec.seed, i, service_account=False),
                privacy_mode=random.Random(f"{spec.seed}|privacy|{i}").random() < 0.15,
            )
        )
    members.extend(_service_accounts(spec))
    return members


def _service_accounts(spec: TeamSpec) -> list[Member]:
    names = ("Nightly CI Agent", "Release Bot", "Docs Agent", "Triage Bot")
    accounts = []
    for k in range(min(spec.service_accounts, len(names))):
        rng = random.Random(f"{spec.seed}|service-account|{k}")
        name = names[k]
        slug = name.lower().replace(" ", "-")
        accounts.append(
            Member(
                index=spec.members + k,
                user_id=_encoded_id(rng, "user_"),
                numeric_id=80000 + k,
                name=name,
                email=f"{slug}@serviceaccount.{spec.domain}",
                role="service-account",
                joined=spec.start_date - timedelta(days=30),
                removed=None,
                p_active=0.9,
                model_weights=_model_weights(rng),
                client_version="cloud",
                monthly_limit_dollars=None,
                hard_limit_override_dollars=0,
                group=None,
                service_account_id=_encoded_id(rng, "sa_", 10),
                agents=agent_use(spec.seed, spec.members + k, service_account=True),
            )
        )
    return accounts
