"""The digest of botocore's model that the request checks read: the same verdicts as
botocore's own shapes, cached per botocore release, and never botocore loaded again."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from smtui.core import apidigest, javaregex
from smtui.core.apimodel import _check

GOOD: dict[str, Any] = {
    "TrainingJobName": "run-1",
    "RoleArn": "arn:aws:iam::123456789012:role/R",
    "AlgorithmSpecification": {"TrainingImage": "img:1", "TrainingInputMode": "File"},
    "OutputDataConfig": {"S3OutputPath": "s3://b/p/"},
    "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
    "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
}
BAD: list[dict[str, Any]] = [
    {**GOOD, "Tags": [{"Key": "team\t", "Value": "a(b)#"}]},
    {**GOOD, "Environment": {"K": "x" * 513}},
    {**GOOD, "HyperParameters": {"a": "line\nbreak"}, "TrainingJobName": "bad name"},
    {**GOOD, "ResourceConfig": {"InstanceType": "ml.nope", "InstanceCount": 0}},
    {**GOOD, "RoleArn": "arn:aws:iam::1:role/a:b", "Surprise": 1},
    {**GOOD, "AlgorithmSpecification": {"TrainingImage": "i" * 256, "TrainingInputMode": "X",
                                        "MetricDefinitions": [{"Name": "m" * 256, "Regex": "r"}]}},
]  # fmt: skip


def verdicts(shape: Any, request: dict[str, Any]) -> list[tuple[object, str]]:
    return [(v.path, v.message) for v in _check(shape, request, ())]


@pytest.mark.parametrize("request_", [GOOD, *BAD])
def test_the_digest_judges_as_botocores_own_shapes(request_: dict[str, Any]) -> None:
    model = botocore.session.get_session().get_service_model("sagemaker")
    real = model.operation_model("CreateTrainingJob").input_shape
    digested = apidigest.input_shape("sagemaker", "CreateTrainingJob")  # made, then cached
    cached = apidigest.input_shape("sagemaker", "CreateTrainingJob")  # read back
    assert verdicts(digested, request_) == verdicts(real, request_)
    assert verdicts(cached, request_) == verdicts(real, request_)
    assert bool(verdicts(real, request_)) is (request_ is not GOOD)


def test_a_cached_digest_spares_the_next_run_botocores_model(tmp_path: Path) -> None:
    apidigest.input_shape("sagemaker", "CreateTrainingJob")
    for name in ("L", "N", "Z"):
        javaregex.category_ranges(name)
    probe = (
        "import sys\n"
        "from smtui.core.apimodel import check_request\n"
        f"print(len(check_request({BAD[0]!r})), 'botocore.session' in sys.modules)\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert found == [str(len(verdicts(apidigest.input_shape("sagemaker", "CreateTrainingJob"),
                                      BAD[0]))), "False"]  # fmt: skip


def test_unicode_classes_read_back_from_the_cache_as_computed() -> None:
    computed = javaregex.category_ranges.__wrapped__("Z")
    cached = javaregex.category_ranges.__wrapped__("Z")
    assert cached == computed and "\\ " in computed
