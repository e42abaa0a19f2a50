"""`RunningSpend`: what every running training job costs an hour together, for the header.

It is not drawn. It lists the InProgress jobs of the whole account (not only the jobs
pane's rows: a job running for days may be pages down, or filtered out), once a minute on
AWS (every 5 s locally), and describes only the ones neither the jobs pane nor an earlier
read has described. The rate is at the region's prices once they are read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

from textual import work
from textual.widget import Widget

from smtui.core.backoff import Backoff
from smtui.core.costs import running_rate, running_said
from smtui.core.jobs import TrainingJob
from smtui.services.backend import Backend
from smtui.services.errors import ServiceError
from smtui.services.pricing import load_prices
from smtui.services.spend import running_jobs

EVERY_AWS = 60.0
EVERY_LOCAL = 5.0
BACKOFF = Backoff(first=60.0, ceiling=300.0)
FIRST_WAIT = 15.0


class RunningSpend(Widget):
    """Reads the running jobs' rate and hands its words to `say` (the screen's header)."""

    DEFAULT_CSS = "RunningSpend { display: none; }"

    def __init__(
        self,
        backend: Backend,
        known: Callable[[], Mapping[str, TrainingJob]],
        ready: Callable[[], bool],
        say: Callable[[str | None], None],
    ) -> None:
        super().__init__()
        self.backend = backend
        self.known = known
        """The jobs pane's descriptions, read before any call."""
        self.ready = ready
        """Whether the jobs pane has described its running rows (the first read waits for
        it, up to `FIRST_WAIT`, so no job is described twice at start)."""
        self.say = say
        self._kept: dict[str, TrainingJob] = {}
        self.said: str | None = None

    def on_mount(self) -> None:
        self._watch()

    def use_backend(self, backend: Backend) -> None:
        """Read `backend`'s running jobs instead (another profile or region)."""
        self.backend, self._kept, self.said = backend, {}, None
        self.say(None)
        self._watch()

    @work(exclusive=True, group="spend")
    async def _watch(self) -> None:
        backend = self.backend
        await load_prices(backend)
        every = EVERY_LOCAL if backend.logs.cheap else EVERY_AWS
        for _ in range(int(FIRST_WAIT / 0.25)):
            if self.ready():
                break
            await asyncio.sleep(0.25)
        failures = 0
        while True:
            try:
                jobs = await running_jobs(backend, self.known(), self._kept)
            except ServiceError:
                failures += 1  # the jobs pane says what is wrong; the last rate stays
                await asyncio.sleep(BACKOFF.wait(failures))
                continue
            failures = 0
            self.said = running_said(*running_rate(jobs, backend.prices), backend.prices)
            self.say(self.said)
            await asyncio.sleep(every)
