"""The `smtui` command: dry-run output, exit codes, errors without tracebacks, init, instances."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from smtui.cli import main
from tests.conftest import JOBBER_CONFIG, WriteConfig


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `python -m smtui` in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "smtui", *args], capture_output=True, text=True, cwd=cwd, timeout=60
    )


def test_help_lists_every_command() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in (
        "tui", "demo", "submit", "jobs", "describe", "logs", "stop", "resubmit",
        "sync-data", "ls", "download", "instances", "init",
    ):  # fmt: skip
        assert f"  {command}" in result.stdout


def test_dry_run_prints_only_the_request_on_stdout(project: Path) -> None:
    result = run("submit", "--dry-run", "--config", str(project))
    assert result.returncode == 0, result.stderr
    request = json.loads(result.stdout)
    assert request["ResourceConfig"]["InstanceType"] == "ml.g5.xlarge"
    assert "resolved config" in result.stderr
    assert "entry point argv: train.py --batch_size 64 --epochs 5" in result.stderr


def test_flags_override_the_config(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "submit", "--dry-run", "--config", str(project),
            "--param", "epochs=9", "--param", "new-key=x",
            "--instance-type", "ml.p4d.24xlarge", "--instance-count", "2",
            "--spot", "--max-run", "3600", "--max-wait", "7200", "--job-name", "exp-7",
        ]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    request = json.loads(out)
    assert request["TrainingJobName"].startswith("exp-7-")
    assert request["ResourceConfig"]["InstanceType"] == "ml.p4d.24xlarge"
    assert request["ResourceConfig"]["InstanceCount"] == 2
    assert request["StoppingCondition"] == {
        "MaxRuntimeInSeconds": 3600,
        "MaxWaitTimeInSeconds": 7200,
    }
    assert request["HyperParameters"]["epochs"] == json.dumps("9")
    assert request["HyperParameters"]["new_key"] == json.dumps("x")
    assert "--instance-type" in err and "--param" in err


def test_global_options_work_after_the_command(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--region", "eu-west-1", "submit", "--dry-run", "--config", str(project)]) == 0
    assert json.loads(capsys.readouterr().out)["HyperParameters"]["sagemaker_region"] == json.dumps(
        "eu-west-1"
    )
    assert main(["submit", "--dry-run", "--config", str(project), "--region", "eu-central-1"]) == 0
    assert json.loads(capsys.readouterr().out)["HyperParameters"]["sagemaker_region"] == json.dumps(
        "eu-central-1"
    )


def test_region_falls_back_to_the_aws_config_file(
    write_config: WriteConfig, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "home" / "aws-config").write_text("[default]\nregion = ap-northeast-1\n")
    path = write_config(
        JOBBER_CONFIG.replace("  region: us-east-1\n  entry-point", "  entry-point")
    )
    assert main(["submit", "--dry-run", "--config", str(path)]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["HyperParameters"]["sagemaker_region"] == json.dumps("ap-northeast-1")
    assert "aws-config [default]" in err  # the region's origin: the profile in the AWS config


BAD_CASES = [
    (("submit:\n", "submit:\n  x: [\n"), [], "YAML syntax error"),
    (("instance-type:", "instance-tpye:"), [], "did you mean 'instance-type'"),
    (("instance-count: 1", "instance-count: one"), [], "must be a whole number"),
    (("ml.g5.xlarge", "ml.g9.xlarge"), [], "not a known SageMaker training instance type"),
    (("", ""), ["--instance-count", "0"], "--instance-count: must be at least 1"),
    (("", ""), ["--instance-type", "g5.xlarge"], "did you mean ml.g5.xlarge"),
    (("", ""), ["--param", "oops"], "malformed --param 'oops'"),
    (("", ""), ["--param", "batch_size=1"] * 2, "both normalise to 'batch_size'"),
    (("", ""), ["--param", "a-b=1", "--param", "a_b=2"], "both normalise to 'a_b'"),
    (("", ""), ["--param", "k=" + "v" * 2501], "the limit is 2500"),
    (("", ""), ["--job-name", "bad_name"], "not a valid job name base"),
    (("", ""), ["--spot", "--max-wait", "60"], "must be at least max-run-seconds"),
    (
        ("  role-arn: arn:aws:iam::123456789012:role/SageMakerExecutionRole\n", ""),
        [],
        "role-arn: missing",
    ),
    (("entry-point: train.py", "entry-point: nope.py"), [], "nope.py' does not exist"),
    (("provider: aws", "provider: gcp"), [], "not supported"),
    (("", ""), ["--instance-count", "x"], "invalid int value"),
]


@pytest.mark.parametrize(("edit", "flags", "expected"), BAD_CASES)
def test_bad_input_exits_2_with_a_plain_message(
    write_config: WriteConfig, edit: tuple[str, str], flags: list[str], expected: str
) -> None:
    path = write_config(JOBBER_CONFIG.replace(*edit, 1) if edit[0] else JOBBER_CONFIG)
    result = run("submit", "--dry-run", "--config", str(path), *flags)
    assert result.returncode == 2
    assert expected in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_a_missing_config_file(tmp_path: Path) -> None:
    result = run("submit", "--dry-run", cwd=tmp_path)
    assert result.returncode == 2
    assert "jobber.yml: config file not found" in result.stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = run("submit", "--dry-run", "--debug", cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" in result.stderr


def test_init_writes_a_config_that_works(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init"]) == 0
    assert (tmp_path / "jobber.yml").read_text().startswith("# jobber.yml")
    assert main(["init"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (tmp_path / "code" / "train.py").is_file()  # init wrote the entry point it names
    assert main(["submit", "--dry-run"]) == 0
    request = json.loads(capsys.readouterr().out)
    assert request["HyperParameters"]["learning_rate"] == "0.001"  # a YAML number


def test_the_example_config_in_the_repo_loads(capsys: pytest.CaptureFixture[str]) -> None:
    example = Path(__file__).parents[2] / "jobber.yml.example"
    target = Path("jobber.yml")
    target.write_text(example.read_text())
    Path("code-bundle").mkdir()
    (Path("code-bundle") / "train.py").write_text("")
    assert main(["submit", "--dry-run"]) == 0, capsys.readouterr().err


def test_instances(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["instances", "--gpu", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(r["accelerator_count"] > 0 for r in rows)
    assert main(["instances", "--family", "p5"]) == 0
    out = capsys.readouterr().out
    assert "ml.p5.48xlarge" in out and "8x NVIDIA H100" in out
    assert main(["instances", "--family", "nope"]) == 2


def test_jobs_on_an_empty_local_home(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["jobs", "--backend", "local"]) == 0
    assert "no training jobs found" in capsys.readouterr().err


@pytest.mark.parametrize(
    "command",
    [
        ["jobs"],
        ["describe", "x"],
        ["logs", "x"],
        ["stop", "x", "--yes"],
        ["ls", "s3://b/p/"],
        ["instances"],
        ["submit", "--dry-run"],
        ["resubmit", "x", "--dry-run"],
        ["sync-data", "--dry-run"],
        ["download", "x"],
    ],
)
def test_an_unknown_backend_in_the_environment_stops_every_command(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    monkeypatch.setenv("SMTUI_BACKEND", "gcp")
    assert main(command) == 2
    assert "SMTUI_BACKEND: 'gcp' is not a backend" in capsys.readouterr().err


def test_a_fifo_as_config_is_refused_at_once(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "pipe.yml"
    os.mkfifo(fifo)
    result = run("submit", "--dry-run", "--config", str(fifo))  # times out if it blocks
    assert result.returncode == 2 and "not a regular file" in result.stderr
