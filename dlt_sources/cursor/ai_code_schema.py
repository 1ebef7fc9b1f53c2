"""The raw tables of the Enterprise-only AI Code Tracking and Analytics APIs (reference §9), declared as
:mod:`.schema` declares the Admin API's (it lists them all in ``TABLES``).

Commits keep every listing: an amended commit is listed twice with one hash (its rows differ in ``created_at``);
the marts count it once. The commit details' range annotations are flattened to one row per line range, keyed by
its place in the answer (file, group, range), since privacy mode drops the file names. Analytics rows are keyed
by team and day (and model, or user); Bugbot reviews by their request id, their bugs by comment id.
"""

from __future__ import annotations

from .columns import MONEY, Column, Table


def _camel(kind: str, data_type: str, *names: str, prefix: str = "") -> tuple[Column, ...]:
    """Columns named as their documented fields in snake_case (``totalLinesAdded`` -> ``total_lines_added``)."""
    snake = ["".join("_" + c.lower() if c.isupper() else c for c in name) for name in names]
    return tuple(Column(s, data_type, prefix + n, kind) for s, n in zip(snake, names, strict=True))


# The line counts of the agent-edits and tabs rows (their names are snake_case already)
_LINES = _camel(
    "i", "bigint", "total_green_lines_accepted", "total_red_lines_accepted", "total_green_lines_rejected",
    "total_red_lines_rejected", "total_green_lines_suggested", "total_red_lines_suggested", "total_lines_suggested",
    "total_lines_accepted",
)  # fmt: skip
_AGENT_EDITS = (
    *_camel("i", "bigint", "total_suggested_diffs", "total_accepted_diffs", "total_rejected_diffs"),
    *_LINES,
)
_TABS = (*_camel("i", "bigint", "total_suggestions", "total_accepts", "total_rejects"), *_LINES)
_TEAM = Column("team", "text", required=True)
_EVENT_DAY = Column("day", "date", "event_date", "s", required=True)

AI_COMMITS = Table(
    "ai_commits",
    (
        Column("team", "text", required=True),
        Column("commit_hash", "text", "commitHash", "s", required=True),
        Column("created_at", "timestamp", "createdAt", "s", required=True),
        *_camel("s", "text", "userId", "userEmail", "repoName", "branchName"),
        Column("is_primary_branch", "bool", "isPrimaryBranch", "b"),
        Column("commit_source", "text", "commitSource", "s"),
        *_camel(
            "i",
            "bigint",
            "totalLinesAdded",
            "totalLinesDeleted",
            "tabLinesAdded",
            "tabLinesDeleted",
            "composerLinesAdded",
            "composerLinesDeleted",
            "nonAiLinesAdded",
            "nonAiLinesDeleted",
        ),  # fmt: skip
        Column("message", "text", "message", "s"),
        Column("commit_ts", "timestamp", "commitTs", "s"),
        Column("extracted_at", "timestamp"),
    ),
)

AI_COMMIT_RANGES = Table(
    "ai_commit_ranges",
    (
        Column("team", "text", required=True),
        Column("commit_hash", "text", "commitHash", "s", required=True),
        Column("file_index", "bigint", required=True),  # the range annotation's place in the commit's list
        Column("group_index", "bigint", required=True),  # the group's place in the annotation's groups
        Column("range_index", "bigint", required=True),  # the range's place in the group's ranges
        Column("commit_source", "text", "commitSource", "s"),
        Column("file_path", "text", "rangeAnnotations.filePath", "s"),
        Column("conversation_id", "text", "groups.conversationId", "s"),
        Column("model", "text", "groups.model", "s"),
        Column("operation_type", "text", "groups.operationType", "s"),
        Column("start_line", "bigint", "ranges.start", "i"),
        Column("end_line", "bigint", "ranges.end", "i"),
    ),
)

ANALYTICS_DAU = Table(
    "analytics_dau",
    (
        _TEAM,
        Column("day", "date", "date", "s", required=True),
        *_camel("i", "bigint", "dau", "cli_dau", "cloud_agent_dau", "bugbot_dau"),
    ),
)

ANALYTICS_AGENT_EDITS = Table("analytics_agent_edits", (_TEAM, _EVENT_DAY, *_AGENT_EDITS))

ANALYTICS_TABS = Table("analytics_tabs", (_TEAM, _EVENT_DAY, *_TABS))

ANALYTICS_MODELS = Table(
    "analytics_models",
    (
        _TEAM,
        Column("day", "date", "date", "s", required=True),
        Column("model", "text", required=True),  # a key of the day's model_breakdown
        *_camel("i", "bigint", "messages", "users", prefix="model_breakdown."),
    ),
)

_USER = Column("email", "text", required=True)  # a key of the answer's data, lower-cased
ANALYTICS_USER_AGENT_EDITS = Table("analytics_user_agent_edits", (_TEAM, _EVENT_DAY, _USER, *_AGENT_EDITS))

ANALYTICS_USER_TABS = Table("analytics_user_tabs", (_TEAM, _EVENT_DAY, _USER, *_TABS))

BUGBOT_REVIEWS = Table(
    "bugbot_reviews",
    (
        Column("team", "text", required=True),
        Column("request_id", "text", "request_id", "s", required=True),
        Column("reviewed_at", "timestamp", "timestamp", "s"),
        *_camel("s", "text", "repo", "repo_node_id"),
        Column("pr_number", "bigint", "pr_number", "i"),
        Column("commit_sha", "text", "commit_sha", "s"),
        Column("bugs_found", "bigint", "bugs_found", "i"),
        Column("cost_cents", MONEY, "cost_cents", "n"),
        Column("dry_run", "bool", "dry_run", "b"),
        Column("publication_status", "text", "publication_status", "s"),
    ),
)

BUGBOT_BUGS = Table(
    "bugbot_bugs",
    (
        Column("team", "text", required=True),
        Column("request_id", "text", required=True),  # the review's
        Column("comment_id", "bigint", "comment_id", "i", required=True),
        *_camel("s", "text", "resolution_status", "severity", "title", "description"),
        Column("locations", "json"),
    ),
)

AI_CODE_TABLES = (
    AI_COMMITS, AI_COMMIT_RANGES, ANALYTICS_DAU, ANALYTICS_AGENT_EDITS, ANALYTICS_TABS, ANALYTICS_MODELS,
    ANALYTICS_USER_AGENT_EDITS, ANALYTICS_USER_TABS, BUGBOT_REVIEWS, BUGBOT_BUGS,
)  # fmt: skip
