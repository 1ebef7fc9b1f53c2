"""The organization's contract pool, as the summary and the report show it (``rpt_cursor_contract_pool_forecast``:
the projection is the forecasts' one method, defined in dbt)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple

from . import MARTS_SCHEMA
from .reader import Reader


class ContractPool(NamedTuple):
    """A row of ``rpt_cursor_contract_pool_forecast``."""

    organization_id: str
    as_of_date: date
    contract_end: date
    limit_usd: Decimal
    pool_used_usd: Decimal
    pool_remaining_usd: Decimal
    ran_out_on: date | None
    projected_run_out_on: date | None
    status: str

    def line(self) -> str:
        """The pool in one line: used of the limit, what is left, and when it runs out (or did)."""
        cent = Decimal("0.01")
        used, limit = self.pool_used_usd.quantize(cent), self.limit_usd.quantize(cent)
        head = f"Contract pool {self.organization_id}: ${used:,} of ${limit:,} used to {self.as_of_date}"
        outlook = {
            "exhausted": f"used up on {self.ran_out_on}",
            "projected_to_run_out": f"projected to run out on {self.projected_run_out_on}, before the contract ends "
            f"on {self.contract_end}",
            "lasts_the_contract": f"projected to last the contract (to {self.contract_end})",
        }.get(self.status, "too little history for a projection")
        return f"{head} (${self.pool_remaining_usd.quantize(cent):,} left); {outlook}"


def contract_pools(reader: Reader) -> list[ContractPool]:
    """Every organization's pool (none without an Organization API key)."""
    return reader.select(ContractPool, f"from {MARTS_SCHEMA}.rpt_cursor_contract_pool_forecast order by 1")
