"""Which key reads which team of an organization, over HTTP: a team with its own key is read with that key only, under
its label; the organization's key reads the others, labelled by team id; the pool's rows carry each team's label."""

from __future__ import annotations

from datetime import UTC, datetime

from cursor_spend.config import load_settings
from cursor_spend.load import client, org_client
from dlt_sources.cursor.organization import organization_teams, pool_rows, pooled_usage
from tests.simulator import ORG_KEY, TEAM_KEYS, org_server


def test_a_team_with_its_own_key_is_read_with_it_and_the_organization_key_reads_the_others(tmp_path):
    with org_server() as (server, simulator):
        organization = simulator.organization(ORG_KEY)
        env = {"CURSOR_API_BASE_URL": server.base_url, "CURSOR_API_KEY": TEAM_KEYS[1], "CURSOR_TEAM": "design"}
        env |= {"CURSOR_ORG_API_KEY": ORG_KEY, "CURSOR_ORG_ID": organization.id}
        settings = load_settings(env | {"CURSOR_SPEND_DUCKDB": str(tmp_path / "w.duckdb")})
        other, keyed = (simulator.team(key).spec.resolved_team_id for key in TEAM_KEYS[:2])
        with org_client(settings) as org, client(settings, "design") as design:
            pool = pooled_usage(org, organization.id)
            clients, labels = organization_teams(org, settings.organization, pool, {"design": design})
            rows = pool_rows(pool, organization.id, labels, datetime.now(UTC))
    assert list(clients) == [str(other)] and clients[str(other)].team_id == other  # the organization's key: one
    assert labels == {other: str(other), keyed: "design"}
    assert sorted((row["team_id"], row["team"]) for row in rows) == sorted(labels.items())
