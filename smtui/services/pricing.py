"""The price book of a backend's region: asked of the AWS Price List API, kept on disk for
a week, else the catalogue's shipped us-east-1 table, saying why.

The Price List API is asked only on the aws backend without a custom endpoint (moto and
LocalStack serve no prices), and only when a cost is wanted: the header's rate, a
submit's bound, `smtui cost`. A failure (no credentials, no `pricing:GetProducts`, no
network) is kept for a day, so a machine that cannot reach it does not wait on every
start; `smtui cost --refresh` asks again at once.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

from smtui.core.prices import PriceBook, price_list_filters, read_price_list, shipped_book
from smtui.services.cachefile import cache_root, keep_json
from smtui.services.errors import ServiceError

if TYPE_CHECKING:
    from smtui.services.aws.clients import AwsClients
    from smtui.services.backend import Backend

KEPT = dt.timedelta(days=7)
"""How long fetched prices are used before they are asked for again."""
FAILURE_KEPT = dt.timedelta(days=1)
"""How long a failed ask is remembered (the shipped table is used meanwhile)."""
FORMAT = 1


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def cache_folder() -> Path:
    return cache_root() / "prices"


def _cache_file(region: str) -> Path:
    return cache_folder() / f"{region}-v{FORMAT}.json"


def _read_cache(region: str, now: dt.datetime) -> PriceBook | None:
    """The kept book for `region`, or the shipped one when a failure is kept; None when
    nothing (fresh enough) is kept."""
    try:
        kept = json.loads(_cache_file(region).read_text())
        at = dt.datetime.fromisoformat(kept["at"])
        if "failed" in kept:
            if now - at < FAILURE_KEPT:
                return shipped_book(region, f"{kept['failed']} (at {at:%Y-%m-%d %H:%M} UTC)")
            return None
        hourly = {str(k): float(v) for k, v in kept["hourly"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if now - at >= KEPT or not hourly:
        return None
    return PriceBook(region, hourly, f"Price List API, {region}, {at:%Y-%m-%d}")


class AwsPricing:
    """The Price List API, for the aws backend's region."""

    def __init__(self, clients: AwsClients) -> None:
        self.clients = clients

    async def price_book(self, refresh: bool = False) -> PriceBook:
        region = self.clients.region or ""
        if not region:
            return shipped_book(None, "no region is set")
        if self.clients.settings.endpoint_url:
            return shipped_book(region, "a custom endpoint is set: the Price List API is not asked")
        now = _now()
        kept = None if refresh else _read_cache(region, now)
        if kept is not None:
            return kept
        try:
            items = await self.clients.every_item(
                "pricing",
                "get_products",
                "PriceList",
                ServiceCode="AmazonSageMaker",
                Filters=price_list_filters(region),
            )
        except ServiceError as exc:
            why = f"the Price List API failed: {exc}"
            keep_json(_cache_file(region), {"at": now.isoformat(), "failed": why})
            return shipped_book(region, why)
        hourly = read_price_list(items)
        if not hourly:
            why = f"the Price List API lists no training prices for {region}"
            keep_json(_cache_file(region), {"at": now.isoformat(), "failed": why})
            return shipped_book(region, why)
        keep_json(_cache_file(region), {"at": now.isoformat(), "hourly": hourly})
        return PriceBook(region, hourly, f"Price List API, {region}, {now:%Y-%m-%d}")


async def load_prices(backend: Backend, refresh: bool = False) -> PriceBook:
    """The backend's price book, kept on it (`backend.prices`) for every later cost."""
    if backend.pricing is None:
        book = shipped_book(None, "what the jobs would cost on SageMaker")
    else:
        try:
            book = await backend.pricing.price_book(refresh)
        except Exception as exc:  # noqa: BLE001 (a price is never worth a failed command)
            book = shipped_book(backend.prices.region, f"prices could not be read: {exc}")
    backend.prices = book
    return book
