"""The panes' models, without an app: `JobList` (pages, descriptions, cadence) and
`LogBuffer` (chunks, backlog, late lines, a finished job opened at its end)."""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from smtui.core.backoff import Backoff, retrying
from smtui.core.jobs import JobSummary, TrainingJob
from smtui.core.logevents import LogEvent, time_order
from smtui.services.backend import JobPage
from smtui.tui.joblist import JobList, RefreshPolicy
from smtui.tui.logbuffer import LogBuffer

T0 = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def summary(i: int, status: str = "Completed", modified: int = 0) -> JobSummary:
    item = {
        "TrainingJobName": f"job-{i:04d}",
        "TrainingJobStatus": status,
        "CreationTime": T0 + dt.timedelta(minutes=i),
        "LastModifiedTime": T0 + dt.timedelta(minutes=i, seconds=modified),
    }
    return JobSummary.from_api(item)


def described(job: JobSummary) -> TrainingJob:
    return TrainingJob.from_api(
        {
            **job.raw,
            "ResourceConfig": {"InstanceType": "ml.g5.xlarge", "InstanceCount": 1},
            "AlgorithmSpecification": {},
        }
    )


def pages(total: int, size: int) -> list[JobPage]:
    jobs = [summary(i) for i in reversed(range(total))]  # newest first
    chunks = [jobs[i : i + size] for i in range(0, total, size)]
    return [
        JobPage(chunk, f"t{n + 1}" if n + 1 < len(chunks) else None)
        for n, chunk in enumerate(chunks)
    ]


# --- JobList ------------------------------------------------------------------------------
def test_three_hundred_jobs_paged_in_newest_first_and_kept_across_refreshes() -> None:
    model = JobList()
    first, *older = pages(300, 50)
    change = model.apply(first, first=True)
    assert len(change.added) == 50 and model.more and model.listed
    for page in older:
        model.apply(page, first=False)
    assert len(model) == 300 and not model.more
    assert model.order() == [f"job-{i:04d}" for i in reversed(range(300))]
    # A refresh lists the first page again: the rows paged in below it stay, and so does
    # the end of the list (no token to a page that was already read).
    again = model.apply(first, first=True)
    assert again.removed == [] and again.added == [] and len(again.updated) == 50
    assert len(model) == 300 and not model.more


def test_a_job_gone_from_the_first_page_is_removed_and_a_new_one_added() -> None:
    model = JobList()
    model.apply(JobPage([summary(2), summary(1)]), first=True)
    change = model.apply(JobPage([summary(3), summary(2)]), first=True)
    assert change.added == ["job-0003"] and change.removed == ["job-0001"]
    assert model.order() == ["job-0003", "job-0002"]


def three_hundred_described() -> tuple[JobList, dict[str, float]]:
    """300 jobs of varied status and billable time, 250 described; their costs."""
    model = JobList()
    statuses = ["Completed", "InProgress", "Failed", "Stopped", "Stopping"]
    jobs = [summary(i, statuses[i % 5]) for i in range(300)]
    model.apply(JobPage(jobs[::-1]), first=True)
    costs = {}
    for i, job in enumerate(jobs[:250]):
        seconds = (i * 7919) % 10_000  # scattered, not in creation order
        model.described(
            TrainingJob.from_api(
                {**described(job).raw, "BillableTimeInSeconds": seconds,
                 "TrainingEndTime": T0 + dt.timedelta(hours=5)}
            )
        )  # fmt: skip
        costs[job.name] = seconds / 3600 * 1.408  # ml.g5.xlarge at the catalogue's price
    return model, costs


def test_sorts_by_each_column_and_again_reverses() -> None:
    model, costs = three_hundred_described()
    names = sorted(model.summaries)
    assert model.order() == names[::-1]  # newest first, as listed
    model.sort_by("created")
    assert model.order() == names  # again: oldest first
    model.sort_by("name")
    assert (model.sort, model.descending) == ("name", False) and model.order() == names
    model.sort_by("cost")
    order = model.order()
    dearest = sorted(costs, key=lambda n: (costs[n], model.summaries[n].created), reverse=True)
    assert order[:250] == dearest  # by the hand-computed cost, biggest first
    assert order[250:] == [n for n in names[::-1] if n not in costs]  # unknown: last
    model.sort_by("cost")
    assert model.order()[:250] == dearest[::-1] and model.order()[250:] == order[250:][::-1]
    model.sort_by("status")
    by_status = [model.summaries[n].status for n in model.order()]
    firsts = list(dict.fromkeys(by_status))
    assert firsts == ["InProgress", "Stopping", "Failed", "Stopped", "Completed"]
    model.sort_by("elapsed")
    elapsed = [model.details[n].elapsed() for n in model.order()[:250]]
    assert elapsed == sorted(elapsed, reverse=True)


def test_marks_are_of_listed_jobs_and_go_with_them() -> None:
    model = JobList()
    model.apply(JobPage([summary(3), summary(2), summary(1)]), first=True)
    assert model.toggle_mark("job-0001") and model.toggle_mark("job-0003")
    assert not model.toggle_mark("job-9999")  # not listed: nothing to mark
    assert model.marked_in_order() == ["job-0003", "job-0001"]
    assert not model.toggle_mark("job-0003")  # again: unmarked
    model.apply(JobPage([summary(3), summary(2)]), first=True)  # job-0001 went away
    assert model.marked == set()
    model.toggle_mark("job-0002")
    model.reset()  # the filters changed: the marks were of rows no longer shown
    assert model.marked == set()


def test_only_new_or_changed_jobs_are_described() -> None:
    model = JobList()
    jobs = [summary(i) for i in range(5)]
    model.apply(JobPage(jobs), first=True)
    assert model.stale(jobs) == [job.name for job in jobs]
    for job in jobs:
        assert model.described(described(job))
    assert model.stale(jobs) == []  # an idle refresh describes nothing
    moved = [summary(0, modified=30), summary(1, status="Stopped"), *jobs[2:]]
    assert model.stale(moved) == ["job-0000", "job-0001"]


def test_a_wanted_job_is_given_once_when_it_is_listed() -> None:
    model = JobList()
    model.wanted = "job-0007"
    model.apply(JobPage([summary(1)]), first=True)
    assert model.take_wanted() is None
    model.apply(JobPage([summary(7), summary(1)]), first=True)
    assert model.take_wanted() == "job-0007" and model.take_wanted() is None


def test_cadence_quick_while_busy_slow_when_idle_and_backing_off_on_failures() -> None:
    policy = RefreshPolicy(busy=5, idle=30, backoff=Backoff(first=5, ceiling=60))
    model = JobList(policy)
    model.apply(JobPage([summary(1)]), first=True)
    assert model.succeeded() == 30
    model.apply(JobPage([summary(2, status="InProgress"), summary(1)]), first=True)
    assert model.succeeded() == 5
    waits = [model.failed("throttled")[0] for _ in range(6)]
    assert 2.5 <= waits[0] <= 5 and 30 <= waits[-1] <= 60
    assert all(a <= b * 2 for a, b in zip(waits, waits[1:], strict=False))
    wait, problem = model.failed("throttled")
    assert problem == f"throttled; retrying in {wait:.0f} s"
    assert model.succeeded() == 5 and model.failures == 0


def test_backoff_doubles_to_its_ceiling_with_jitter_in_the_upper_half() -> None:
    backoff = Backoff(first=1, ceiling=8)
    highest = [backoff.wait(n, draw=lambda low, high: high) for n in range(1, 7)]
    lowest = [backoff.wait(n, draw=lambda low, high: low) for n in range(1, 7)]
    assert highest == [1, 2, 4, 8, 8, 8] and lowest == [0.5, 1, 2, 4, 4, 4]
    assert retrying("throttled", 2.345) == "throttled; retrying in 2.3 s"
    assert retrying("down", 12.6) == "down; retrying in 13 s"


# --- LogBuffer ----------------------------------------------------------------------------
def event(ms: int, host: int = 1, text: str = "") -> LogEvent:
    return LogEvent(ms, text or f"h{host} {ms}", f"job/algo-{host}-1")


def test_chunks_come_in_time_order_and_the_backlog_is_bounded() -> None:
    buffer = LogBuffer(keep=100, chunk=30, backlog=200)
    buffer.add([event(ms, 1) for ms in range(0, 150, 2)])
    buffer.add([event(ms, 2) for ms in range(1, 150, 2)])  # a second host's batch, older
    assert buffer.backlogged is False
    buffer.add([event(ms, 3) for ms in range(150, 200)])
    assert buffer.backlogged  # 200 waiting: the tail waits for the view
    taken: list[LogEvent] = []
    while buffer.pending:
        chunk = buffer.take()
        assert len(chunk) <= 30
        taken.extend(chunk)
    assert taken == sorted(taken, key=time_order) and len(taken) == 200


def test_chunks_the_view_would_drop_at_once_are_not_drawn() -> None:
    buffer = LogBuffer(keep=100, chunk=50, backlog=1000)
    buffer.add([event(ms) for ms in range(400)])
    kinds = []
    while buffer.pending:
        kinds.append(buffer.place(buffer.take()).kind)
    assert kinds == ["none"] * 6 + ["append"] * 2
    assert [e.timestamp for e in buffer.recent] == list(range(300, 400))


def test_late_lines_replace_only_the_lines_they_displace() -> None:
    buffer = LogBuffer(keep=1000)
    buffer.add([event(ms, 1) for ms in range(0, 100, 10)])
    assert buffer.place(buffer.take()).kind == "append"
    late = [event(75, 2), event(95, 2)]
    buffer.add(late)
    placed = buffer.place(buffer.take())
    assert placed.kind == "late"
    assert [e.timestamp for e in placed.displaced] == [80, 90]
    assert [e.timestamp for e in placed.events] == [75, 80, 90, 95]
    assert list(buffer.recent) == sorted(buffer.recent, key=time_order)
    # While searching, the view shows matches only: late lines are appended (and kept in
    # their place in `recent` for the redraw when the search is cleared).
    buffer.add([event(5, 3)])
    assert buffer.place(buffer.take(), searching=True).kind == "append"
    assert [e.timestamp for e in buffer.recent][:2] == [0, 5]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 500), min_size=1, max_size=40), max_size=25))
def test_any_arrival_order_ends_in_time_order(batches: list[list[int]]) -> None:
    """Whatever order batches arrive in (each in order within itself), the kept events
    end in time order, and replaying the placements on a plain list gives the same."""
    buffer = LogBuffer(keep=10_000, chunk=7)
    view: list[LogEvent] = []
    for host, batch in enumerate(batches):
        buffer.add([event(ms, host, f"{host}:{ms}:{i}") for i, ms in enumerate(sorted(batch))])
        while buffer.pending:
            placed = buffer.place(buffer.take())
            if placed.kind == "late":
                del view[len(view) - len(placed.displaced) :]
            view.extend(placed.events)
    assert view == list(buffer.recent) == sorted(buffer.recent, key=time_order)
    assert len(view) == sum(len(batch) for batch in batches)


def test_a_finished_job_shows_its_end_while_the_history_fills() -> None:
    buffer = LogBuffer(keep=100, chunk=50)
    end = [event(ms) for ms in range(900, 1000)]
    buffer.open_at_end(end)
    assert buffer.filling and list(buffer.recent) == end
    buffer.add([event(ms) for ms in range(1000)])  # the history, from the head
    while buffer.pending:
        assert buffer.place(buffer.take()).kind == "none"  # the end is already shown
    assert list(buffer.recent) == end
    assert buffer.filled() and not buffer.filling and not buffer.filled()
    assert [e.timestamp for e in buffer.recent] == list(range(900, 1000))


def test_reset_forgets_everything() -> None:
    buffer = LogBuffer()
    buffer.open_at_end([event(1)])
    buffer.add([event(ms) for ms in random.sample(range(100), 10)])
    buffer.reset()
    assert not buffer.pending and not buffer.recent and not buffer.filling
