"""The names in a simulated team's code: which repositories a member works in, file paths, branches, commit
messages and conversation titles. Plain choices from small word lists, drawn from the generator they are given."""

from __future__ import annotations

import random

_TOPICS = (
    "invoice-retry", "rate-limits", "dark-mode", "search-filters", "audit-export", "onboarding", "cache-warmup",
    "flaky-tests", "pagination", "webhooks", "metrics", "sso-login", "csv-import", "error-pages",
)  # fmt: skip
_VERBS = ("Add", "Fix", "Refactor", "Speed up", "Test", "Document", "Remove", "Migrate")
_EXTENSIONS = {
    "web-app": ("tsx", "ts", "css"), "design-system": ("tsx", "ts"), "mobile-app": ("swift", "kt"),
    "data-pipeline": ("py", "sql"), "analytics-etl": ("py", "sql"), "infra": ("tf", "yaml"), "docs": ("md",),
}  # fmt: skip
_DIRS = ("api", "core", "handlers", "models", "services", "utils", "jobs", "tests")
_NAMES = ("client", "retry", "config", "schema", "worker", "routes", "store", "validate", "format", "events")


def member_repositories(seed: int, index: int, repos: tuple[str, ...]) -> tuple[str, ...]:
    """The 1 to 3 repositories a member commits to, the first the one they work in most."""
    rng = random.Random(f"{seed}|member-repos|{index}")
    return tuple(rng.sample(repos, min(len(repos), rng.choice((1, 2, 2, 3)))))


def topic(seed: int, index: int, week: int) -> str:
    """What a member works on in a week: their feature branches are named after it."""
    return _TOPICS[random.Random(f"{seed}|topic|{index}|{week}").randrange(len(_TOPICS))]


def file_path(repo: str, rng: random.Random) -> str:
    service = repo.split("/", 1)[-1]
    extension = rng.choice(_EXTENSIONS.get(service, ("go", "ts", "py")))
    return f"src/{rng.choice(_DIRS)}/{rng.choice(_NAMES)}.{extension}"


def extension(path: str) -> str:
    return path.rsplit(".", 1)[-1]


def commit_message(rng: random.Random, subject: str) -> str:
    return f"{rng.choice(_VERBS)} {subject.replace('-', ' ')}"


def conversation_summary(rng: random.Random, subject: str) -> dict:
    """Title, tl;dr, overview and summary bullets of a conversation (what the commit-detail route lists)."""
    words = subject.replace("-", " ")
    return {
        "title": f"{rng.choice(_VERBS)} {words}",
        "tldr": f"Changed the {words} code path and its tests.",
        "overview": f"The agent read the {words} module, proposed a change, applied it and ran the tests.",
        "summaryBullets": [f"Updated {words} handling", "Added tests", "Ran the test suite"],
    }
