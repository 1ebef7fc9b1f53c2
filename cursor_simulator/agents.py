"""Where a conversation runs: the IDE, the CLI, a cloud agent, or an automation (a cloud agent started by a rule).

Every request of a conversation shares its origin, which comes from the conversation id alone (its random bits),
so it never draws from a member-day's generator: the requests, their prices and kinds stay exactly as they were
before origins existed. Each member has an :class:`AgentUse` (their share of conversations per origin), drawn from
a generator of its own.

What the usage events show (reference §6.1-6.2; the shapes beyond that are decisions of the simulator):

* cloud-agent and automation requests carry ``cloudAgentId`` (``bc-<uuid>``, one per run, and a run is one
  conversation) and are headless (``isHeadless: true``); automation requests also carry ``automationId``, the
  UUID of the automation (a team's automations each belong to one member and run many times);
* every cloud-agent run is hosted one way (``hostingType`` filter: ``CLOUD``, ``SELF_HOSTED``,
  ``SELF_HOSTED_POOL`` or ``SELF_HOSTED_MACHINE``, matched exactly); IDE and CLI requests run on the member's
  machine, have no hosting type and never match a ``hostingType`` filter;
* CLI requests look like IDE requests in the events (the CLI is a client; Analytics counts it in ``cli_dau``);
* about one IDE or CLI request in twenty is outside any conversation (an inline edit, a commit message) and
  carries no ``conversationId``.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass

ORIGIN_IDE, ORIGIN_CLI, ORIGIN_CLOUD, ORIGIN_AUTOMATION = "ide", "cli", "cloud", "automation"
HOSTING_TYPES = ("CLOUD", "SELF_HOSTED", "SELF_HOSTED_POOL", "SELF_HOSTED_MACHINE")
_HOSTING_WEIGHTS = (60, 10, 15, 15)  # percent of cloud-agent runs per hosting type
INLINE_PER_MILLE = 50  # IDE and CLI requests outside any conversation, per thousand


@dataclass(frozen=True)
class AgentUse:
    """A member's share of conversations that are cloud-agent runs, automation runs and CLI sessions (the rest
    are IDE conversations), and the automations they own."""

    cloud: float = 0.0
    automation: float = 0.0
    cli: float = 0.0
    automations: tuple[str, ...] = ()


NO_AGENTS = AgentUse()


@dataclass(frozen=True)
class Origin:
    """Where one conversation runs, and the ids its requests carry."""

    kind: str
    cloud_agent_id: str | None = None
    automation_id: str | None = None

    @property
    def headless(self) -> bool:
        return self.cloud_agent_id is not None


def _uuid_of(text: str) -> str:
    return str(uuid.UUID(bytes=hashlib.blake2b(text.encode(), digest_size=16).digest(), version=4))


def agent_use(seed: int, index: int, service_account: bool) -> AgentUse:
    """The member's use of agents: about a third of the people run cloud agents, one in six owns automations,
    a third uses the CLI (members 3, 10, 17, ... always run cloud agents and 4, 15, 26, ... always own an
    automation, so small teams have both); service accounts run every conversation as a cloud agent, half of
    them from their automation."""
    rng = random.Random(f"{seed}|agents|{index}")
    if service_account:
        return AgentUse(cloud=0.5, automation=0.5, automations=(_uuid_of(f"{seed}|automation|{index}|0"),))
    cloud = rng.uniform(0.1, 0.35) if rng.random() < 0.3 or index % 7 == 3 else 0.0
    owns = rng.random() < 0.15 or index % 11 == 4
    automations = tuple(_uuid_of(f"{seed}|automation|{index}|{k}") for k in range(rng.randint(1, 2))) if owns else ()
    automation = rng.uniform(0.05, 0.15) if owns else 0.0
    cli = rng.uniform(0.1, 0.3) if rng.random() < 0.3 else 0.0
    return AgentUse(cloud=cloud, automation=automation, cli=cli, automations=automations)


def origin(use: AgentUse, conversation: str) -> Origin:
    """The origin of ``conversation`` for a member with ``use``, from the conversation id's random bits."""
    bits = int(conversation.replace("-", ""), 16)
    roll = (bits & 0xFFFFFFFF) / 2**32
    if roll < use.cloud:
        return Origin(ORIGIN_CLOUD, "bc-" + _uuid_of(conversation))
    if roll < use.cloud + use.automation and use.automations:
        automation = use.automations[(bits >> 32) % len(use.automations)]
        return Origin(ORIGIN_AUTOMATION, "bc-" + _uuid_of(conversation), automation)
    if roll < use.cloud + use.automation + use.cli:
        return Origin(ORIGIN_CLI)
    return Origin(ORIGIN_IDE)


def in_conversation(where: Origin, conversation: str, ts: int) -> bool:
    """Whether a request at ``ts`` carries its ``conversationId`` (cloud-agent runs always do), from the bits of
    the conversation id and the time."""
    if where.headless:
        return True
    mixed = (int(conversation[:8], 16) * 31 + ts) * 2654435761 % 2**32
    return mixed * 1000 >= INLINE_PER_MILLE * 2**32


def hosting_type(cloud_agent_id: str | None) -> str | None:
    """Where a cloud-agent run is hosted (None for requests that are not cloud-agent runs)."""
    if cloud_agent_id is None:
        return None
    roll = hashlib.blake2b(cloud_agent_id.encode(), digest_size=2).digest()[0] * 100 // 256
    for hosting, weight in zip(HOSTING_TYPES, _HOSTING_WEIGHTS, strict=True):
        if roll < weight:
            return hosting
        roll -= weight
    return HOSTING_TYPES[0]
