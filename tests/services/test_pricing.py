"""The region's prices from the AWS Price List API, kept a week, else the shipped table.

moto has no Price List API, so the calls are answered by botocore's own Stubber, which
checks each request and each answer against botocore's model of GetProducts."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber

from smtui.core.prices import price_list_filters, read_price_list
from smtui.services import pricing
from smtui.services.aws.clients import AwsClients, AwsSettings
from smtui.services.pricing import AwsPricing

REGION = "eu-west-1"


def product(name: str, usd: str, kind: str = "Training", unit: str = "Hrs") -> str:
    """One PriceList item, as the Price List API writes them."""
    sku = f"SKU{abs(hash((name, kind))) % 10**8}"
    return json.dumps({
        "product": {
            "productFamily": "ML Instance",
            "attributes": {
                "regionCode": REGION, "instanceName": name, "platoinstancetype": kind,
                "usagetype": f"EU-Train:{name}", "servicecode": "AmazonSageMaker",
            },
            "sku": sku,
        },
        "serviceCode": "AmazonSageMaker",
        "terms": {"OnDemand": {f"{sku}.JRTCKXETXF": {
            "offerTermCode": "JRTCKXETXF",
            "priceDimensions": {f"{sku}.JRTCKXETXF.6YS6EN2CT7": {
                "unit": unit, "pricePerUnit": {"USD": usd}, "description": f"{name} {kind}",
            }},
        }}},
        "version": "20261101000000",
        "publicationDate": "2026-11-01T00:00:00Z",
    })  # fmt: skip


PAGES = [
    [product("ml.g5.xlarge", "1.5770000000"), product("ml.g5.xlarge", "1.9", "Hosting"),
     product("ml.m5.xlarge", "0.0000000000"), "not json"],
    [product("ml.p4d.24xlarge", "40.9663000000"), product("ml.c5.xlarge", "9", unit="GB")],
]  # fmt: skip
"""Two pages: a hosting price, a zero price, a non-hourly price and a broken item among the
training prices, as a lax filter could let through."""


@pytest.fixture
def clients(monkeypatch: pytest.MonkeyPatch) -> AwsClients:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    return AwsClients(AwsSettings(region=REGION))


@pytest.fixture
def stub(clients: AwsClients) -> Iterator[Stubber]:
    client = clients.client("pricing")
    assert client.meta.region_name == "us-east-1"  # the API answers for every region there
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def answer(stub: Stubber) -> None:
    wanted: dict[str, Any] = {"ServiceCode": "AmazonSageMaker",
                              "Filters": price_list_filters(REGION)}  # fmt: skip
    stub.add_response("get_products", {"PriceList": PAGES[0], "NextToken": "page-2",
                                       "FormatVersion": "aws_v1"}, wanted)  # fmt: skip
    stub.add_response("get_products", {"PriceList": PAGES[1], "FormatVersion": "aws_v1"},
                      {**wanted, "NextToken": "page-2"})  # fmt: skip


def book(clients: AwsClients, refresh: bool = False) -> Any:
    return asyncio.run(AwsPricing(clients).price_book(refresh))


def test_the_regions_training_prices_are_read_and_kept_a_week(
    clients: AwsClients, stub: Stubber, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer(stub)
    found = book(clients)
    assert dict(found.hourly) == {"ml.g5.xlarge": 1.577, "ml.p4d.24xlarge": 40.9663}
    assert found.regional and found.region == REGION
    assert found.source.startswith(f"Price List API, {REGION}, ")
    assert found.caveat == ""
    assert book(clients).hourly == found.hourly  # kept: no call (the stub holds none)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=8)
    monkeypatch.setattr(pricing, "_now", lambda: later)
    answer(stub)
    assert book(clients).hourly == found.hourly  # a week on: asked again


def test_a_refused_call_falls_back_to_the_shipped_table_and_is_kept_a_day(
    clients: AwsClients, stub: Stubber, monkeypatch: pytest.MonkeyPatch
) -> None:
    stub.add_client_error("get_products", "AccessDeniedException",
                          "User is not authorized to perform: pricing:GetProducts")  # fmt: skip
    found = book(clients)
    assert not found.regional
    assert found.price("ml.g5.xlarge") == 1.408  # the shipped us-east-1 price
    assert "shipped us-east-1 table" in found.source and "not eu-west-1's own" in found.source
    assert "pricing:GetProducts" in found.source
    assert found.caveat == f" ({found.source})"
    assert book(clients).source.startswith(found.source)  # kept: no second call
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=25)
    monkeypatch.setattr(pricing, "_now", lambda: later)
    answer(stub)
    assert book(clients).regional  # a day on: asked again, and answered


def test_refresh_asks_again(clients: AwsClients, stub: Stubber) -> None:
    answer(stub)
    book(clients)
    answer(stub)
    assert book(clients, refresh=True).regional


def test_a_custom_endpoint_is_never_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    clients = AwsClients(AwsSettings(region=REGION, endpoint_url="http://127.0.0.1:5000"))
    found = book(clients)  # no stub: a call would fail
    assert "custom endpoint" in found.source and not found.regional


def test_prices_in_us_east_1_from_the_shipped_table_are_its_own() -> None:
    from smtui.core.prices import shipped_book

    assert shipped_book("us-east-1").regional
    assert not shipped_book("ap-south-1").regional


def test_items_without_a_training_hourly_price_are_passed_over() -> None:
    assert read_price_list(PAGES[0] + PAGES[1]) == {"ml.g5.xlarge": 1.577,
                                                     "ml.p4d.24xlarge": 40.9663}  # fmt: skip
    two = [product("ml.g5.xlarge", "1.5"), product("ml.g5.xlarge", "1.6")]
    assert read_price_list(two) == {"ml.g5.xlarge": 1.6}  # the higher: a limit never under
