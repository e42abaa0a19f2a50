"""The kinds of job smtui lists: training, hyperparameter tuning and processing jobs.

SageMaker gives each kind the same verbs (List…, Describe…, Stop…) over shapes that differ
only in their names (`TrainingJobName`, `HyperParameterTuningJobName`, `ProcessingJobName`)
and in where the times, the resources and the log live. A `Kind` names them, so the
backends, the panes and the CLI read any kind through one path. The names are checked
against botocore's model of the API by the tests (`tests/core/test_kinds.py`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    key: str
    """How smtui names it: `training`, `tuning`, `processing` (`--kind`, `:tuning`)."""
    noun: str
    """`training job`, for sentences."""
    shape: str
    """The API's word: `TrainingJob`, `HyperParameterTuningJob`, `ProcessingJob`."""
    snake: str
    """The same in boto3's method names: `training_job` (`describe_training_job`)."""
    end_key: str
    """The response key of the time it ended."""
    start_key: str | None
    """The response key of the time it started running (None: the kind has none)."""
    log_group: str | None
    """The CloudWatch log group its hosts write to (None: it writes no log of its own)."""
    console_path: str
    """The SageMaker console's fragment for a job of this kind: `#/<path>/<name>`."""

    @property
    def name_key(self) -> str:
        return f"{self.shape}Name"

    @property
    def status_key(self) -> str:
        return f"{self.shape}Status"

    @property
    def arn_key(self) -> str:
        return f"{self.shape}Arn"

    @property
    def summaries_key(self) -> str:
        """The list response's key: `TrainingJobSummaries`."""
        return f"{self.shape}Summaries"

    def operation(self, verb: str) -> str:
        """boto3's method for `verb` (`list`, `describe`, `stop`): `list_training_jobs`."""
        return f"list_{self.snake}s" if verb == "list" else f"{verb}_{self.snake}"

    @property
    def plural(self) -> str:
        return f"{self.noun}s"


TRAINING = Kind(
    "training", "training job", "TrainingJob", "training_job",
    end_key="TrainingEndTime", start_key="TrainingStartTime",
    log_group="/aws/sagemaker/TrainingJobs", console_path="jobs",
)  # fmt: skip
TUNING = Kind(
    "tuning", "tuning job", "HyperParameterTuningJob", "hyper_parameter_tuning_job",
    end_key="HyperParameterTuningEndTime", start_key=None,
    log_group=None, console_path="hyper-tuning-jobs",
)  # fmt: skip
PROCESSING = Kind(
    "processing", "processing job", "ProcessingJob", "processing_job",
    end_key="ProcessingEndTime", start_key="ProcessingStartTime",
    log_group="/aws/sagemaker/ProcessingJobs", console_path="processing-jobs",
)  # fmt: skip
KINDS = {kind.key: kind for kind in (TRAINING, TUNING, PROCESSING)}


def kind_of(key: str) -> Kind:
    """The kind `key` names (`training`, `tuning`, `processing`), else ValueError."""
    try:
        return KINDS[key]
    except KeyError:
        raise ValueError(f"unknown kind '{key}'; use one of {', '.join(KINDS)}") from None
