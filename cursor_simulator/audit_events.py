"""The audit-log events of one UTC day of a simulated team: every documented event type (reference §3), with
``event_data`` per type (only ``add_user``, ``login`` and the old ``settings_changed`` are documented; the other
shapes are the simulator's).

Membership events follow the team: ``add_user`` on the day a member joins, ``remove_user`` on the day they leave.
Members log in (and some log out) on days they can use Cursor. Each of the 23 administrative types happens once
every 9 days (type k on the days whose ordinal + 2k is a multiple of 9) and now and then on other days too, done
by an owner (``user_api_key`` by the member whose key it is).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date

from .cycles import DAY_MS, day_start_ms
from .params import iso
from .repositories import team_repositories
from .team import ROLE_FREE_OWNER, ROLE_OWNER, Member
from .usage import TeamUsage

SESSION_TYPES = ("login", "logout", "add_user", "remove_user")
_DIRECTORY_GROUPS = ("Engineering", "Data Science", "Platform", "Mobile", "Contractors")
_SETTINGS = ("usage_based_pricing", "allowed_models", "max_mode", "auto_run_mode", "admin_only_invites")


Maker = Callable[[random.Random, Member, tuple[str, ...]], dict]  # (generator, subject, repositories) -> event_data


def _toggle(rng: random.Random, name: str) -> dict:
    old = rng.random() < 0.5
    return {"setting_name": name, "old_value": old, "new_value": not old}


def _group(rng: random.Random, member: Member | None = None, **extra) -> dict:
    index = rng.randrange(len(_DIRECTORY_GROUPS))
    data = {"group_id": f"dg_{4100 + index}", "group_name": _DIRECTORY_GROUPS[index]} | extra
    return data | ({"email": member.email} if member else {})


def _named(key: str, names: tuple[str, ...], **extra) -> Maker:
    """``{action, <key>: one of names, **extra}``: something created, updated or deleted."""
    return lambda r, m, _: {"action": r.choice(("created", "updated", "deleted")), key: r.choice(names)} | extra


def _role(r: random.Random, m: Member, _: tuple) -> dict:
    old, new = r.sample(("member", "owner"), 2)
    return {"email": m.email, "old_role": old, "new_role": new}


def _team_key(r: random.Random, m: Member, _: tuple) -> dict:
    action, name = r.choice(("created", "revoked")), r.choice(("ci", "reporting", "cursor-spend"))
    return {"action": action, "key_name": name, "key_suffix": f"{r.getrandbits(16):04x}"}


def _installation(r: random.Random, m: Member, _: tuple) -> dict:
    return {"action": r.choice(("installed", "uninstalled")), "provider": "github", "installation_id": _install(r)}


def _install(r: random.Random) -> int:
    return 51000 + r.randrange(99)


ADMIN_EVENTS: dict[str, Maker] = {
    "update_user_role": _role,
    "team_settings": lambda r, m, _: _toggle(r, r.choice(_SETTINGS)),
    "mcp_server_config": _named("server_name", ("github", "linear", "sentry"), transport="stdio"),
    "team_api_key": _team_key,
    "user_api_key": lambda r, m, _: {"action": r.choice(("created", "revoked")), "email": m.email, "key_name": "cli"},
    "privacy_mode": lambda r, m, _: {"scope": "team", "old_value": "enabled", "new_value": "enforced"},
    "user_spend_limit": lambda r, m, _: {"email": m.email, "old_value": None, "new_value": m.monthly_limit_dollars},
    "team_rule": _named("rule_name", ("Use TypeScript strict mode", "No secrets in code")),
    "team_repo": lambda r, m, repos: {"action": "added", "repo_url": f"https://github.com/{r.choice(repos)}"},
    "team_hook": _named("hook_name", ("audit-shell", "format-on-edit"), event="afterFileEdit"),
    "team_command": _named("command_name", ("/review", "/release-notes")),
    "create_directory_group": lambda r, m, _: _group(r),
    "delete_directory_group": lambda r, m, _: _group(r),
    "update_directory_group": lambda r, m, _: _group(r, old_name="Eng", new_name="Engineering"),
    "update_directory_group_permissions": lambda r, m, _: _group(
        r, permission="admin", old_value=False, new_value=True
    ),
    "add_user_to_directory_group": lambda r, m, _: _group(r, m),
    "remove_user_from_directory_group": lambda r, m, _: _group(r, m),
    "bugbot_installation": _installation,
    "bugbot_installation_settings": lambda r, m, _: {"installation_id": _install(r)} | _toggle(r, "auto_review"),
    "bugbot_repo_settings": lambda r, m, repos: {"repo": r.choice(repos)} | _toggle(r, "enabled"),
    "bugbot_team_rule": _named("rule_name", ("Flag missing tests", "Check SQL injection")),
    "bugbot_team_settings": lambda r, m, _: _toggle(r, r.choice(("run_on_drafts", "usage_based_reviews"))),
    "bugbot_bulk_repo_update": lambda r, m, repos: {"repos": sorted(r.sample(repos, 2)), "setting_name": "enabled"},
}
EVENT_TYPES = (*SESSION_TYPES, *ADMIN_EVENTS)


def day_events(usage: TeamUsage, day: date) -> list[dict]:
    """The day's audit events, newest first."""
    rng = random.Random(f"{usage.spec.seed}|audit|{day.isoformat()}")
    base = day_start_ms(day)
    members = [m for m in usage.humans if m.is_member_on(day)]
    admins = [m for m in members if m.role in (ROLE_OWNER, ROLE_FREE_OWNER)] or members or usage.humans[:1]
    raw: list[tuple[int, str, str, dict]] = []

    def add(actor: Member | None, kind: str, data: dict) -> None:
        email = actor.email if actor else "admin@" + usage.spec.domain
        raw.append((base + rng.randint(0, DAY_MS - 1), email, kind, data))

    owner = usage.humans[0] if usage.humans else None
    for m in usage.humans:
        if m.joined == day:
            add(owner, "add_user", {"email": m.email, "method": "manual"})
        if m.removed == day:
            add(owner, "remove_user", {"email": m.email})
        if m.can_use_on(day) and rng.random() < 0.15 * m.p_active:
            agent = {"ip_address": f"198.51.100.{m.index % 250}", "user_agent": f"Cursor/{m.client_version}"}
            add(m, "login", agent)
            if rng.random() < 0.4:
                add(m, "logout", agent)
    repos = team_repositories(usage.spec)
    for k, (kind, make) in enumerate(ADMIN_EVENTS.items()):
        if members and ((day.toordinal() + 2 * k) % 9 == 0 or rng.random() < 0.03):
            subject = rng.choice(members)
            add(subject if kind == "user_api_key" else rng.choice(admins), kind, make(rng, subject, repos))
    return [
        {
            "event_id": f"evt_{usage.spec.seed}_{day.strftime('%Y%m%d')}_{k:04d}",
            "timestamp": iso(ts),
            "ip_address": f"203.0.113.{(ts // 1000) % 250}",
            "user_email": actor,
            "event_type": kind,
            "event_data": data,
        }
        for k, (ts, actor, kind, data) in enumerate(sorted(raw, key=lambda e: -e[0]))
    ]
