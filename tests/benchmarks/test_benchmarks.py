"""The benchmark harness at its tiny scale, so it cannot rot: every benchmark runs end to end against the
simulator and writes its figures. No timing is asserted, only what must hold at any speed."""

from __future__ import annotations

import json

import pytest

from benchmarks.__main__ import BENCHMARKS, main

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    results = tmp_path_factory.mktemp("results")
    assert main(["--scale", "tiny", "--results-dir", str(results)]) == 0
    run = json.loads((results / "latest.json").read_text())
    run["markdown"] = (results / "latest.md").read_text()
    run["files"] = sorted(path.name for path in results.iterdir())
    return run


def figures(run: dict, name: str) -> dict:
    return {key: figure["value"] for key, figure in run["benchmarks"][name]["figures"].items()}


def test_every_benchmark_writes_their_figures_as_json_and_markdown(run):
    assert list(run["benchmarks"]) == list(BENCHMARKS)
    assert all(result["error"] is None for result in run["benchmarks"].values())
    assert {"cores", "ram_gb", "python"} <= set(run["machine"])
    assert run["command"].startswith("python -m benchmarks --scale tiny")
    assert "latest.json" in run["files"] and "latest.md" in run["files"]
    assert any(name.endswith("-tiny.json") for name in run["files"])
    for result in run["benchmarks"].values():
        for figure in result["figures"].values():
            assert figure["label"] in run["markdown"]
            assert figure["value"] is not None


def test_the_backfill_makes_the_minimum_requests_and_trips_no_rate_limit(run):
    api = figures(run, "api")
    assert api["events"] > 0
    assert api["requests_made"] == api["requests_minimum"]
    assert api["responses_429"] == 0
    routes = run["benchmarks"]["api"]["details"]["requests_by_route"]
    assert all(counts["made"] == counts["minimum"] for counts in routes.values())


def test_volume_runs_load_every_served_event_and_report_memory(run):
    throughput, memory = figures(run, "throughput"), figures(run, "memory")
    assert throughput["events"] == run["benchmarks"]["throughput"]["details"]["ceiling"]["events"]
    assert throughput["pipeline_events_per_second"] > 0 and throughput["ceiling_events_per_second"] > 0
    assert 0 < memory["small_events"] < memory["large_events"] == throughput["events"]
    assert memory["small_peak_rss_mb"] > 0 and memory["large_peak_rss_mb"] > 0


def test_history_benchmarks_time_incremental_builds_and_the_daily_run(run):
    transform, daily = figures(run, "transform"), figures(run, "daily")
    assert 0 < transform["short_events"] < transform["long_events"]
    assert transform["short_incremental_seconds"] > 0 and transform["long_full_refresh_seconds"] > 0
    assert daily["events_extracted"] > 0
    steps = ("startup_seconds", "extract_seconds", "build_seconds", "export_seconds")
    assert daily["total_seconds"] == pytest.approx(sum(daily[step] for step in steps))


def test_the_postgresql_benchmark_loads_the_same_events_and_times_the_daily_run(run):
    postgres, memory = figures(run, "postgres"), figures(run, "memory")
    assert postgres["events"] == memory["large_events"]
    assert postgres["peak_rss_mb"] > 0 and postgres["incremental_build_seconds"] > 0 and postgres["daily_seconds"] > 0


def test_the_teams_benchmark_loads_every_teams_events_together_as_alone_without_a_429(run):
    teams, details = figures(run, "teams"), run["benchmarks"]["teams"]["details"]
    assert len(details["alone"]) == run["benchmarks"]["teams"]["parameters"]["teams"] >= 2
    assert teams["events"] == sum(alone["events"] for alone in details["alone"].values()) > 0
    assert teams["responses_429"] == 0
    assert teams["together_seconds"] > 0 and teams["slowest_alone_seconds"] > 0


def test_the_large_benchmark_backfills_both_warehouses_and_runs_a_day(run):
    large, details = figures(run, "large"), run["benchmarks"]["large"]["details"]
    assert large["events"] == details["postgres"]["backfill"]["events"] > 0
    assert large["peak_rss_mb"] > 0 and large["postgres_peak_rss_mb"] > 0
    assert large["daily_events"] > 0 and large["daily_minimum_minutes_at_limits"] > 0
    for warehouse in ("duckdb", "postgres"):
        assert large[f"{warehouse}_incremental_seconds"] > 0
        assert large[f"{warehouse}_daily_seconds"] > large[f"{warehouse}_incremental_seconds"]
