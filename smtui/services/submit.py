"""Submit and resubmit on any backend: code bundle, data placeholder, stored config, job."""

from __future__ import annotations

import asyncio
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smtui.core.clone import base_name, check_local_hosts, clone_request
from smtui.core.costs import cost_bound, max_cost_problem, over_limit, request_bound
from smtui.core.errors import ConfigError, Problem, UsageError
from smtui.core.images import resolve_image_uri
from smtui.core.jobs import pool_reuse
from smtui.core.request import job_name_base, make_job_name
from smtui.core.requestcheck import checked_request
from smtui.core.s3uri import S3Uri
from smtui.core.spec import JobSpec
from smtui.core.stored import resubmitted_config, stored_config, stored_max_cost
from smtui.services.backend import Backend
from smtui.services.errors import ServiceError
from smtui.services.pricing import load_prices
from smtui.services.sync import PLACEHOLDER

SKIPPED = {".git", "__pycache__", ".ipynb_checkpoints", ".mypy_cache", ".pytest_cache", ".venv"}


@dataclass(frozen=True)
class Submitted:
    job_name: str
    arn: str
    request: dict[str, Any]
    notes: list[str]
    """What was done on the way (bucket created, placeholder written)."""


def pack_source(source: Path, bundle: Path) -> None:
    """Write `source` as sourcedir.tar.gz to `bundle`, files at the archive's root (caches
    and .git left out). Streamed to disk: a source dir of hundreds of MB never sits in memory."""
    with tarfile.open(bundle, mode="w:gz") as tar:
        for path in sorted(source.rglob("*")):
            rel = path.relative_to(source)
            if any(part in SKIPPED for part in rel.parts) or path.suffix == ".pyc":
                continue
            if path.is_file():
                try:
                    tar.add(path, arcname=rel.as_posix(), recursive=False)
                except OSError as exc:
                    raise UsageError(
                        f"source-dir: cannot read {path}: {exc.strerror or exc}"
                    ) from None


async def submit_spec(backend: Backend, spec: JobSpec, job_name: str | None = None) -> Submitted:
    """Everything a submit does, in order; nothing is created before the request is valid."""
    job_name = job_name or make_job_name(job_name_base(spec))
    image = await asyncio.to_thread(resolve_image_uri, spec)  # may import the SDK: off the loop
    # Checked against the API's model with the real image and name, before any upload.
    request = checked_request(spec, job_name, image)
    notes = [said] if (said := await cost_check(backend, spec)) else []
    await backend.jobs.check_request(request)  # what the backend can't run, before uploads
    assert spec.bucket is not None  # validated when the spec was resolved
    if await backend.storage.ensure_bucket(spec.bucket, spec.region):
        notes.append(f"created bucket s3://{spec.bucket}/")
    if spec.ensure_data:
        existing = await backend.storage.list_prefix(spec.data_uri, limit=1)
        if not existing.objects and not existing.folders:
            await backend.storage.put_bytes(
                spec.data_uri + PLACEHOLDER, b"placeholder: SageMaker needs a non-empty channel\n"
            )
            notes.append(f"{spec.data_uri} was empty: wrote {PLACEHOLDER}")
    with tempfile.TemporaryDirectory(prefix="smtui-bundle-") as folder:
        bundle = Path(folder) / "sourcedir.tar.gz"
        await asyncio.to_thread(pack_source, spec.config_dir / spec.source_dir, bundle)
        await backend.storage.upload_files([(bundle, spec.code_uri(job_name))])
    config = stored_config(spec, job_name, image, request)
    await backend.storage.put_bytes(spec.config_uri(job_name), config.encode())
    arn = await backend.jobs.create_job(request)
    return Submitted(job_name, arn, request, notes)


async def cost_check(backend: Backend, spec: JobSpec) -> str | None:
    """What the job may cost at the region's prices, as a line (None: no price for it);
    `ConfigError` on the `max-cost` key when it may cost more, before anything is sent."""
    book = await load_prices(backend)
    if (over := max_cost_problem(spec, book)) is not None:
        raise ConfigError(over)
    bound = cost_bound(spec, book)
    return None if bound is None else f"cost: {bound.said(spec.use_spot)}"


async def _stored_text(backend: Backend, uri: str | None) -> str:
    """A job's stored config ("" for a job submitted without smtui, which has none)."""
    if uri is None:
        return ""
    try:
        return (await backend.storage.read_bytes(uri)).decode(errors="replace")
    except ServiceError:
        return ""


async def _resubmit_cost(backend: Backend, request: dict[str, Any], stored: str, where: str) -> str:
    """What the resubmit may cost, as a note; `UsageError` when the old job's stored
    config sets a `max-cost` it may exceed (its clone is bound by it too)."""
    book = await load_prices(backend)
    bound = request_bound(request, book)
    resources = request.get("ResourceConfig", {})
    limit = stored_max_cost(stored, where)
    if limit is not None:
        why = over_limit(limit, bound, str(resources.get("InstanceType", "")), book)
        if why is not None:
            raise UsageError(Problem(why, f"submit.max-cost (in {where})"))
    if bound is None:
        return f"cost: no price for {resources.get('InstanceType', 'its instances')}"
    return f"cost: {bound.said(bool(request.get('EnableManagedSpotTraining')))}"


def configs_uri(description: dict[str, Any], job_name: str) -> str | None:
    """Where a job's stored config lives, from its output path `s3://B/P/outputs/`."""
    output = description.get("OutputDataConfig", {}).get("S3OutputPath", "")
    if not output.startswith("s3://"):
        return None
    where = S3Uri.parse(output).folder
    root = where.key[: -len("outputs/")] if where.key.endswith("outputs/") else where.key
    return f"s3://{where.bucket}/{root}configs/{job_name}.yml"


async def resubmit(
    backend: Backend,
    old_job: str,
    params: dict[str, str] | None = None,
    instance_type: str | None = None,
    instance_count: int | None = None,
    dry_run: bool = False,
    removed: list[str] | None = None,
    *,
    spot: bool | None = None,
    max_run: int | None = None,
    job_name: str | None = None,
) -> Submitted:
    """Clone `old_job` with changes under a new name (from `job_name`, else the old job's
    base); with `dry_run`, only build the request."""
    job = await backend.jobs.describe_job(old_job)
    new_name = make_job_name(job_name or base_name(old_job))
    new_config = configs_uri(job.raw, new_name)
    request = clone_request(
        job.raw,
        new_name,
        params,
        instance_type,
        instance_count,
        new_config,
        removed or (),
        spot=spot,
        max_run=max_run,
    )
    if backend.name == "local":
        check_local_hosts(request["ResourceConfig"]["InstanceCount"], "--instance-count")
    old_config = configs_uri(job.raw, old_job)
    text = await _stored_text(backend, old_config)
    reuse = pool_reuse(job, request)
    notes = [reuse] if reuse else []
    notes.append(await _resubmit_cost(backend, request, text, old_config or old_job))
    if dry_run:
        return Submitted(new_name, "", request, notes)
    await backend.jobs.check_request(request)
    if old_config and new_config:
        resources = request.get("ResourceConfig", {})
        config = resubmitted_config(
            text, old_job, new_name, params or {}, list(removed or ()),
            resources.get("InstanceType") if instance_type is not None else None,
            resources.get("InstanceCount") if instance_count is not None else None,
        )  # fmt: skip
        await backend.storage.put_bytes(new_config, config.encode())
        notes.append(f"stored config {new_config}")
    arn = await backend.jobs.create_job(request)
    return Submitted(new_name, arn, request, notes)
