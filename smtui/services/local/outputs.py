"""What a local job leaves when it ends, shaped as SageMaker leaves it: the model and output
archives of all its hosts, and the final value of each metric for DescribeTrainingJob.

SageMaker's "How SageMaker AI Processes Training Output" says that each container's
`/opt/ml/model` (and `/opt/ml/output/data`) is aggregated into one TAR file, and that
containers of one job "should ensure no file/directory names clash": the archive is the
union of every host's folder. What happens on a clash is not documented, so here an
archive never holds two members of one name: the first host's file (algo-1, the master,
where distributed scripts save) is kept, and the clash is reported in the job's log.
"""

from __future__ import annotations

import datetime as dt
import re
import tarfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

from smtui.services.local.logs import parse_record

LONGEST_LINE = 64 * 1024
"""Longer log lines are not searched for metrics (a pattern's cost grows with the line)."""


def write_merged_tar(handle: BinaryIO, folders: list[tuple[str, Path]]) -> list[str]:
    """A tar.gz of several hosts' (host, folder)s merged into one tree, one member per name
    (the first host's on a clash); returns a line about each clash."""
    owner: dict[str, str] = {}
    clashes: list[str] = []
    with tarfile.open(fileobj=handle, mode="w:gz") as tar:
        for host, folder in folders:
            for item in sorted(folder.rglob("*")):
                if not item.is_file():
                    continue
                name = item.relative_to(folder).as_posix()
                if name in owner:
                    clashes.append(
                        f"{name} is in the folder of {owner[name]} and of {host}: the archive "
                        f"keeps {owner[name]}'s (SageMaker asks hosts not to clash)"
                    )
                    continue
                owner[name] = host
                tar.add(item, arcname=name, recursive=False)
    return clashes


def final_metrics(
    definitions: list[dict[str, Any]], streams: Iterable[Path]
) -> list[dict[str, Any]]:
    """DescribeTrainingJob's `FinalMetricDataList`: for each metric definition, the last
    value its regex found (its first group, as SageMaker reads it) in any host's log, with
    that line's time. Metrics never seen are left out, as SageMaker leaves them out."""
    patterns: list[tuple[str, re.Pattern[str]]] = []
    for item in definitions:
        try:
            pattern = re.compile(str(item.get("Regex", "")))
        except re.error:
            continue  # refused at submit; a request made elsewhere reports nothing for it
        if pattern.groups >= 1:
            patterns.append((str(item.get("Name", "")), pattern))
    last: dict[str, tuple[int, int, float]] = {}  # name -> (ms, seq, value)
    for stream in streams:
        try:
            text = stream.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for line in text.splitlines():
            ms, seq, message = parse_record(line)
            if len(message) > LONGEST_LINE:
                continue
            for name, pattern in patterns:
                match = pattern.search(message)
                if match is None:
                    continue
                try:
                    value = float(match.group(1))
                except (TypeError, ValueError):
                    continue
                if name not in last or (ms, seq) >= last[name][:2]:
                    last[name] = (ms, seq, value)
    return [
        {
            "MetricName": name,
            "Value": last[name][2],
            "Timestamp": dt.datetime.fromtimestamp(last[name][0] / 1000, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
        }
        for name, _pattern in patterns
        if name in last
    ]
