"""What a training job's status history says that its status doesn't: spot interruptions
and the time they lost, and a wait for capacity (SageMaker retrying a launch EC2 could not
fill, or replacing an unhealthy instance) with how long it has lasted.

Read from DescribeTrainingJob's `SecondaryStatusTransitions`. Pure: the jobs row, the
details and the CLI show what these return.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from smtui.core.formats import duration
from smtui.core.instances import load_catalogue
from smtui.core.jobs import TrainingJob

CAPACITY = re.compile(r"insufficient capacity|launched instance was unhealthy", re.IGNORECASE)
"""The status messages of a launch SageMaker is retrying."""


@dataclass(frozen=True)
class Interruption:
    start: dt.datetime
    lost: dt.timedelta
    """From the interruption until training ran again (up to now, or the job's end)."""


def interruptions(job: TrainingJob, now: dt.datetime | None = None) -> list[Interruption]:
    """Each spot interruption (an `Interrupted` step), with the time until Training again."""
    end = job.ended or now or dt.datetime.now(dt.UTC)
    steps = job.transitions
    found = []
    for index, step in enumerate(steps):
        if step.status != "Interrupted":
            continue
        resumed = next((s.start for s in steps[index + 1 :] if s.status == "Training"), end)
        found.append(Interruption(step.start, max(resumed - step.start, dt.timedelta(0))))
    return found


def lost_in_all(found: list[Interruption]) -> str:
    """`2, losing 22m00s in all`."""
    total = sum((interruption.lost for interruption in found), dt.timedelta(0))
    return f"{len(found)}, losing {duration(total)} in all"


@dataclass(frozen=True)
class CapacityWait:
    since: dt.datetime
    message: str

    def lasted(self, now: dt.datetime) -> dt.timedelta:
        return max(now - self.since, dt.timedelta(0))


def capacity_wait(job: TrainingJob) -> CapacityWait | None:
    """The wait for capacity a running job is in now: its newest steps' messages say SageMaker
    is retrying a launch; `since` is the first of them in a row."""
    if job.is_terminal or not job.transitions:
        return None
    streak = None
    for step in reversed(job.transitions):
        if not CAPACITY.search(step.message):
            break
        streak = step
    if streak is None:
        return None
    return CapacityWait(streak.start, job.transitions[-1].message)


def same_accelerator(instance_type: str) -> list[str]:
    """The catalogue's other instance types with the same accelerator (another size may have
    capacity when this one has none); [] for a CPU type or an unknown one."""
    catalogue = load_catalogue()
    mine = catalogue.get(instance_type)
    if mine is None or not mine.accelerator:
        return []
    return [
        item.name
        for item in catalogue.instances
        if item.accelerator == mine.accelerator and item.name != instance_type
    ]
