"""A 4-host job on moto with one idle host and one straggler, its metrics as SageMaker
publishes them: the account the metrics tests (CLI and TUI) read."""

from __future__ import annotations

from tests.awsfakes import create_job, put_host_metrics, set_status

JOB = "fleet-20261206-090000-000"
INSTANCE = "ml.g5.12xlarge"
"""4 GPUs: SageMaker's GPU values are summed over them (0-400 %)."""
GPU_PER_HOST = {"algo-1": 85.0, "algo-2": 1.0, "algo-3": 40.0, "algo-4": 88.0}
"""Each host's GPU utilisation per GPU: algo-2 idles, algo-3 straggles."""
MINUTES = 15


def fleet(metrics: bool = True) -> None:
    """The job, with its metrics (`metrics`), or without them yet (`fleet_metrics` adds them)."""
    create_job(JOB, hosts=4, instance_type=INSTANCE)
    set_status(JOB, "InProgress", "Training")
    if metrics:
        fleet_metrics()


def fleet_metrics() -> None:
    for host, per_gpu in GPU_PER_HOST.items():
        wobble = [(i % 3) - 1.0 for i in range(MINUTES)]  # ±1 point, minute to minute
        put_host_metrics(JOB, host, "GPUUtilization", [4 * max(per_gpu + w, 0.0) for w in wobble])
        put_host_metrics(JOB, host, "GPUMemoryUtilization", [4 * 60.0] * MINUTES)
        put_host_metrics(JOB, host, "CPUUtilization", [310.0 + w for w in wobble])
        put_host_metrics(JOB, host, "MemoryUtilization", [42.0] * MINUTES)
        put_host_metrics(JOB, host, "DiskUtilization", [12.0] * MINUTES)
