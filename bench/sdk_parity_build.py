"""The SDK side of `bench/sdk_parity.py`: run in the bench's own venv, with SDK v2 installed.

Reads a JSON list of jobs on stdin, each `{"name", "class", "kwargs", "inputs",
"job_name"}`, builds each with SDK v2's `Estimator` or framework class on a `Session` whose
boto session and SageMaker client are mocks, calls `fit(wait=False)`, and prints on stdout
a JSON object: job name -> the keyword arguments the SDK passed to `create_training_job`.

Nothing reaches the network: the mocks answer every AWS call (the code bundle's upload
included), the SDK's telemetry is opted out, and `socket.connect` raises, so a call that
slipped past the mocks fails loudly instead of hanging on a dead network.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
from typing import Any
from unittest.mock import MagicMock


def _no_network(*_args: Any, **_kwargs: Any) -> None:
    raise OSError("sdk_parity: the SDK tried to reach the network")


def _session(region: str, bucket: str) -> Any:
    from sagemaker.session import Session

    boto = MagicMock(name="boto_session")
    boto.region_name = region
    return Session(
        boto_session=boto,
        sagemaker_client=MagicMock(name="sagemaker_client"),
        default_bucket=bucket,
        # No config file from the user's home may change the SDK's defaults, and no telemetry.
        sagemaker_config={
            "SchemaVersion": "1.0",
            "SageMaker": {"PythonSDK": {"Modules": {"TelemetryOptOut": True}}},
        },
    )


def _inputs(spec: dict[str, Any]) -> dict[str, Any]:
    from sagemaker.inputs import TrainingInput

    out: dict[str, Any] = {}
    for name, where in spec.items():
        out[name] = TrainingInput(**where) if isinstance(where, dict) else where
    return out


def build(job: dict[str, Any]) -> dict[str, Any]:
    """The request SDK v2 sends for `job`."""
    from sagemaker.estimator import Estimator
    from sagemaker.pytorch import PyTorch

    classes = {"Estimator": Estimator, "PyTorch": PyTorch}
    session = _session(job["region"], job["bucket"])
    estimator = classes[job["class"]](sagemaker_session=session, **job["kwargs"])
    estimator.fit(_inputs(job["inputs"]), wait=False, logs=False, job_name=job["job_name"])
    client = session.sagemaker_client
    assert client.create_training_job.call_count == 1
    request: dict[str, Any] = client.create_training_job.call_args.kwargs
    return request


def main() -> None:
    socket.socket.connect = _no_network  # type: ignore[method-assign]
    os.environ["SAGEMAKER_SUPPRESS_V2_WARNING"] = "1"
    logging.disable(logging.WARNING)
    import warnings

    warnings.simplefilter("ignore")
    jobs = json.load(sys.stdin)
    import sagemaker

    out = {"sdk_version": sagemaker.__version__, "requests": {}}
    for job in jobs:
        out["requests"][job["name"]] = build(job)
    json.dump(out, sys.stdout, default=str)


if __name__ == "__main__":
    main()
