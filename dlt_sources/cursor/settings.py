"""Constants of the Cursor Admin, Analytics and AI Code Tracking APIs (reference: shared/reference/cursor-admin-api.md,
DOC-CUR)."""

DEFAULT_BASE_URL = "https://api.cursor.com"

MEMBERS_PATH = "/teams/members"
DAILY_USAGE_PATH = "/teams/daily-usage-data"
SPEND_PATH = "/teams/spend"
USAGE_EVENTS_PATH = "/teams/filtered-usage-events"
AUDIT_LOGS_PATH = "/teams/audit-logs"
GROUPS_PATH = "/teams/groups"

# The Organization API (reference §8): an Organization API key reads its teams' routes above through these
ORG_MEMBERS_PATH = "/organizations/members"
ORG_DAILY_USAGE_PATH = "/organizations/daily-usage-data"
ORG_SPEND_PATH = "/organizations/spend"
ORG_USAGE_EVENTS_PATH = "/organizations/filtered-usage-events"
ORG_POOLED_USAGE_PATH = "/organizations/pooled-usage"
ORG_ROUTES = {  # a team route -> the organization's route that answers it for one team (teamIds: [id])
    MEMBERS_PATH: ORG_MEMBERS_PATH,
    DAILY_USAGE_PATH: ORG_DAILY_USAGE_PATH,
    SPEND_PATH: ORG_SPEND_PATH,
    USAGE_EVENTS_PATH: ORG_USAGE_EVENTS_PATH,
}

# Enterprise only (§9): the AI Code Tracking API and the Analytics API
AI_COMMITS_PATH = "/analytics/ai-code/commits"
AI_COMMIT_DETAILS_PATH = "/analytics/ai-code/commits/"  # + up to MAX_COMMIT_HASHES hashes, comma-separated
ANALYTICS_TEAM_PATH = "/analytics/team/"  # + dau, agent-edits, tabs, models, bugbot-reviews
ANALYTICS_BY_USER_PATH = "/analytics/by-user/"  # + agent-edits, tabs

# Rate limits per team and route group, per window (the API resets them every minute, §1.4): the admin routes
# together, the events route, each AI Code Tracking route on its own, the team-level Analytics routes together
# (Bugbot reviews included) and the by-user Analytics routes together.
RATE_LIMITS = {
    "admin": 20, "events": 60, "ai-code-commits": 20, "ai-code-commit-details": 20,
    "analytics-team": 100, "analytics-by-user": 50,
}  # fmt: skip
RATE_LIMIT_WINDOW_SECONDS = 60.0


def route_group(path: str) -> str:
    """The rate-limit group of an API path (an Organization API key has limits of its own, apart from its teams':
    60 on its events route, 20 on the others)."""
    if path in (USAGE_EVENTS_PATH, ORG_USAGE_EVENTS_PATH):
        return "events"
    if path == AI_COMMITS_PATH:
        return "ai-code-commits"
    if path.startswith(AI_COMMIT_DETAILS_PATH):
        return "ai-code-commit-details"
    if path.startswith(ANALYTICS_BY_USER_PATH):
        return "analytics-by-user"
    return "analytics-team" if path.startswith(ANALYTICS_TEAM_PATH) else "admin"


MAX_RANGE_DAYS = 30  # daily usage, usage events, audit logs and the Analytics routes take at most 30 days a request
EVENTS_PAGE_SIZE = 1000  # documented maximum
DAILY_USAGE_PAGE_SIZE = 1000  # users per page; every user brings one row per day
SPEND_PAGE_SIZE = 100
AUDIT_PAGE_SIZE = 500  # documented maximum
AI_COMMITS_PAGE_SIZE = 1000  # documented maximum
MAX_COMMIT_HASHES = 100  # commit hashes per commit-detail request
BY_USER_PAGE_SIZE = 500  # users per page, documented maximum
BUGBOT_PAGE_SIZE = 250  # documented maximum

TIMEOUT_SECONDS = 30.0
MAX_ATTEMPTS = 6  # 1 try + 5 retries with backoff 1, 2, 4, 8, 16 s (the docs' recommendation)
MAX_RATE_LIMITED_WAITS = 3  # after a 429, wait for the window to reset (Retry-After, else a whole window) 3 times
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 60.0

DEFAULT_LOOKBACK_DAYS = 2  # days re-read before the last loaded day: Cursor still revises recent costs
DEFAULT_INITIAL_DAYS = 30  # days a first run loads
RETENTION_DAYS = 90  # about how far back the API still answers (undocumented; older days come back empty)
