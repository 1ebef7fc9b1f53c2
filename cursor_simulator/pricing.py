"""Model catalogue and the documented cost rules of the Cursor Admin API.

Cost rules (reference §1.10, §13):

* ``totalCents`` = model cost of the tokens at the model's list price.
* ``cursorTokenFee`` = $0.25 per million tokens (input + output + cache write + cache read) = 0.000025 cents a
  token, charged on third-party models only; first-party models (Composer, Grok) and Auto carry no fee.
* ``chargedCents`` = ``totalCents`` x (1 - ``discountPercentOff``/100) + ``cursorTokenFee``.
* Errored, aborted and free events are charged nothing.

Every money value is rounded to 6 decimals, as the live API returns them.
"""

from __future__ import annotations

from dataclasses import dataclass

TOKEN_FEE_CENTS_PER_TOKEN = 0.25 * 100 / 1_000_000  # $0.25 per million tokens, in cents
MONEY_DECIMALS = 6

KIND_USAGE_BASED = "Usage-based"
KIND_INCLUDED = "Included in Business"
KIND_ERRORED = "Errored, Not Charged"
KIND_ABORTED = "Aborted, Not Charged"
KIND_FREE = "Free"
KINDS = (KIND_USAGE_BASED, KIND_INCLUDED, KIND_ERRORED, KIND_ABORTED, KIND_FREE)
NOT_CHARGED_KINDS = (KIND_ERRORED, KIND_ABORTED, KIND_FREE)


@dataclass(frozen=True)
class Model:
    """A model as it appears in usage events, with its list price in dollars per million tokens."""

    name: str
    third_party: bool
    input_usd: float
    output_usd: float
    cache_write_usd: float
    cache_read_usd: float
    premium: bool = False
    max_mode_share: float = 0.0


MODELS: tuple[Model, ...] = (
    Model("auto", False, 1.25, 6.0, 1.25, 0.25),
    Model("claude-4.5-sonnet", True, 3.0, 15.0, 3.75, 0.30, max_mode_share=0.15),
    Model("claude-4.5-sonnet-thinking", True, 3.0, 15.0, 3.75, 0.30, max_mode_share=0.25),
    Model("claude-4.1-opus", True, 15.0, 75.0, 18.75, 1.50, premium=True, max_mode_share=0.4),
    Model("gpt-5", True, 1.25, 10.0, 1.25, 0.125, max_mode_share=0.1),
    Model("gpt-5-high", True, 1.25, 10.0, 1.25, 0.125, premium=True, max_mode_share=0.2),
    Model("gemini-2.5-pro", True, 1.25, 10.0, 1.625, 0.31, max_mode_share=0.1),
    Model("composer-1", False, 1.25, 10.0, 1.25, 0.125),
    Model("grok-code-fast-1", False, 0.20, 1.50, 0.20, 0.02),
)
MODELS_BY_NAME = {m.name: m for m in MODELS}


def money(value: float) -> float:
    """Round a cents value the way the API prints it."""
    return round(value, MONEY_DECIMALS)


def token_cost_cents(model: Model, inp: int, out: int, cache_write: int, cache_read: int) -> float:
    """List cost of the tokens in cents (``tokenUsage.totalCents``)."""
    usd = (
        inp * model.input_usd
        + out * model.output_usd
        + cache_write * model.cache_write_usd
        + cache_read * model.cache_read_usd
    ) / 1_000_000
    return money(usd * 100)


def token_fee_cents(model: Model, total_tokens: int) -> float | None:
    """The Cursor Token Rate in cents, or None where it does not apply."""
    if not model.third_party:
        return None
    return money(total_tokens * TOKEN_FEE_CENTS_PER_TOKEN)


def charged_cents(total_cents: float, discount_percent: float | None, fee_cents: float | None) -> float:
    """``chargedCents`` from its parts, the documented reconciliation invariant."""
    discounted = total_cents * (1 - (discount_percent or 0) / 100)
    return money(discounted + (fee_cents or 0))
