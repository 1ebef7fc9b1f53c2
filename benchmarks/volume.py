"""Benchmarks 2 and 3, throughput and memory with the limits off: extract and load ~1M usage events into DuckDB
beside a bare httpx loop over the same pages (the ceiling set by the server and HTTP), and the peak RSS of the
extract at ~100k and ~1M events.

Each measurement gets a fresh simulator process (same team, same data, same cold caches), and the extract runs
in a child process of its own, whose peak RSS is the kernel's high-water mark of its memory (``VmHWM``; not
``ru_maxrss``, which a spawned child inherits from the parent it was forked from).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from multiprocessing import get_context
from pathlib import Path

import httpx
import orjson
import psutil

from cursor_simulator import TeamSpec
from dlt_sources.cursor.settings import RETENTION_DAYS

from .api import windows
from .report import Figure, Result
from .scales import Scale
from .served import API_KEY, TEAM, TIMEOUT, count, simulator_process, without_limits

EVENTS_PATH = "/teams/filtered-usage-events"
PAGE_SIZE = 1000
MEMORY_LIMIT_MB = 500
MEMORY_GROWTH_LIMIT = 1.2  # "not growing": 10x the events may cost at most 20% more peak memory


def volume_spec(scale: Scale, days: int) -> TeamSpec:
    return TeamSpec(
        api_key=API_KEY,
        members=scale.volume_members,
        days=days,
        end_date=scale.end_date,
        events_per_active_day=scale.volume_events_per_active_day,
        retention_days=max(RETENTION_DAYS, days),
    )


def bare_loop(base_url: str, start: date, end: date) -> dict:
    """Fetch every usage-events page of the window as the pipeline does, and discard it."""
    pages = received = 0
    started = time.perf_counter()
    with httpx.Client(base_url=base_url, auth=(API_KEY, ""), timeout=TIMEOUT) as http:
        for lo, hi in windows(start, end):
            page, last = 1, 1
            while page <= last:
                body = {"startDate": lo, "endDate": hi, "page": page, "pageSize": PAGE_SIZE}
                response = http.post(EVENTS_PATH, json=body)
                response.raise_for_status()
                if page == 1:
                    first = orjson.loads(response.content)
                    last = first["pagination"]["numPages"]
                    received += first["totalUsageEventsCount"]
                pages += 1
                page += 1
    return {"events": received, "pages": pages, "seconds": time.perf_counter() - started}


def extract_events(
    base_url: str, start: date, end: date, duckdb_path: Path, warehouse_url: str | None = None, only_events: bool = True
) -> dict:
    """In a child process: the source's usage events of the window (or, ``only_events`` False, every resource),
    extracted and loaded into a new DuckDB file (or the PostgreSQL database ``warehouse_url``) with the limits off,
    as ``load.run_in_steps`` does it (extract, normalize, load, the memory a step freed handed back before the next).
    Returns the usage events loaded, the seconds and peak RSS of each step, the process's CPU seconds and its peak
    RSS."""
    from cursor_spend.load import make_pipeline, parquet_on_duckdb, release_memory
    from dlt_sources.cursor import cursor_source

    settings, factory = without_limits(base_url, duckdb_path, warehouse_url)
    pipeline = make_pipeline(settings)
    source = cursor_source(
        teams={TEAM: API_KEY},
        base_url=base_url,
        start_date=start,
        end_date=end,
        rate_limit_window=0,
        client_factory=factory,
    )
    if only_events:
        source = source.with_resources("usage_events")
    if settings.warehouse.kind == "duckdb":
        parquet_on_duckdb(source)  # as load.load does
    sampler = RssSampler().start()
    seconds, cpu_started = {}, time.process_time()
    for step, run in (("extract", lambda: pipeline.extract(source)), ("normalize", pipeline.normalize),
                      ("load", pipeline.load)):  # fmt: skip
        sampler.step = step
        started = time.perf_counter()
        run()
        if step != "load":
            release_memory()
        seconds[step] = time.perf_counter() - started
    sampler.stop()
    return {
        "events": count(settings, "cursor_raw.usage_events"),
        "seconds": sum(seconds.values()),
        "steps_seconds": seconds,
        "cpu_seconds": time.process_time() - cpu_started,  # every thread of this process, the three steps
        "steps_peak_rss_mb": sampler.peaks_mb(),
        "peak_rss_mb": peak_rss_mb(),
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory since it started (Linux's VmHWM)."""
    with open("/proc/self/status") as status:
        kilobytes = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    return kilobytes / 1024


class RssSampler:
    """This process's resident memory, sampled every 20 ms, its peak kept per step."""

    def __init__(self) -> None:
        self.step = "before"
        self.peaks: dict[str, int] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="rss-sampler", daemon=True)

    def start(self) -> RssSampler:
        self._record()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    def peaks_mb(self) -> dict[str, float]:
        return {step: rss / 2**20 for step, rss in self.peaks.items()}

    def _record(self) -> None:
        rss = psutil.Process().memory_info().rss
        self.peaks[self.step] = max(self.peaks.get(self.step, 0), rss)

    def _sample(self) -> None:
        while not self._done.wait(0.02):
            self._record()


def in_child(function, *args) -> dict:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def measure(scale: Scale, days: int, workdir: Path, shared: dict, with_ceiling: bool) -> dict:
    """The extract (and, if asked, the bare loop) over ``days`` days of the volume team, each against a fresh
    simulator; kept in ``shared`` so benchmarks 2 and 3 share the large run."""
    out = shared.setdefault(("volume", days), {})
    spec = volume_spec(scale, days)
    if with_ceiling and "ceiling" not in out:
        with simulator_process(spec) as base_url:
            out["ceiling"] = bare_loop(base_url, spec.start_date, spec.end_date)
    if "pipeline" not in out:
        with simulator_process(spec) as base_url:
            path = workdir / f"volume-{days}d" / "cursor_spend.duckdb"
            out["pipeline"] = in_child(extract_events, base_url, spec.start_date, spec.end_date, path)
    return out


def run_throughput(scale: Scale, workdir: Path, shared: dict) -> Result:
    large = measure(scale, scale.volume_large_days, workdir, shared, with_ceiling=True)
    ceiling, loaded = large["ceiling"], large["pipeline"]
    events = loaded["events"]
    rate = events / loaded["seconds"]
    ceiling_rate = ceiling["events"] / ceiling["seconds"]
    share = rate / ceiling_rate
    result = Result(
        name="throughput",
        title="2. Throughput, limits off",
        parameters={
            "members": scale.volume_members,
            "days": scale.volume_large_days,
            "events_per_active_day": scale.volume_events_per_active_day,
        },
    )
    result.figures = {
        "events": Figure("usage events extracted and loaded", events),
        "pipeline_events_per_second": Figure("pipeline (extract, normalize, load)", rate, "events/s"),
        "ceiling_events_per_second": Figure("bare httpx loop over the same pages", ceiling_rate, "events/s"),
        "share_of_ceiling": Figure("pipeline / ceiling", share, "x", "≥ 0.50x", share >= 0.5),
        "cpu_seconds_per_million": Figure("pipeline CPU per million events", loaded["cpu_seconds"] * 1e6 / events, "s"),
    }
    result.details = {"pipeline": loaded, "ceiling": ceiling}
    steps = ", ".join(f"{step} {seconds:.0f} s" for step, seconds in loaded["steps_seconds"].items())
    result.notes = [
        f"Throughput: {scale.volume_members} members, {scale.volume_large_days} days, "
        f"{scale.volume_events_per_active_day:g} events per active member-day. The source's usage events, "
        f"extracted and loaded by dlt in a child process ({steps}); the bare loop fetched the same "
        f"{ceiling['pages']:,} pages in {ceiling['seconds']:.0f} s. Each ran against a fresh simulator process."
    ]
    if ceiling["events"] != events:
        result.error = f"loaded {events} usage events, the simulator served {ceiling['events']}"
    return result


def run_memory(scale: Scale, workdir: Path, shared: dict) -> Result:
    small = measure(scale, scale.volume_small_days, workdir, shared, with_ceiling=False)["pipeline"]
    large = measure(scale, scale.volume_large_days, workdir, shared, with_ceiling=False)["pipeline"]
    growth = large["peak_rss_mb"] / small["peak_rss_mb"]
    result = Result(
        name="memory",
        title="3. Memory of the extract",
        parameters={"members": scale.volume_members, "days": [scale.volume_small_days, scale.volume_large_days]},
    )
    result.figures = {
        "small_events": Figure("usage events, small run", small["events"]),
        "small_peak_rss_mb": Figure("peak RSS, small run", small["peak_rss_mb"], "MB", f"< {MEMORY_LIMIT_MB} MB",
                                    small["peak_rss_mb"] < MEMORY_LIMIT_MB),
        "large_events": Figure("usage events, large run", large["events"]),
        "large_peak_rss_mb": Figure("peak RSS, large run", large["peak_rss_mb"], "MB", f"< {MEMORY_LIMIT_MB} MB",
                                    large["peak_rss_mb"] < MEMORY_LIMIT_MB),
        "growth": Figure("peak RSS large / small", growth, "x", f"≤ {MEMORY_GROWTH_LIMIT:.2f}x",
                         growth <= MEMORY_GROWTH_LIMIT),
    }  # fmt: skip
    result.details = {"small": small, "large": large}
    result.notes = [
        "Memory: peak RSS of the extract's own process (Python, dlt and DuckDB included). Sampled every 20 ms per "
        f"step, in MB: small run {_step_peaks(small)}; large run {_step_peaks(large)}."
    ]
    return result


def _step_peaks(run: dict) -> str:
    return ", ".join(f"{step} {mb:,.0f}" for step, mb in run["steps_peak_rss_mb"].items())
