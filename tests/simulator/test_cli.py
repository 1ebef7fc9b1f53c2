"""``cursor-spend simulate`` serves the simulator from the command line."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from cursor_spend.simulator import TeamSpec, free_port
from cursor_spend.simulator.usage import TeamUsage
from tests.conftest import END_DATE

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
