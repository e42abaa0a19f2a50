"""botocore's data files trimmed to one operation, for the prefetch child (`prefetch.py`).

Building a SageMaker client parses botocore's whole SageMaker model (3,000 shapes, 400 KB
gzipped) and `endpoints.json` (1.2 MB: every service in every partition). That is about
200 ms of JSON, on every start, for a child that makes one call. So the first child keeps,
from what botocore loaded, exactly what that call reads: the operation with the shapes it
reaches, the service's entries in `endpoints.json` (all partitions, their defaults and
regions), and the rule set, partitions, retry and default-configuration files unchanged.
Later children load botocore's data from that folder alone, in about 30 ms.

Every byte comes from botocore's own files, and the folder is named by botocore's version:
a new botocore is trimmed again. When botocore is told to read other data (`AWS_DATA_PATH`,
`data_path` in the config, models under `~/.aws/models`), nothing is trimmed or read from
the trim, since it could no longer say what botocore would load.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from smtui.core.apidigest import botocore_version, cache_folder

FORMAT = 1
"""Bumped when what is kept changes, so an old folder is never read."""

PLAIN_FILES = ("partitions", "_retry", "sdk-default-configuration")
"""Top-level data files every client reads, kept whole."""


def folder(service: str, operation: str) -> Path:
    """Where the trim of `operation` (botocore's snake_case name) of `service` lives."""
    release = f"{botocore_version()}-v{FORMAT}"
    return cache_folder().parent / "botocore" / release / f"{service}-{operation}"


def loader(session: Any, service: str, operation: str) -> Any | None:
    """A botocore `Loader` over the trimmed files, or None when there is no trim to use."""
    from botocore.loaders import Loader

    path = folder(service, operation)
    if not _botocore_data_is_its_own(session) or not path.is_dir():
        return None
    return Loader(extra_search_paths=[str(path)], include_default_search_paths=False)


def discard(service: str, operation: str) -> None:
    """Forget a trim botocore could not use (it is made again from the full files)."""
    shutil.rmtree(folder(service, operation), ignore_errors=True)


def keep(session: Any, service: str, operation: str) -> None:
    """Trim what `session`'s loader holds for `operation` into the cache, once a client of
    `service` has been made (the loader caches what it read, so nothing is parsed again).
    Written whole or not at all, and a cache that cannot be written is only slower."""
    if not _botocore_data_is_its_own(session):
        return
    data = session.get_component("data_loader")
    model = data.load_service_model(service, "service-2")
    files: dict[str, Any] = {
        f"{service}/{model['metadata']['apiVersion']}/{kind}.json": content
        for kind, content in (
            ("service-2", trim_model(model, operation)),
            ("endpoint-rule-set-1", data.load_service_model(service, "endpoint-rule-set-1")),
        )
    }
    files["endpoints.json"] = trim_endpoints(data.load_data("endpoints"), model["metadata"])
    for name in PLAIN_FILES:
        files[f"{name}.json"] = data.load_data(name)
    path = folder(service, operation)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=path.parent, suffix=".tmp"))
        for name, content in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_text(json.dumps(content))
        try:
            os.rename(staging, path)
        except OSError:  # another child kept the same trim first
            shutil.rmtree(staging, ignore_errors=True)


def trim_model(model: dict[str, Any], operation: str) -> dict[str, Any]:
    """`model` (a raw `service-2` document) with only `operation` and the shapes it reaches."""
    from botocore import xform_name

    (name,) = (name for name in model["operations"] if xform_name(name) == operation)
    shapes: dict[str, Any] = {}

    def reach(shape: str) -> None:
        if shape in shapes:
            return
        shapes[shape] = body = model["shapes"][shape]  # before its parts: shapes recurse
        refs = [*body.get("members", {}).values()]
        refs += [body[part] for part in ("member", "key", "value") if part in body]
        for ref in refs:
            reach(ref["shape"])

    spec = model["operations"][name]
    for ref in [spec.get("input"), spec.get("output"), *spec.get("errors", [])]:
        if ref:
            reach(ref["shape"])
    kept = {key: value for key, value in model.items() if key not in ("operations", "shapes")}
    return kept | {"operations": {name: spec}, "shapes": shapes}


def trim_endpoints(endpoints: dict[str, Any], metadata: dict[str, Any]) -> dict[str, Any]:
    """`endpoints.json` with each partition's services cut to the ones `metadata` names."""
    own = {metadata.get("endpointPrefix"), metadata.get("signingName")}
    partitions = [
        partition | {"services": {k: v for k, v in partition["services"].items() if k in own}}
        for partition in endpoints["partitions"]
    ]
    return endpoints | {"partitions": partitions}


def _botocore_data_is_its_own(session: Any) -> bool:
    from botocore.loaders import Loader

    customer = Path(os.path.expanduser(Loader.CUSTOMER_DATA_PATH))
    return not session.get_config_variable("data_path") and not customer.exists()
