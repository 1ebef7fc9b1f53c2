"""``cursor-spend simulate`` serves the simulator from the command line."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import httpx

from cursor_simulator import TeamSpec, free_port
from cursor_simulator.usage import TeamUsage
from tests.conftest import END_DATE
from tests.simulator import utc_day, window

KEY = "crsr_" + "C" * 64


@contextmanager
def _simulate(*args: str) -> Iterator[tuple[subprocess.Popen, str]]:
    """Run ``cursor-spend simulate`` on a free port until it answers; kill it afterwards."""
    port = free_port()
    command = [sys.executable, "-m", "cursor_spend.cli", "simulate", "--port", str(port), *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.stdout.read()
            try:
                httpx.get(base_url + "/teams/members", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "cursor-spend simulate did not start"
                time.sleep(0.1)
        yield process, base_url
    finally:
        process.kill()
        process.wait(timeout=10)


def test_simulate_serves_members_of_the_seeded_team_to_the_given_key():
    args = ("--api-key", KEY, "--members", "5", "--days", "3", "--seed", "7", "--end-date", END_DATE.isoformat())
    with _simulate(*args) as (_, base_url):
        response = httpx.get(base_url + "/teams/members", auth=(KEY, ""))
        wrong = httpx.get(base_url + "/teams/members", auth=("crsr_" + "D" * 64, ""))
    assert response.status_code == 200
    expected = TeamUsage(TeamSpec(api_key=KEY, members=5, days=3, seed=7, end_date=END_DATE)).current_members()
    assert [m["email"] for m in response.json()["teamMembers"]] == [m.email for m in expected]
    assert wrong.status_code == 401


def test_simulate_without_a_key_prints_a_new_key_that_works_and_the_base_url():
    with _simulate("--members", "5", "--days", "3") as (process, base_url):
        lines = [process.stdout.readline() for _ in range(4)]
        output = "".join(lines)
        printed = re.search(r"\bcrsr_[A-Za-z0-9]{64}\b", output)
        assert printed, output
        response = httpx.get(base_url + "/teams/members", auth=(printed.group(0), ""))
    assert base_url in output
    assert response.status_code == 200


def test_simulate_plants_scenarios_and_serves_an_idle_team_from_its_options():
    args = ("--api-key", KEY, "--members", "6", "--days", "5", "--end-date", END_DATE.isoformat(), "--activity", "0")
    with _simulate(*args, "--scenario", "spike:1:2:4", "--scenario", "group_move:2:1") as (process, base_url):
        listed = httpx.get(base_url + "/_simulator/scenarios").json()["scenarios"]
        start, end = window(5)
        body = {"startDate": start, "endDate": end, "pageSize": 1000}
        events = httpx.post(base_url + "/teams/filtered-usage-events", json=body, auth=(KEY, "")).json()["usageEvents"]
        process.kill()
        output = process.stdout.read()
    members = TeamUsage(TeamSpec(api_key=KEY, members=6, days=5, end_date=END_DATE)).members
    assert [(row["kind"], row["email"], row["days"]) for row in listed] == [
        ("spike", members[1].email, [(END_DATE - timedelta(days=2)).isoformat()]),
        ("group_move", members[2].email, [(END_DATE - timedelta(days=1)).isoformat()]),
    ]
    assert f"planted: spike for {members[1].email}" in output
    assert events and {e["userEmail"] for e in events} == {members[1].email}  # idle but for the forced spike day
    assert {utc_day(e["timestamp"]) for e in events} == {END_DATE - timedelta(days=2)}


def test_simulate_refuses_a_scenario_that_does_not_fit_in_one_line():
    command = [sys.executable, "-m", "cursor_spend.cli", "simulate", "--members", "5", "--scenario", "ramp:40:100"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "cursor-spend simulate: scenario ramp: no member 40 in the team (a member index or e-mail)"
    ]


def test_the_rate_limit_modes_offered_are_the_simulators():
    from cursor_simulator import RATE_LIMIT_MODES
    from cursor_spend.cli import build_parser

    simulate = build_parser()._subparsers._group_actions[0].choices["simulate"]
    mode = next(a for a in simulate._actions if a.dest == "rate_limit_mode")
    assert tuple(mode.choices) == RATE_LIMIT_MODES
    assert simulate.parse_args(["--rate-limit-mode", "sliding"]).rate_limit_mode == "sliding"


def test_simulate_serves_the_spend_shapes_ai_code_switch_and_code_scenarios_its_flags_choose():
    args = ("--api-key", KEY, "--members", "8", "--days", "10", "--end-date", END_DATE.isoformat())
    flags = ("--spend-included-field", "--spend-overage-only", "--no-commit-details")
    scenarios = ("--scenario", "migration:acme/ledger:3:2", "--scenario", "no_commits:5:2")
    with _simulate(*args, *flags, *scenarios) as (process, base_url):
        rows = httpx.post(base_url + "/teams/spend", json={}, auth=(KEY, "")).json()["teamMemberSpend"]
        commit = httpx.get(base_url + "/analytics/ai-code/commits", auth=(KEY, "")).json()["items"][0]["commitHash"]
        details = httpx.get(f"{base_url}/analytics/ai-code/commits/{commit}", auth=(KEY, ""))
        costs = httpx.get(base_url + "/_simulator/ai-code/costs", timeout=120).json()["teams"][0]
        process.kill()
        output = process.stdout.read()
    assert rows and all("includedSpendCents" in row for row in rows)
    assert all(row["spendCents"] == round(max(0.0, row["overallSpendCents"] - 2000), 6) for row in rows)
    assert details.status_code == 404 and costs["linked"] is False
    assert "planted: migration of acme/ledger for " in output and "planted: no_commits for " in output


def test_simulate_serves_an_organization_of_teams_with_a_planted_pool_and_prints_its_keys():
    org_key = "crsr_" + "O" * 64
    args = ("--api-key", KEY, "--members", "4", "--days", "5", "--end-date", END_DATE.isoformat())
    org = ("--org-teams", "3", "--org-api-key", org_key, "--org-pool-runs-out", "20")
    with _simulate(*args, *org) as (process, base_url):
        lines = []
        while not lines or "organizations/pooled-usage" not in lines[-1]:
            lines.append(process.stdout.readline())
        output = "".join(lines)
        organization_id = re.search(r"organization (org_\w+): teams 10007, 10008, 10009", output).group(1)
        pooled = httpx.post(base_url + "/organizations/pooled-usage", json={"organizationId": organization_id},
                            auth=(org_key, ""))  # fmt: skip
        third_key = re.search(r"team 10009 \(team3\.acme\.io\) API key: (crsr_\w{64})", output).group(1)
        third = httpx.get(base_url + "/teams/members", auth=(third_key, ""))
        control = httpx.get(base_url + "/_simulator/organizations", timeout=60).json()["organizations"][0]
    assert pooled.status_code == 200 and [t["teamId"] for t in pooled.json()["teams"]] == [10007, 10008, 10009]
    assert third.status_code == 200 and third.json()["teamMembers"][0]["email"].endswith("@team3.acme.io")
    planted = (END_DATE + timedelta(days=20)).isoformat()
    assert control["poolRunsOut"]["day"] == planted and f"planted: the pool runs out on {planted}" in output
    assert org_key not in output  # a key given is not printed again
