"""botocore's data trimmed to the prefetch child's one call (`services/aws/onecall.py`),
checked against botocore's own full data: the same request on the wire in every
partition, the same parsed page from moto's server, and botocore's full files whenever
the trim can't be used."""

from __future__ import annotations

import json
from typing import Any

import pytest

from smtui.services.aws import onecall
from smtui.services.aws.clients import AwsClients, AwsSettings
from tests.awsfakes import MotoEndpoint, create_job

SERVICE, OPERATION = "sagemaker", "list_training_jobs"
PAGE = {"MaxResults": 50, "SortBy": "CreationTime", "SortOrder": "Descending"}


class Sent(Exception):
    """Raised from botocore's before-send event: the request as it would leave."""

    def __init__(self, request: Any) -> None:
        super().__init__()
        self.request = request


def sent(client: Any) -> dict[str, Any]:
    """What `client` puts on the wire for the page call (nothing is sent)."""

    def stop(request: Any, **_: Any) -> None:
        raise Sent(request)

    client.meta.events.register("before-send.sagemaker.ListTrainingJobs", stop)
    with pytest.raises(Sent) as caught:
        client.list_training_jobs(**PAGE)
    request = caught.value.request
    scope = request.headers["Authorization"].decode().split("Credential=")[1].split(",")[0]
    return {
        "url": request.url,
        "scope": scope.split("/", 2)[2],  # region/service/aws4_request, without key and date
        "target": request.headers["X-Amz-Target"],
        "body": json.loads(request.body),
    }


def full_and_trimmed(settings: AwsSettings) -> tuple[Any, Any]:
    """botocore's client on its full data, and the child's once the trim is kept."""
    full = AwsClients(settings).client(SERVICE)
    AwsClients(settings).one_call_client(SERVICE, OPERATION)  # keeps the trim
    trimmed = AwsClients(settings).one_call_client(SERVICE, OPERATION)
    assert trimmed.meta.service_model.operation_names == ["ListTrainingJobs"]
    return full, trimmed


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


@pytest.mark.usefixtures("credentials")
@pytest.mark.parametrize(
    "region", ["us-east-1", "eu-central-1", "ap-southeast-5", "cn-north-1", "us-gov-west-1"]
)
@pytest.mark.parametrize("fips", [False, True])
def test_the_trimmed_client_sends_what_botocore_sends(
    region: str, fips: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if fips:
        monkeypatch.setenv("AWS_USE_FIPS_ENDPOINT", "true")
    full, trimmed = full_and_trimmed(AwsSettings(region=region))
    assert sent(trimmed) == sent(full)
    assert region in sent(full)["url"] or region in sent(full)["scope"]


def test_the_trimmed_client_parses_the_page_as_botocore_does(moto_server: MotoEndpoint) -> None:
    for i in range(60):
        create_job(f"job-{i:04d}", status="Completed" if i % 3 else "Failed")
    full, trimmed = full_and_trimmed(AwsSettings())
    page, same = full.list_training_jobs(**PAGE), trimmed.list_training_jobs(**PAGE)
    for response in (page, same):
        response.pop("ResponseMetadata")
    assert same == page and len(page["TrainingJobSummaries"]) == 50


def test_the_trim_reaches_every_shape_of_the_operation() -> None:
    import botocore.session

    data = botocore.session.get_session().get_component("data_loader")
    model = data.load_service_model(SERVICE, "service-2")
    trimmed = onecall.trim_model(model, OPERATION)
    assert list(trimmed["operations"]) == ["ListTrainingJobs"]
    assert trimmed["metadata"] == model["metadata"]
    for name, shape in trimmed["shapes"].items():
        assert shape == model["shapes"][name]
        refs = [*shape.get("members", {}).values()]
        refs += [shape[part] for part in ("member", "key", "value") if part in shape]
        assert all(ref["shape"] in trimmed["shapes"] for ref in refs), name
    assert len(trimmed["shapes"]) < len(model["shapes"]) / 50


@pytest.mark.usefixtures("credentials")
def test_a_trim_botocore_cannot_read_is_made_again() -> None:
    settings = AwsSettings(region="us-east-1")
    AwsClients(settings).one_call_client(SERVICE, OPERATION)
    (model,) = onecall.folder(SERVICE, OPERATION).glob("sagemaker/*/service-2.json")
    model.write_text("{not json")
    client = AwsClients(settings).one_call_client(SERVICE, OPERATION)
    assert "CreateTrainingJob" in client.meta.service_model.operation_names  # the full data
    again = AwsClients(settings).one_call_client(SERVICE, OPERATION)
    assert again.meta.service_model.operation_names == ["ListTrainingJobs"]


@pytest.mark.usefixtures("credentials")
def test_botocore_told_to_read_other_data_is_never_trimmed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path / "models"))
    settings = AwsSettings(region="us-east-1")
    for _ in range(2):
        client = AwsClients(settings).one_call_client(SERVICE, OPERATION)
        assert "CreateTrainingJob" in client.meta.service_model.operation_names
    assert not onecall.folder(SERVICE, OPERATION).exists()


def test_the_trim_is_kept_per_botocore_release() -> None:
    from importlib import metadata

    assert metadata.version("botocore") in str(onecall.folder(SERVICE, OPERATION))
