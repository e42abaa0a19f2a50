"""Before a local job's script runs, what SageMaker does in its Downloading stage: each
channel staged from the local bucket, the code bundle unpacked, `requirements.txt` installed
(only when asked). A step that can't be done fails the job with a SageMaker-shaped reason."""

from __future__ import annotations

import shlex
import subprocess
from typing import Any

from smtui.core.hyperparams import toolkit_value
from smtui.core.s3uri import S3Uri
from smtui.services.archives import extract_safely
from smtui.services.errors import NotFound, ServiceFailed
from smtui.services.local.checkpoints import copy_down
from smtui.services.local.contract import HostContract
from smtui.services.local.host import Host
from smtui.services.local.storage import LocalStorage

INSTALL_FLAG = "SMTUI_INSTALL_REQUIREMENTS"
"""An Environment variable of the job: install code/requirements.txt before running."""


class JobFailed(Exception):
    """The job cannot go on; the message is its FailureReason."""


def stage_channels(storage: LocalStorage, request: dict[str, Any], contract: HostContract) -> None:
    """Copy each channel's objects from the local bucket into the host's input/data/."""
    hosts = contract.hosts
    for channel in request.get("InputDataConfig", []):
        source = channel.get("DataSource", {}).get("S3DataSource", {})
        uri = source.get("S3Uri", "")
        if source.get("S3DataType", "S3Prefix") != "S3Prefix":
            raise JobFailed(
                f"ClientError: channel '{channel['ChannelName']}': the local backend "
                f"stages S3Prefix data only, not {source.get('S3DataType')}"
            )
        where = S3Uri.parse(uri)
        try:
            objects = storage.walk(where)
        except NotFound:
            objects = []
        if not objects:
            raise JobFailed(
                f'ClientError: No S3 objects found under S3 URL "{uri}" given in input '
                f"data source (channel '{channel['ChannelName']}'). Please ensure that "
                "objects exist under that S3 prefix (local bucket "
                f"{storage.root / where.bucket})"
            )
        if source.get("S3DataDistributionType") == "ShardedByS3Key":
            objects = objects[hosts.index(contract.host) :: len(hosts)]
        copy_down(objects, where.key, contract.channel_dir(channel["ChannelName"]))


def unpack_code(storage: LocalStorage, request: dict[str, Any], contract: HostContract) -> None:
    """Unpack the code bundle (`sagemaker_submit_directory`) into the host's code/."""
    bundle = request.get("HyperParameters", {}).get("sagemaker_submit_directory")
    if not bundle:
        return  # a ContainerEntrypoint job brings its code in a channel
    uri = str(toolkit_value(bundle))
    path = storage.path_of(uri)
    if not path.is_file():
        raise JobFailed(f"ClientError: the code bundle {uri} does not exist ({path})")
    try:
        # Anyone who can write the bucket can replace the bundle: unpack it within the same
        # budget as model artifacts (sizes, members, ratio, no sparse members or links out).
        extract_safely(path, contract.code_dir)
    except (ServiceFailed, OSError) as exc:
        raise JobFailed(f"ClientError: cannot unpack the code bundle {uri}: {exc}") from exc


def install_requirements(host: Host, python: str, request: dict[str, Any]) -> None:
    """SageMaker's toolkit pip-installs code/requirements.txt; here that changes the
    user's own environment, so only when the job's Environment asks for it."""
    wanted = request.get("Environment", {}).get(INSTALL_FLAG, "").lower()
    if wanted not in ("1", "true", "yes"):
        host.write(
            "smtui local: code/requirements.txt is not installed (it would change "
            f"{python}'s environment); set environment: {{{INSTALL_FLAG}: 'true'}} "
            "in the config to install it"
        )
        return
    command = [python, "-m", "pip", "install", "-r", "requirements.txt"]
    host.write("smtui local: " + shlex.join(command))
    done = subprocess.run(
        command, cwd=host.contract.code_dir, capture_output=True, text=True, check=False
    )
    for line in (done.stdout + done.stderr).splitlines():
        host.write(line)
    if done.returncode != 0:
        raise JobFailed(
            f"AlgorithmError: pip install -r requirements.txt failed (exit code "
            f"{done.returncode}): {done.stderr.strip()[-500:]}"
        )
