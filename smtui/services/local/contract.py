"""SageMaker's training contract for one host, on this machine.

What a script sees inside a SageMaker training container: the `/opt/ml` tree (config files,
channels, code, model and output folders) and the environment the sagemaker-training
toolkit sets (`SM_*`), then `python <entry point> <argv>` run from the code folder. Here the
tree lives under the host's folder instead of `/opt/ml`, and every path in the environment
points into it, so a script that takes its paths from `SM_*` (as SageMaker's examples do)
runs unchanged.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from smtui.core.hyperparams import TOOLKIT_KEYS, TOOLKIT_PREFIX, render_argv, toolkit_value

GROUP = "homogeneousCluster"
NETWORK_INTERFACE = "eth0"
CONTAINER_ROOT = "/opt/ml"


def host_names(count: int) -> list[str]:
    return [f"algo-{i}" for i in range(1, count + 1)]


def channel_names(request: dict[str, Any]) -> list[str]:
    return sorted(c["ChannelName"] for c in request.get("InputDataConfig", []))


def resource_config(host: str, hosts: list[str], instance_type: str) -> dict[str, Any]:
    """`resourceconfig.json` as SageMaker writes it."""
    return {
        "current_host": host,
        "current_instance_type": instance_type,
        "current_group_name": GROUP,
        "hosts": hosts,
        "instance_groups": [
            {"instance_group_name": GROUP, "instance_type": instance_type, "hosts": hosts}
        ],
        "network_interface_name": NETWORK_INTERFACE,
    }


def input_data_config(request: dict[str, Any]) -> dict[str, Any]:
    """`inputdataconfig.json`: each channel's mode and distribution."""
    mode = request.get("AlgorithmSpecification", {}).get("TrainingInputMode", "File")
    config: dict[str, Any] = {}
    for channel in request.get("InputDataConfig", []):
        source = channel.get("DataSource", {}).get("S3DataSource", {})
        entry = {
            "TrainingInputMode": channel.get("InputMode", mode),
            "S3DistributionType": source.get("S3DataDistributionType", "FullyReplicated"),
            "RecordWrapperType": channel.get("RecordWrapperType", "None"),
        }
        if "ContentType" in channel:
            entry["ContentType"] = channel["ContentType"]
        config[channel["ChannelName"]] = entry
    return config


def split_hyperparameters(raw: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the script's hyperparameters, the toolkit's `sagemaker_*` ones), values decoded as
    the toolkit decodes them (JSON, else the raw string)."""
    user: dict[str, Any] = {}
    framework: dict[str, Any] = {}
    for key, value in raw.items():
        if key in TOOLKIT_KEYS:
            continue
        target = framework if key.startswith(TOOLKIT_PREFIX) else user
        target[key] = toolkit_value(value)
    return user, framework


def count_gpus() -> int:
    """GPUs on this machine (what the script can really use), as the toolkit counts them."""
    if shutil.which("nvidia-smi") is None:
        return 0
    try:
        listed = subprocess.run(
            ["nvidia-smi", "--list-gpus"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return 0
    return sum(1 for line in listed.splitlines() if line.startswith("GPU "))


def count_neurons() -> int:
    """Neuron cores on this machine, as the toolkit counts them (`neuron-ls -j`). The toolkit
    reports 64 for a trn2.48xlarge without asking; here only cores that exist count."""
    if shutil.which("neuron-ls") is None:
        return 0
    try:
        listed = subprocess.run(
            ["neuron-ls", "-j"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
        return sum(int(device.get("nc_count", 0)) for device in json.loads(listed))
    except (OSError, subprocess.SubprocessError, ValueError, TypeError, AttributeError):
        return 0


def _env_value(value: Any) -> str:
    """The toolkit's encoding: strings as they are, anything else as compact sorted JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


class HostContract:
    """The tree, files, environment and command of one host of a job."""

    def __init__(self, root: Path, host: str, request: dict[str, Any]) -> None:
        self.root = root
        """This host's stand-in for `/opt/ml`."""
        self.host = host
        self.request = request
        resources = request.get("ResourceConfig", {})
        self.hosts = host_names(int(resources.get("InstanceCount", 1)))
        self.instance_type = str(resources.get("InstanceType", "local"))
        self.job_name = str(request["TrainingJobName"])
        hyper = {k: str(v) for k, v in request.get("HyperParameters", {}).items()}
        self.raw_hyperparameters = hyper
        self.hyperparameters, self.framework_params = split_hyperparameters(hyper)

    # --- the tree ------------------------------------------------------------------------

    @property
    def code_dir(self) -> Path:
        return self.root / "code"

    @property
    def model_dir(self) -> Path:
        return self.root / "model"

    @property
    def output_dir(self) -> Path:
        return self.root / "output"

    @property
    def input_dir(self) -> Path:
        return self.root / "input"

    @property
    def config_dir(self) -> Path:
        return self.input_dir / "config"

    def channel_dir(self, channel: str) -> Path:
        return self.input_dir / "data" / channel

    @property
    def checkpoint_dir(self) -> Path:
        return self.root / "checkpoints"

    def build_tree(self) -> None:
        """Make the folders and write the three config files SageMaker writes."""
        for folder in (self.code_dir, self.model_dir, self.output_dir / "data",
                       self.output_dir / "intermediate", self.config_dir,
                       self.checkpoint_dir):  # fmt: skip
            folder.mkdir(parents=True, exist_ok=True)
        for channel in channel_names(self.request):
            self.channel_dir(channel).mkdir(parents=True, exist_ok=True)
        files = {
            "hyperparameters.json": self.raw_hyperparameters,
            "resourceconfig.json": resource_config(self.host, self.hosts, self.instance_type),
            "inputdataconfig.json": input_data_config(self.request),
        }
        for name, content in files.items():
            (self.config_dir / name).write_text(json.dumps(content))

    # --- the process ---------------------------------------------------------------------

    @property
    def entry_point(self) -> str | None:
        program = self.request.get("HyperParameters", {}).get("sagemaker_program")
        return str(toolkit_value(program)) if program else None

    @property
    def argv(self) -> list[str]:
        """What the entry point receives: the toolkit's rendering of the hyperparameters."""
        return render_argv(self.raw_hyperparameters)

    def command(self, python: str) -> list[str]:
        """The command this host runs, as the toolkit (or the request's entrypoint) would."""
        algorithm = self.request.get("AlgorithmSpecification", {})
        if self.entry_point is None:
            # A ContainerEntrypoint: run it as given, its /opt/ml paths moved to this tree.
            argv = [*algorithm["ContainerEntrypoint"], *algorithm.get("ContainerArguments", [])]
            return [arg.replace(CONTAINER_ROOT, str(self.root)) for arg in argv]
        entry = self.entry_point
        # A hyperparameter naming a container path (`--checkpoint-dir /opt/ml/checkpoints`)
        # names the same place in this host's tree.
        argv = [self.in_tree(arg) for arg in self.argv]
        if entry.endswith(".py"):
            return [python, entry, *argv]
        if entry.endswith(".sh"):
            return ["/bin/sh", entry, *argv]
        return [f"./{entry}", *argv]

    def in_tree(self, value: str) -> str:
        """`/opt/ml/x` → `<this host's tree>/x`; anything else as it is."""
        if value == CONTAINER_ROOT or value.startswith(CONTAINER_ROOT + "/"):
            return str(self.root) + value[len(CONTAINER_ROOT) :]
        return value

    def training_env(self, num_gpus: int, num_neurons: int = 0) -> dict[str, Any]:
        """`SM_TRAINING_ENV`: the toolkit's whole view of the job, every key its
        `Environment` has (checked against the toolkit itself in the tests)."""
        entry = self.entry_point or ""
        channels = {c: str(self.channel_dir(c)) for c in channel_names(self.request)}
        distributed = any(
            self.framework_params.get(flag)
            for flag in ("sagemaker_mpi_enabled", "sagemaker_torch_distributed_enabled",
                         "sagemaker_distributed_dataparallel_enabled",
                         "sagemaker_parameter_server_enabled")
        )  # fmt: skip
        return {
            "additional_framework_parameters": self.framework_params,
            "channel_input_dirs": channels,
            "current_host": self.host,
            "current_instance_group": GROUP,
            "current_instance_group_hosts": self.hosts,
            "current_instance_type": self.instance_type,
            "distribution_hosts": self.hosts if distributed else [],
            "distribution_instance_groups": [GROUP] if distributed else [],
            "framework_module": None,
            "hosts": self.hosts,
            "hyperparameters": self.hyperparameters,
            "input_config_dir": str(self.config_dir),
            "input_data_config": input_data_config(self.request),
            "input_dir": str(self.input_dir),
            "instance_groups": [GROUP],
            "instance_groups_dict": {
                GROUP: {
                    "instance_group_name": GROUP,
                    "instance_type": self.instance_type,
                    "hosts": self.hosts,
                }
            },  # fmt: skip
            "is_hetero": False,
            "is_master": self.host == self.hosts[0],
            "job_name": self.job_name,
            "is_modelparallel_enabled": self.modelparallel_enabled,
            "is_smddpmprun_installed": shutil.which("smddpmprun") is not None,
            "is_smddprun_installed": shutil.which("smddprun") is not None,
            "log_level": toolkit_value(
                self.raw_hyperparameters.get("sagemaker_container_log_level", "20")
            ),
            "master_hostname": self.hosts[0],
            "model_dir": str(self.model_dir),
            "module_dir": self.module_dir,
            "module_name": entry[:-3] if entry.endswith(".py") else entry,
            "network_interface_name": NETWORK_INTERFACE,
            "num_cpus": os.cpu_count() or 1,
            "num_gpus": num_gpus,
            "num_neurons": num_neurons,
            "output_data_dir": str(self.output_dir / "data"),
            "output_dir": str(self.output_dir),
            "output_intermediate_dir": str(self.output_dir / "intermediate"),
            "resource_config": resource_config(self.host, self.hosts, self.instance_type),
            "topology": [],  # only a GB200 UltraServer's resourceconfig.json has one
            "user_entry_point": entry,
        }

    @property
    def module_dir(self) -> str:
        """Where the code came from: the bundle's URI (the toolkit's `module_dir`), else
        the code folder."""
        bundle = self.raw_hyperparameters.get("sagemaker_submit_directory")
        return str(toolkit_value(bundle)) if bundle else str(self.code_dir)

    @property
    def modelparallel_enabled(self) -> bool | None:
        """The toolkit's `is_modelparallel_enabled`: whether `mp_parameters` is set and not
        empty (None when it is not set at all, as the toolkit has it)."""
        if "mp_parameters" not in self.hyperparameters:
            return None
        encoded = _env_value(self.hyperparameters["mp_parameters"])
        return bool(encoded) and encoded != "{}"

    def environment(self, num_gpus: int, num_neurons: int = 0) -> dict[str, str]:
        """The variables the platform and the toolkit set: the request's `Environment`
        first, then the toolkit's contract over it (as the toolkit exports its variables
        over the container's), pointed at this host's tree."""
        env = self.training_env(num_gpus, num_neurons)
        toolkit: dict[str, Any] = {
            "hosts": env["hosts"],
            "network_interface_name": NETWORK_INTERFACE,
            "hps": self.hyperparameters,
            "user_entry_point": env["user_entry_point"],
            "framework_params": self.framework_params,
            "resource_config": env["resource_config"],
            "input_data_config": env["input_data_config"],
            "output_data_dir": env["output_data_dir"],
            "channels": sorted(env["channel_input_dirs"]),
            "current_host": self.host,
            "current_instance_type": self.instance_type,
            "current_instance_group": GROUP,
            "current_instance_group_hosts": self.hosts,
            "instance_groups": env["instance_groups"],
            "instance_groups_dict": env["instance_groups_dict"],
            "distribution_instance_groups": env["distribution_instance_groups"],
            "is_hetero": False,
            "module_name": env["module_name"],
            "log_level": env["log_level"],
            "framework_module": None,
            "input_dir": env["input_dir"],
            "input_config_dir": env["input_config_dir"],
            "output_dir": env["output_dir"],
            "num_cpus": env["num_cpus"],
            "num_gpus": num_gpus,
            "num_neurons": num_neurons,
            "model_dir": env["model_dir"],
            "module_dir": env["module_dir"],
            "training_env": env,
            "user_args": self.argv,
            "output_intermediate_dir": env["output_intermediate_dir"],
        }
        for channel, path in env["channel_input_dirs"].items():
            toolkit[f"channel_{channel}"] = path
        for key, value in self.hyperparameters.items():
            toolkit[f"hp_{key}"] = value
        variables = {str(k): str(v) for k, v in self.request.get("Environment", {}).items()}
        variables |= {f"SM_{key.upper()}": _env_value(value) for key, value in toolkit.items()}
        variables |= {
            # The toolkit's own paths (environment.py) all derive from SAGEMAKER_BASE_DIR, so
            # a script that builds `Environment()` reads this host's tree, not /opt/ml.
            "SAGEMAKER_BASE_DIR": str(self.root),
            "CURRENT_HOST": self.host,
            # The toolkit puts the code folder on sys.path before it runs the entry point.
            "PYTHONPATH": str(self.code_dir),
            "TRAINING_JOB_NAME": self.job_name,
            "TRAINING_JOB_ARN": str(self.request.get("TrainingJobArn", "")),
            "SAGEMAKER_JOB_NAME": self.job_name,
            "SAGEMAKER_REGION": str(
                toolkit_value(self.raw_hyperparameters.get("sagemaker_region", '""'))
            ),
            "SAGEMAKER_PROGRAM": env["user_entry_point"],
            "SAGEMAKER_SUBMIT_DIRECTORY": self.module_dir,
            "PYTHONUNBUFFERED": "1",
        }
        return variables
