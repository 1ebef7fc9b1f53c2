"""``GET /analytics/team/bugbot-reviews`` of one simulated team (reference §9.1): Bugbot's reviews of pull requests.

A member's Bugbot reviews of a day are their daily usage's ``bugbotUsages``: reviews of their pull request of the
week in one of their repositories (the same pull request is reviewed again on later days of that week), of the
commit they made in that repository that day when there is one. A repository is billed separately for Bugbot one
time in three (then ``cost_cents`` is 30 to 150 cents a review; else null, as are dry runs). 0 to 3 bugs a review,
each ``resolved``, ``unresolved`` or ``dismissed``; a privacy-mode member's bugs have no title, description or
locations. Parameters: the Analytics date range, ``repo``, ``prNumber``, ``dryRun`` (``true``/``false``), ``page``
(1) and ``pageSize`` (100, at most 250); newest first.
"""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta
from typing import TYPE_CHECKING

from ..cycles import day_start_ms
from ..params import BadRequest, iso, page_and_size, pagination, query_number
from . import naming
from .dates import analytics_range

if TYPE_CHECKING:
    from .activity import MemberCode
    from .summaries import Summaries

MAX_PAGE_SIZE = 250
_RESOLUTIONS = ("resolved", "resolved", "resolved", "unresolved", "unresolved", "dismissed")
_BUGS = ("Possible null dereference", "Missing await on async call", "Off-by-one in pagination", "Unclosed file")


def billed_separately(seed: int, repo: str) -> bool:
    return random.Random(f"{seed}|bugbot-billing|{repo}").random() < 1 / 3


def _node_id(repo: str) -> str:
    return "R_kgDO" + hashlib.blake2b(repo.encode(), digest_size=6).hexdigest().upper()


class BugbotRoutes:
    def __init__(self, summaries: Summaries) -> None:
        self.summaries, self.usage, self.spec = summaries, summaries.usage, summaries.usage.spec

    def reviews(self, params: dict) -> dict:
        first, last = analytics_range(params, self.spec.end_date)
        page, size = query_number(params, "page", 1), query_number(params, "pageSize", 100)
        page_and_size(page, size, MAX_PAGE_SIZE)
        dry_run = params.get("dryRun")
        if dry_run not in (None, "", "true", "false"):
            raise BadRequest("dryRun must be true or false")
        pr = query_number(params, "prNumber", 0)
        rows = []
        for k in range((last - first).days + 1):
            day = first + timedelta(days=k)
            if self.usage.in_retention(day):
                rows += self.summaries.day(day).reviews
        rows = [
            r
            for r in rows
            if params.get("repo") in (None, "", r["repo"])
            and pr in (0, r["pr_number"])
            and dry_run in (None, "", str(r["dry_run"]).lower())
        ]
        rows.sort(key=lambda r: (r["timestamp"], r["request_id"]), reverse=True)
        return {
            "data": rows[(page - 1) * size : page * size],
            "pagination": pagination(page, size, len(rows), "totalItems"),
            "params": {
                "metric": "bugbot-reviews",
                "teamId": self.spec.resolved_team_id,
                "startDate": first.isoformat(),
                "endDate": last.isoformat(),
                "page": page,
                "pageSize": size,
            },  # fmt: skip
        }


def member_reviews(seed: int, team_repos: tuple[str, ...], code: MemberCode) -> list[dict]:
    """The Bugbot reviews of one member-day."""
    member, day = code.member, code.day
    rng = random.Random(f"{seed}|bugbot|{member.index}|{day.isoformat()}")
    repos = naming.member_repositories(seed, member.index, team_repos)
    week = day.isocalendar()[1]
    out = []
    for _ in range(code.bugbot_reviews):
        repo = rng.choice(repos)
        shas = [c.hash for c in code.commits if c.repo == repo]
        dry = rng.random() < 0.05
        billed = billed_separately(seed, repo) and not dry
        request, at = f"bbr_{rng.getrandbits(96):024x}", day_start_ms(day) + rng.randint(25_200_000, 82_800_000)
        number, cost = 100 + (member.index * 37 + week * 11 + repos.index(repo)) % 900, rng.uniform(30, 150)
        sha, bugs = shas[0] if shas else f"{rng.getrandbits(160):040x}", _bugs(rng, member.privacy_mode, repo)
        out.append(
            {
                "request_id": request,
                "timestamp": iso(at),
                "repo": repo,
                "repo_node_id": _node_id(repo),
                "pr_number": number,
                "commit_sha": sha,
                "bugs_found": len(bugs),
                "cost_cents": round(cost, 6) if billed else None,
                "dry_run": dry,
                "publication_status": "dry_run" if dry else "posted",
                "bugs": bugs,
            }  # fmt: skip
        )
    return out


def _bugs(rng: random.Random, private: bool, repo: str) -> list[dict]:
    bugs = []
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
        bug = {
            "comment_id": rng.randint(10**9, 10**10),
            "resolution_status": rng.choice(_RESOLUTIONS),
            "severity": rng.choice(("high", "medium", "low")),
        }
        if not private:
            start = rng.randint(1, 400)
            bug |= {"title": rng.choice(_BUGS), "description": "Bugbot found this while reviewing the change."}
            bug["locations"] = [{"file": naming.file_path(repo, rng), "start_line": start, "end_line": start + 4}]
        bugs.append(bug)
    return bugs
