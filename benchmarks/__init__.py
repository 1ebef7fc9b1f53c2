"""Benchmarks of cursor-spend against the Cursor Admin API simulator (issue 7), run by ``make bench``:

1. API efficiency under the documented rate limits (``api``)
2. throughput with the limits off, beside a bare httpx loop (``throughput``)
3. peak memory of the extract (``memory``)
4. dbt build cost as history grows (``transform``)
5. the daily run end to end (``daily``)

Never part of ``make test``; ``tests/benchmarks`` runs them at a tiny scale so the harness cannot rot.
"""
