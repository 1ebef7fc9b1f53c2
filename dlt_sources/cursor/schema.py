"""The raw tables, defined once: each column's name, type, the documented API field it comes from (and that
field's JSON kind, checked for drift), the keys and the write disposition (declared with :mod:`.columns`): the
Admin API's tables here, the Analytics and AI Code Tracking APIs' in :mod:`.ai_code_schema`; ``TABLES`` lists all.

Everything else derives from here: the dlt column hints of the resources, the Arrow schema of usage events, the
drift checks in :mod:`.records`, the empty tables dlt creates for data a plan lacks; the dbt sources
(``dbt_project/models/staging/cursor/_cursor__sources.yml``) and the test fixture are checked against it by tests.

Field kinds: s = string, i = integer, n = number (money), b = boolean, d = digits string (epoch ms).
"""

from __future__ import annotations

from .ai_code_schema import AI_CODE_TABLES
from .columns import MONEY, Column, Table
from .columns import arrow_schema as arrow_schema


def _counters(*names: str) -> tuple[Column, ...]:
    """Integer counters of daily usage: camelCase field -> snake_case column."""
    return tuple(Column("".join("_" + c.lower() if c.isupper() else c for c in n), "bigint", n, "i") for n in names)


MEMBERS = Table(
    "members",
    (
        Column("team", "text", required=True),
        Column("email", "text", "email", "s", required=True),
        Column("user_id", "text", "id", "s"),
        Column("name", "text", "name", "s"),
        Column("role", "text", "role", "s"),
        Column("is_removed", "bool", "isRemoved", "b"),
    ),
    write_disposition={"disposition": "merge", "strategy": "scd2"},
    merge_key="team",
)

DAILY_USAGE = Table(
    "daily_usage",
    (
        Column("team", "text", required=True),
        Column("day", "date", required=True),
        Column("email", "text", "email", "s", required=True),
        Column("user_id", "bigint", "userId", "i"),
        Column("date_ms", "bigint", "date", "i"),
        Column("is_active", "bool", "isActive", "b"),
        *_counters(
            "totalLinesAdded",
            "totalLinesDeleted",
            "acceptedLinesAdded",
            "acceptedLinesDeleted",
            "totalApplies",
            "totalAccepts",
            "totalRejects",
            "totalTabsShown",
            "totalTabsAccepted",
            "composerRequests",
            "chatRequests",
            "agentRequests",
            "cmdkUsages",
            "subscriptionIncludedReqs",
            "apiKeyReqs",
            "usageBasedReqs",
            "bugbotUsages",
        ),  # fmt: skip
        Column("most_used_model", "text", "mostUsedModel", "s"),
        Column("apply_most_used_extension", "text", "applyMostUsedExtension", "s"),
        Column("tab_most_used_extension", "text", "tabMostUsedExtension", "s"),
        Column("client_version", "text", "clientVersion", "s"),
        Column("extracted_at", "timestamp"),
    ),
    checked=(("day", "s"),),
)

USAGE_EVENTS = Table(
    "usage_events",
    (
        Column("event_key", "text", required=True),
        Column("team", "text", required=True),
        Column("timestamp_ms", "bigint", "timestamp", "d", required=True),
        Column("user_email", "text", "userEmail", "s"),
        Column("service_account_id", "text", "serviceAccountId", "s"),
        Column("service_account_name", "text", "serviceAccountName", "s"),
        Column("cloud_agent_id", "text", "cloudAgentId", "s"),
        Column("automation_id", "text", "automationId", "s"),
        Column("conversation_id", "text", "conversationId", "s"),
        Column("model", "text", "model", "s"),
        Column("kind", "text", "kind", "s"),
        Column("max_mode", "bool", "maxMode", "b"),
        Column("requests_costs", MONEY, "requestsCosts", "n"),
        Column("is_token_based_call", "bool", "isTokenBasedCall", "b"),
        Column("is_chargeable", "bool", "isChargeable", "b"),
        Column("is_headless", "bool", "isHeadless", "b"),
        Column("input_tokens", "bigint", "tokenUsage.inputTokens", "i"),
        Column("output_tokens", "bigint", "tokenUsage.outputTokens", "i"),
        Column("cache_write_tokens", "bigint", "tokenUsage.cacheWriteTokens", "i"),
        Column("cache_read_tokens", "bigint", "tokenUsage.cacheReadTokens", "i"),
        Column("total_cents", MONEY, "tokenUsage.totalCents", "n"),
        Column("discount_percent_off", MONEY, "tokenUsage.discountPercentOff", "n"),
        Column("charged_cents", MONEY, "chargedCents", "n"),
        Column("cursor_token_fee", MONEY, "cursorTokenFee", "n"),
        Column("extracted_at", "timestamp"),
    ),
    primary_key=("event_key",),
    # the event keys of one run are unique by construction (ordinals): dlt need not deduplicate them
    write_disposition={"disposition": "merge", "strategy": "delete-insert", "deduplicated": True},
)
REQUIRED_EVENT_FIELDS = ("timestamp", "model", "kind", "chargedCents")

SPEND_SNAPSHOTS = Table(
    "spend_snapshots",
    (
        Column("team", "text", required=True),
        Column("cycle_start", "date", required=True),
        Column("snapshot_date", "date", required=True),
        Column("email", "text", "email", "s", required=True),
        Column("snapshot_at", "timestamp"),
        Column("user_id", "text", "userId", "s"),
        Column("name", "text", "name", "s"),
        Column("role", "text", "role", "s"),
        Column("spend_cents", MONEY, "spendCents", "n"),
        Column("overall_spend_cents", MONEY, "overallSpendCents", "n"),
        Column("fast_premium_requests", "bigint", "fastPremiumRequests", "i"),
        Column("hard_limit_override_dollars", MONEY, "hardLimitOverrideDollars", "n"),
        Column("monthly_limit_dollars", MONEY, "monthlyLimitDollars", "n"),
        Column("effective_per_user_limit_dollars", MONEY, "effectivePerUserLimitDollars", "n"),
        Column("profile_picture_url", "text", "profilePictureUrl", "s"),
    ),
)

AUDIT_LOGS = Table(
    "audit_logs",
    (
        Column("team", "text", required=True),
        Column("event_id", "text", "event_id", "s", required=True),
        Column("event_at", "timestamp", "timestamp", "s"),
        Column("ip_address", "text", "ip_address", "s"),
        Column("user_email", "text", "user_email", "s"),
        Column("event_type", "text", "event_type", "s"),
        Column("event_data", "json"),
    ),
)

BILLING_GROUPS = Table(
    "billing_groups",
    (
        Column("team", "text", required=True),
        Column("cycle_start", "date", required=True),
        Column("group_id", "text", "id", "s", required=True),
        Column("name", "text", "name", "s"),
        Column("member_count", "bigint", "memberCount", "i"),
        Column("spend_cents", MONEY, "spendCents", "n"),
    ),
)

BILLING_GROUP_MEMBERS = Table(
    "billing_group_members",
    (
        Column("team", "text", required=True),
        Column("cycle_start", "date", required=True),
        Column("group_id", "text", required=True),
        Column("email", "text", "email", "s", required=True),
        Column("joined_at", "timestamp", "joinedAt", "s", required=True),
        Column("group_name", "text"),
        Column("user_id", "text", "userId", "s"),
        Column("name", "text", "name", "s"),
        Column("left_at", "timestamp", "leftAt", "s"),
        Column("spend_cents", MONEY, "spendCents", "n"),
    ),
)

POOLED_USAGE = Table(  # the Organization API's contract pool: one row per team and day's snapshot, the pool's figures
    "pooled_usage",  # on each (the API answers the pool as of now, so each run keeps a dated copy)
    (
        Column("organization_id", "text", required=True),
        Column("snapshot_date", "date", required=True),
        Column("team_id", "bigint", "teamId", "i", required=True),
        Column("team", "text"),
        Column("snapshot_at", "timestamp"),
        Column("limit_cents", MONEY, "pool.limitCents", "n"),
        Column("used_cents", MONEY, "pool.usedCents", "n"),
        Column("remaining_cents", MONEY, "pool.remainingCents", "n"),
        Column("contract_start", "date", "pool.contractStartDate", "s"),
        Column("contract_end", "date", "pool.contractEndDate", "s"),
        Column("team_used_cents", MONEY, "usedCents", "n"),
        Column("budget_limit_cents", MONEY, "budgetLimitCents", "n"),
    ),
)

TABLES = (
    MEMBERS,
    DAILY_USAGE,
    USAGE_EVENTS,
    SPEND_SNAPSHOTS,
    AUDIT_LOGS,
    BILLING_GROUPS,
    BILLING_GROUP_MEMBERS,
    POOLED_USAGE,
    *AI_CODE_TABLES,
)
