"""What an instance-hour of SageMaker training costs in a region, and where that was read.

A `PriceBook` is one region's on-demand training prices with a line saying their source:
the AWS Price List API (`services/pricing.py` asks it and caches the answer for a week),
else the us-east-1 table shipped in the catalogue. Every cost smtui shows is computed
from a book, and says which one when it is not the region's own.

Managed spot training has no price of its own: SageMaker bills the job's billable seconds
at the on-demand price, and spot makes those seconds fewer than the training seconds
(`1 - BillableTimeInSeconds / TrainingTimeInSeconds` is the saving SageMaker reports).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from smtui.core.instances import load_catalogue

SPOT_MOST_SAVED = 0.9
"""The most managed spot training saves over on-demand, as AWS states it ("up to 90%"): a
spot job's cost lies between a tenth of its on-demand cost and all of it."""

SHIPPED_REGION = "us-east-1"


@dataclass(frozen=True)
class PriceBook:
    """On-demand USD per instance-hour of training, by instance type, for one region."""

    region: str
    hourly: Mapping[str, float]
    source: str
    """Where the prices come from, as said beside a cost: `Price List API, eu-west-1,
    2026-12-05`, or `the shipped us-east-1 table (2026-11)` and why it is used."""
    regional: bool = True
    """Whether these are the region's own prices (False: another region's, as a guess)."""

    def price(self, instance_type: str) -> float | None:
        """USD an hour for one instance, or None when the book has no price for it."""
        return self.hourly.get(instance_type)

    def rate(self, groups: Iterable[tuple[str, int]]) -> float | None:
        """USD an hour for instance groups `(type, count)` together; None when one of
        them has no price."""
        total = 0.0
        for instance_type, count in groups:
            price = self.price(instance_type)
            if price is None:
                return None
            total += price * count
        return total

    @property
    def caveat(self) -> str:
        """Empty when the prices are the region's; else what they are instead, and why."""
        return "" if self.regional else f" ({self.source})"

    @property
    def brief_caveat(self) -> str:
        """The caveat in a few words, for a table cell or a header: ` (us-east-1 prices)`."""
        return "" if self.regional else f" ({SHIPPED_REGION} prices)"


@cache
def shipped_book(region: str | None = None, why: str = "") -> PriceBook:
    """The catalogue's us-east-1 prices, for `region` (they are its own only there).
    `why`: why the region's own prices were not read, said in the source."""
    catalogue = load_catalogue()
    hourly = {i.name: i.price_per_hour for i in catalogue.instances if i.price_per_hour}
    region = region or catalogue.region
    source = f"the shipped {catalogue.region} table ({catalogue.compiled})"
    if region != catalogue.region:
        source += f", not {region}'s own prices"
    if why:
        source += f": {why}"
    return PriceBook(region, hourly, source, regional=region == catalogue.region)


def spot_range(on_demand: float) -> tuple[float, float]:
    """What a spot job may cost when on-demand it would cost `on_demand`: from the most
    spot saves to nothing saved."""
    return on_demand * (1 - SPOT_MOST_SAVED), on_demand


def price_list_filters(region: str) -> list[dict[str, str]]:
    """GetProducts filters for SageMaker's training instances in `region`."""
    return [
        {"Type": "TERM_MATCH", "Field": "regionCode", "Value": region},
        {"Type": "TERM_MATCH", "Field": "productFamily", "Value": "ML Instance"},
        {"Type": "TERM_MATCH", "Field": "platoinstancetype", "Value": "Training"},
    ]


def read_price_list(items: Iterable[str]) -> dict[str, float]:
    """Instance type → on-demand USD an hour, from GetProducts' `PriceList` (each item a
    JSON document: a product and its terms). Items that are not a training instance's
    hourly price are passed over; two prices for one type keep the higher (a cost limit
    is then never under-estimated)."""
    prices: dict[str, float] = {}
    for item in items:
        try:
            document = json.loads(item)
            attributes = document["product"]["attributes"]
        except (ValueError, KeyError, TypeError):
            continue
        name = _instance_name(attributes)
        price = _hourly(document.get("terms", {}).get("OnDemand", {}))
        if name and price:
            prices[name] = max(price, prices.get(name, 0.0))
    return prices


def _instance_name(attributes: Mapping[str, Any]) -> str | None:
    if attributes.get("platoinstancetype", "Training") != "Training":
        return None
    for key in ("instanceName", "instanceType"):
        value = str(attributes.get(key, ""))
        if value.startswith("ml."):
            return value
    usage = str(attributes.get("usagetype", ""))  # `USE1-Train:ml.g5.xlarge`
    name = usage.rpartition(":")[2]
    return name if name.startswith("ml.") else None


def _hourly(terms: Mapping[str, Any]) -> float | None:
    for term in terms.values():
        for dimension in term.get("priceDimensions", {}).values():
            if dimension.get("unit") not in ("Hrs", "Hours"):
                continue
            try:
                usd = float(dimension.get("pricePerUnit", {}).get("USD", ""))
            except ValueError:
                continue
            if usd > 0:
                return usd
    return None
