"""The oracle for the local contract: the sagemaker-training toolkit itself, run inside a
local job on 1 and 2 hosts, must read the host's tree as it reads `/opt/ml` on SageMaker,
and the environment a job starts with is built, not the submitter's own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from smtui.cli import main
from smtui.services.home import smtui_home
from smtui.services.local.contract import HostContract
from smtui.services.local.hostenv import host_environment
from tests.services.localjob import model_members, only_job, write_project

toolkit = pytest.importorskip("sagemaker_training.environment")

ORACLE = """\
import json, os, sys
from sagemaker_training import environment
env = environment.Environment()
seen = {
    "props": dict(env),
    "vars": env.to_env_vars(),
    "cmd_args": env.to_cmd_args(),
    "argv": sys.argv[1:],
    "environ": dict(os.environ),
}
with open(os.path.join(env.model_dir, env.current_host + ".json"), "w") as out:
    json.dump(seen, out, default=str)
"""


def decoded(value: str) -> Any:
    """A hyperparameter as the toolkit decodes it: JSON, else the string itself."""
    try:
        return json.loads(value)
    except ValueError:
        return value


def exported_alike(toolkit: dict[str, str], environ: dict[str, str]) -> None:
    """Every variable the toolkit would export, smtui exported with the same value."""
    for name, value in toolkit.items():
        if name == "SM_TRAINING_ENV":
            assert json.loads(environ[name]) == json.loads(value)
        else:
            assert environ.get(name) == value, name


@pytest.mark.parametrize("count", [1, 2])
def test_the_toolkit_reads_every_host_as_sagemaker_gives_it(project: Path, count: int) -> None:
    write_project(project, ORACLE, count=count)
    assert main(["submit", "--config", str(project), "--wait"]) == 0
    job = only_job()
    request = json.loads((smtui_home() / "jobs" / job / "request.json").read_text())
    hosts = [f"algo-{i}" for i in range(1, count + 1)]
    members = model_members(job)
    assert sorted(members) == [f"{h}.json" for h in hosts]
    hyperparameters = request["HyperParameters"].items()
    user_hps = {k: decoded(v) for k, v in hyperparameters if not k.startswith("sagemaker_")}
    for host in hosts:
        seen = json.loads(members[f"{host}.json"])
        props, environ = seen["props"], seen["environ"]
        root = smtui_home() / "jobs" / job / host
        assert props["hosts"] == hosts and props["current_host"] == host
        assert props["master_hostname"] == "algo-1" and props["is_master"] == (host == "algo-1")
        assert props["hyperparameters"] == user_hps
        assert props["channel_input_dirs"] == {"train": str(root / "input/data/train")}
        assert props["model_dir"] == str(root / "model")
        assert props["output_data_dir"] == str(root / "output/data")
        assert props["input_config_dir"] == str(root / "input/config")
        assert props["num_gpus"] == toolkit.num_gpus()
        assert props["num_cpus"] == os.cpu_count()
        assert props["num_neurons"] == 0
        assert props["current_instance_type"] == request["ResourceConfig"]["InstanceType"]
        assert props["job_name"] == job
        assert props["user_entry_point"] == "train.py"
        assert props["input_data_config"]["train"]["S3DistributionType"] == "FullyReplicated"
        # The toolkit's own argv for the entry point is the one smtui passed.
        assert seen["cmd_args"] == seen["argv"]
        exported_alike(seen["vars"], environ)
        assert json.loads(environ["SM_TRAINING_ENV"]).keys() == props.keys()
        assert environ["SAGEMAKER_BASE_DIR"] == str(root)
        assert environ["CURRENT_HOST"] == host
        assert environ["PYTHONPATH"].split(os.pathsep)[0] == str(root / "code")


def test_the_toolkit_reads_each_rank_of_an_mpi_job_as_its_host(project: Path, mpirun: str) -> None:
    """Under mpirun (one rank per host), each rank's `Environment()` is its own host's:
    mpi enabled, the hosts, its current host, and every variable the toolkit would export."""
    write_project(project, ORACLE, count=2)
    project.write_text(project.read_text() + "  distribution: mpi\n")
    assert main(["submit", "--config", str(project), "--wait"]) == 0
    job = only_job()
    members = model_members(job)
    assert sorted(members) == ["algo-1.json", "algo-2.json"]
    for host in ("algo-1", "algo-2"):
        seen = json.loads(members[f"{host}.json"])
        props, environ = seen["props"], seen["environ"]
        assert props["additional_framework_parameters"]["sagemaker_mpi_enabled"] is True
        assert props["additional_framework_parameters"][
            "sagemaker_mpi_num_of_processes_per_host"
        ] == 1  # fmt: skip
        assert props["hosts"] == props["distribution_hosts"] == ["algo-1", "algo-2"]
        assert props["current_host"] == host and props["is_master"] == (host == "algo-1")
        assert props["model_dir"] == str(smtui_home() / "jobs" / job / host / "model")
        assert seen["cmd_args"] == seen["argv"]
        exported_alike(seen["vars"], environ)
        assert environ["OMPI_COMM_WORLD_SIZE"] == "2"


SHOW_ENV = """\
import json, os
path = os.path.join(os.environ["SM_MODEL_DIR"], "environ.json")
json.dump(dict(os.environ), open(path, "w"))
"""


def test_the_environment_is_built_and_credentials_stay_out(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "secret-key",
        "AWS_SESSION_TOKEN": "session-token",
        "AWS_PROFILE": "prod",
        "GITHUB_TOKEN": "ghp_x",
        "SMTUI_TEST_ALLOWED": "yes",
        "LC_ALL": "C.UTF-8",
        "LANG": "C.UTF-8",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SMTUI_LOCAL_PASS_ENV", "SMTUI_TEST_ALLOWED, AWS_PROFILE")
    write_project(project, SHOW_ENV)
    project.write_text(project.read_text() + "  environment:\n    FROM_CONFIG: 'set'\n")
    assert main(["submit", "--config", str(project), "--wait"]) == 0
    environ = json.loads(model_members(only_job())["environ.json"])
    for secret in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        assert secret not in environ
    assert "GITHUB_TOKEN" not in environ
    assert environ["AWS_PROFILE"] == "prod" and environ["SMTUI_TEST_ALLOWED"] == "yes"
    assert environ["FROM_CONFIG"] == "set"
    assert environ["HOME"] == os.environ["HOME"]
    assert environ["LANG"] == "C.UTF-8" and environ["LC_ALL"] == "C.UTF-8"
    assert environ["TZ"] == "UTC"
    assert set(environ["PATH"].split(os.pathsep)) >= set(os.environ["PATH"].split(os.pathsep))
    assert "SMTUI_LOCAL_PASS_ENV" not in environ and "SMTUI_HOME" not in environ


COMMAND_PROBE = """\
import json, os, sys
json.dump({"python": sys.executable, "wrapped": os.environ.get("VIA_WRAPPER")},
          open(os.path.join(os.environ["SM_MODEL_DIR"], "python.json"), "w"))
"""


def test_launch_command_runs_the_python_smtui_local_python_names(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrapper = tmp_path / "my-python"
    wrapper.write_text(f'#!/bin/sh\nVIA_WRAPPER=1 exec {sys.executable} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("SMTUI_LOCAL_PYTHON", str(wrapper))
    write_project(project, COMMAND_PROBE)
    project.write_text(project.read_text() + "  launch: command\n")
    assert main(["submit", "--config", str(project), "--wait"]) == 0
    seen = json.loads(model_members(only_job())["python.json"])
    assert seen["wrapped"] == "1"


@pytest.mark.parametrize("encoded", [True, False])
@pytest.mark.parametrize(
    "distribution", [None, "sagemaker_torch_distributed_enabled", "sagemaker_mpi_enabled"]
)
def test_the_contract_agrees_with_the_toolkit_for_encoded_and_raw_values(
    tmp_path: Path, encoded: bool, distribution: str | None
) -> None:
    """SDK v2 json-encodes every hyperparameter value; older configs send them raw. The
    toolkit decodes both the same way, and so must the contract, with the distribution
    variables of a distributed job too."""
    raw = {"sagemaker_program": "train.py", "sagemaker_region": "us-east-1",
           "sagemaker_submit_directory": "s3://b/code/sourcedir.tar.gz",
           "epochs": "5", "lr": "0.1", "name": "resnet", "layers": "[1, 2]"}  # fmt: skip
    if distribution is not None:
        raw[distribution] = "true"
    hps = {k: json.dumps(v) for k, v in raw.items()} if encoded else raw
    request = {
        "TrainingJobName": "probe",
        "ResourceConfig": {"InstanceCount": 2, "InstanceType": "ml.m5.xlarge"},
        "HyperParameters": hps,
        "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {}}}],
    }
    contract = HostContract(tmp_path / "algo-2", "algo-2", request)
    contract.build_tree()
    probe = (
        "import json; from sagemaker_training import environment as e; x = e.Environment(); "
        "print(json.dumps({'vars': x.to_env_vars(), 'args': x.to_cmd_args()}))"
    )
    env = host_environment(os.environ, contract.environment(0), tmp_path / "bin")
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen["args"] == contract.argv
    for name, value in seen["vars"].items():
        if name == "SM_TRAINING_ENV":
            assert json.loads(env[name]) == json.loads(value)
        else:
            assert env[name] == value, name
    # Encoded, each value is the string it was; raw, each is decoded as JSON where it parses.
    expected = {"epochs": 5, "lr": 0.1, "name": "resnet", "layers": [1, 2]}
    if encoded:
        expected = {k: raw[k] for k in expected}
    assert json.loads(env["SM_HPS"]) == expected
