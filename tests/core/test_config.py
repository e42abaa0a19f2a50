"""Loading and resolving jobber.yml: compatibility, precedence, origins, and errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from smtui.core.config import resolve_config, resolve_with_problems
from smtui.core.errors import ConfigError
from smtui.core.origin import Origin, Source
from smtui.core.overrides import Overrides
from tests.conftest import JOBBER_CONFIG, WriteConfig


def problems_of(
    path: Path, overrides: Overrides | None = None, env: dict[str, str] | None = None
) -> list[str]:
    _, problems = resolve_with_problems(path, overrides, env or {})
    return [str(p) for p in problems]


def test_a_jobber_config_loads_unchanged(project: Path) -> None:
    spec = resolve_config(project, environ={})
    assert spec.image_uri == "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-training:latest"
    assert (spec.bucket, spec.prefix, spec.region) == ("my-bucket", "custom-run", "us-east-1")
    assert (spec.instance_type, spec.instance_count, spec.use_spot) == ("ml.g5.xlarge", 1, False)
    assert {p.written: p.value for p in spec.params} == {"epochs": "5", "batch-size": "64"}
    assert spec.origin("bucket") == Origin.in_file(project, 15)
    assert spec.origin("volume_size_gb").source is Source.DEFAULT
    assert any("max-wait-seconds" in w and "ignored without use-spot" in w for w in spec.warnings)


def test_keys_accept_underscores(write_config: WriteConfig) -> None:
    path = write_config(
        JOBBER_CONFIG.replace("entry-point", "entry_point").replace("use-spot", "use_spot")
    )
    assert resolve_config(path, environ={}).entry_point == "train.py"


def test_dash_and_underscore_spellings_of_one_key_collide(write_config: WriteConfig) -> None:
    path = write_config(JOBBER_CONFIG + "  instance_type: ml.g5.2xlarge\n")
    assert problems_of(path) == [
        f"{path}:27: submit.instance_type: same key as 'instance-type' "
        "(dashes and underscores are equal)"
    ]


def test_a_config_value_beats_a_flag_that_was_not_given(project: Path) -> None:
    # jobber's bug: flags with built-in defaults (instance-type, prefix) silently won.
    overrides = Overrides()
    overrides.set("instance_type", None, "--instance-type")
    spec = resolve_config(project, overrides, environ={})
    assert spec.instance_type == "ml.g5.xlarge"
    assert spec.prefix == "custom-run"


def test_precedence_is_flag_then_env_then_file_then_default(project: Path) -> None:
    env = {"AWS_REGION": "eu-west-1", "AWS_PROFILE": "research"}
    spec = resolve_config(project, environ=env)
    assert (spec.region, spec.origin("region")) == ("eu-west-1", Origin.env("AWS_REGION"))
    assert (spec.profile, spec.origin("profile")) == ("research", Origin.env("AWS_PROFILE"))
    overrides = Overrides()
    overrides.set("region", "ap-south-1", "--region")
    spec = resolve_config(project, overrides, environ=env)
    assert (spec.region, spec.origin("region")) == ("ap-south-1", Origin.flag("--region"))
    assert spec.origin("max_run_seconds") == Origin.default()
    assert spec.max_run_seconds == 86400


def test_flags_override_the_file(project: Path) -> None:
    overrides = Overrides(params=["batch_size=256", "lr=0.1"])
    overrides.set("instance_type", "ml.p4d.24xlarge", "--instance-type")
    overrides.set("instance_count", 4, "--instance-count")
    overrides.set("use_spot", True, "--spot")
    overrides.set("max_run_seconds", 7200, "--max-run")
    overrides.set("max_wait_seconds", 10800, "--max-wait")
    spec = resolve_config(project, overrides, environ={})
    assert (spec.instance_type, spec.instance_count, spec.use_spot) == ("ml.p4d.24xlarge", 4, True)
    assert (spec.max_run_seconds, spec.max_wait_seconds) == (7200, 10800)
    values = {p.name: (p.written, p.value, str(p.origin)) for p in spec.params}
    assert values["batch_size"] == ("batch_size", "256", "--param")
    assert values["epochs"] == ("epochs", "5", f"{project}:25")
    assert values["lr"] == ("lr", "0.1", "--param")


def test_gcp_keys_under_submit_are_ignored_with_a_warning(write_config: WriteConfig) -> None:
    path = write_config(
        JOBBER_CONFIG + "  project: my-gcp-project\n  machine-type: n1-standard-4\n"
    )
    spec = resolve_config(path, environ={})
    assert sum("Vertex AI setting" in w for w in spec.warnings) == 2


def test_jobber_sync_data_section_sets_sync_defaults(write_config: WriteConfig) -> None:
    path = write_config(
        JOBBER_CONFIG + "sync-data:\n  src: ./data\n  dest: s3://my-bucket/custom-run/data/\n"
    )
    spec = resolve_config(path, environ={})
    assert spec.sync is not None and spec.sync.src == "./data"


def test_smtui_additions(write_config: WriteConfig) -> None:
    path = write_config(
        JOBBER_CONFIG
        + """\
  image: {framework: pytorch, version: "2.5", py-version: py311}
  max-run-seconds: 3600
  volume-size-gb: 100
  channels: {train: data/, val: s3://other-bucket/val/}
  checkpoints: true
  distribution: torch_distributed
  environment: {NCCL_DEBUG: INFO, WORKERS: 4}
  tags: {team: research}
  metric-definitions:
    - {name: "train:loss", regex: "loss=([0-9.]+)"}
  keep-alive-seconds: 600
  sync: {src: ./data}
""".replace("  image-uri", "  # image-uri")
    )
    text = path.read_text().replace("  image-uri:", "  # image-uri:")
    path.write_text(text)
    spec = resolve_config(path, environ={})
    assert spec.image is not None and (spec.image.framework, spec.image.version) == (
        "pytorch",
        "2.5",
    )
    assert spec.channels == {"train": "data/", "val": "s3://other-bucket/val/"}
    assert spec.environment == {"NCCL_DEBUG": "INFO", "WORKERS": "4"}
    assert spec.metric_definitions[0].name == "train:loss"
    assert (spec.checkpoints, spec.distribution, spec.keep_alive_seconds) == (
        True,
        "torch_distributed",
        600,
    )


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("submit:\n", "submit:\n  bucket: [oops\n"), ":14: YAML syntax error"),
        (
            ("instance-type:", "instance-typo:"),
            "submit.instance-typo: unknown key; did you mean 'instance-type'?",
        ),
        (
            ("instance-count: 1", "instance-count: two"),
            "submit.instance-count: must be a whole number, got the string 'two'",
        ),
        (
            ("instance-count: 1", "instance-count: 0"),
            "submit.instance-count: must be at least 1, got 0",
        ),
        (
            ("instance-count: 1", "instance-count: true"),
            "submit.instance-count: must be a whole number",
        ),
        (("use-spot: false", "use-spot: yes please"), "submit.use-spot: must be true or false"),
        (("ml.g5.xlarge", "ml.g5.xlarg"), "did you mean ml.g5.xlarge"),
        (
            ("ml.g5.xlarge", "ml.x99.huge"),
            "'ml.x99.huge' is not a known SageMaker training instance type",
        ),
        (
            ("  role-arn: arn:aws:iam::123456789012:role/SageMakerExecutionRole\n", ""),
            "submit.role-arn: missing",
        ),
        (
            ("role-arn: arn:aws", "role-arn: nope:aws"),
            "submit.role-arn: 'nope:aws:iam::123456789012:role/SageMakerExecutionRole' "
            "is not an IAM role ARN",
        ),
        (
            ("entry-point: train.py", "entry-point: missing.py"),
            "code-bundle/missing.py' does not exist",
        ),
        (
            ("entry-point: train.py", "entry-point: ../train.py"),
            "submit.entry-point: must be a path inside source-dir",
        ),
        (("source-dir: code-bundle", "source-dir: nowhere"), "nowhere' does not exist"),
        (("  bucket: my-bucket\n", ""), "submit.bucket: missing"),
        (("bucket: my-bucket", "bucket: My_Bucket"), "is not a valid S3 bucket name"),
        (("provider: aws", "provider: gcp"), "provider 'gcp' (Vertex AI) is not supported"),
        (("provider: aws", "provider: azure"), "provider: must be 'aws'"),
        (("submit:\n", "bucket: top\nsubmit:\n"), "bucket: belongs under 'submit:'"),
        (("build:\n", "bild:\n"), "bild: unknown top-level key; did you mean 'build'?"),
        (('    epochs: "5"\n', "    epochs:\n"), "params.epochs: has no value"),
        (
            ('    epochs: "5"\n', "    epochs: 5\n    epochs-: 6\n    batch_size: 1\n"),
            "both normalise to 'batch_size'",
        ),
        (
            ("use-spot: false", "use-spot: true"),
            "spot max-wait-seconds (3600) must be at least max-run-seconds (86400",
        ),
        (
            ("submit:\n", "submit:\n  job-name: my_job\n"),
            "submit.job-name: 'my_job' is not a valid job name base",
        ),
        (("submit:\n", "submit:\n  job-name: " + "a" * 44 + "\n"), "leaves 43"),
        (
            ("submit:\n", "submit:\n  distribution: horovod\n"),
            "must be one of torch_distributed, mpi, none",
        ),
        (
            ("submit:\n", "submit:\n  image: {framework: pytorch, version: 2.10}\n"),
            "must be quoted",
        ),
        (
            ("submit:\n", "submit:\n  channels: {train: /abs/path}\n"),
            "must be an s3:// URI or a path under",
        ),
        (("submit:\n", "submit:\n  tags: {'aws:x': y}\n"), "reserved by AWS"),
        (
            ("submit:\n", "submit:\n  metric-definitions: [{name: loss, regex: '(['}]\n"),
            "metric-definitions: entry 1",
        ),
        (("submit:\n", "submit:\n  keep-alive-seconds: 21601\n"), "must be at most 21600"),
    ],
)
def test_bad_configs_name_file_line_and_key(
    write_config: WriteConfig, edit: tuple[str, str], expected: str
) -> None:
    old, new = edit
    assert old in JOBBER_CONFIG
    path = write_config(JOBBER_CONFIG.replace(old, new, 1))
    with pytest.raises(ConfigError) as info:
        resolve_config(path, environ={})
    text = str(info.value)
    assert expected in text
    assert str(path) in text or text.startswith("--")
    assert info.value.exit_code == 2


def test_too_many_hyperparameters(write_config: WriteConfig) -> None:
    params = "".join(f"    p{i}: {i}\n" for i in range(100))
    path = write_config(JOBBER_CONFIG + params)
    assert any("SageMaker accepts at most 100" in p for p in problems_of(path))


def test_too_long_hyperparameters(write_config: WriteConfig) -> None:
    path = write_config(JOBBER_CONFIG + f"    {'k' * 300}: 1\n    long: {'v' * 2600}\n")
    found = problems_of(path)
    assert any("name is 300 characters; the limit is 256" in p for p in found)
    assert any("value is 2602 characters as sent; the limit is 2500" in p for p in found)


def test_bad_flags_are_named(project: Path) -> None:
    overrides = Overrides(params=["novalue", "=x"])
    overrides.set("instance_count", 0, "--instance-count")
    found = problems_of(project, overrides)
    assert "--param: malformed --param 'novalue': expected KEY=VALUE" in found
    assert "--param: malformed --param '=x': expected KEY=VALUE" in found
    assert "--instance-count: must be at least 1, got 0" in found


def test_bad_environment_values_are_named(project: Path) -> None:
    assert problems_of(project, env={"SMTUI_BACKEND": "k8s"}) == [
        "backend: must be one of aws, local; got the string 'k8s' "
        "(from environment variable SMTUI_BACKEND)"
    ]


def test_the_local_backend_needs_no_role_or_image(write_config: WriteConfig) -> None:
    text = "\n".join(
        line
        for line in JOBBER_CONFIG.splitlines()
        if "role-arn" not in line and "image-uri" not in line
    )
    path = write_config(text + "\n  backend: local\n")
    assert resolve_config(path, environ={}).backend == "local"


def test_an_empty_file_reports_what_is_missing(write_config: WriteConfig) -> None:
    found = " ".join(problems_of(write_config("")))
    for key in ("bucket", "entry-point", "role-arn", "image-uri"):
        assert f"submit.{key}: missing" in found


def test_a_file_that_is_not_a_mapping(write_config: WriteConfig) -> None:
    with pytest.raises(ConfigError, match="must be a YAML mapping"):
        resolve_config(write_config("- a\n- b\n"), environ={})


@pytest.mark.parametrize("checkpoints", [False, True])
def test_spot_without_checkpoints_is_warned_about(project: Path, checkpoints: bool) -> None:
    text = project.read_text().replace("use-spot: false", "use-spot: true")
    text = text.replace("max-wait-seconds: 3600", "max-wait-seconds: 90000")
    if checkpoints:
        text = text.replace("submit:\n", "submit:\n  checkpoints: true\n", 1)
    project.write_text(text)
    spec = resolve_config(project, environ={})
    warned = [w for w in spec.warnings if "without checkpoints" in w]
    assert bool(warned) is not checkpoints


@pytest.mark.parametrize(
    ("bucket", "why"),
    [
        ("my..bucket", "two dots"),
        ("192.168.1.1", "IP address"),
        ("xn--x-bucket", "'xn--' is reserved"),
        ("data--ol-s3", "'--ol-s3' is reserved"),
        ("My-Bucket", "lowercase"),
        ("ab", "3–63"),
        ("b" * 64, "3–63"),
    ],
)
def test_bucket_names_follow_s3s_rules(write_config: WriteConfig, bucket: str, why: str) -> None:
    path = write_config(JOBBER_CONFIG.replace("bucket: my-bucket", f"bucket: '{bucket}'"))
    found = problems_of(path)
    assert any(f"{path}:" in p and "submit.bucket:" in p and why in p for p in found), found


def test_ascii_digits_only_in_patterns(write_config: WriteConfig) -> None:
    path = write_config(
        JOBBER_CONFIG.replace("region: us-east-1\n  entry", "region: us-east-١\n  entry")
    )
    assert any("submit.region:" in p and "not an AWS region" in p for p in problems_of(path))


def test_control_characters_in_the_prefix_and_tags(write_config: WriteConfig) -> None:
    path = write_config(JOBBER_CONFIG.replace("prefix: custom-run", 'prefix: "run\\nx"'))
    assert any("submit.prefix:" in p and "control character" in p for p in problems_of(path))
    path = write_config(JOBBER_CONFIG + '  tags: {team: "a\\nb"}\n')
    assert any("submit.tags.team:" in p and "'\\n'" in p for p in problems_of(path))


@pytest.mark.parametrize("name", ["a=b", "a\0b"])
def test_hyperparameter_names_the_argv_cannot_carry(write_config: WriteConfig, name: str) -> None:
    path = write_config(JOBBER_CONFIG + f'    "{name.replace(chr(0), chr(92) + "0")}": "1"\n')
    assert any("'=' or a NUL" in p for p in problems_of(path))


def test_local_hosts_are_capped(write_config: WriteConfig) -> None:
    path = write_config(JOBBER_CONFIG + "  backend: local\n")
    assert problems_of(path, Overrides(values={"instance_count": (16, "--instance-count")})) == []
    found = problems_of(path, Overrides(values={"instance_count": (17, "--instance-count")}))
    assert any(p.startswith("--instance-count: 17 hosts") for p in found), found
