"""`smtui demo`: the bundled project trains on the local backend from a clean home."""

from __future__ import annotations

import re
import tarfile
from pathlib import Path

import pytest

from smtui.cli import main


def test_demo_trains_two_hosts_and_ends_completed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "demo"
    assert main(["demo", "--plain", "--home", str(home)]) == 0
    out, err = capsys.readouterr()
    for host in ("algo-1", "algo-2"):
        final = re.search(rf"\[{host}\] epoch 12/12 loss=([\d.]+) accuracy=([\d.]+)", out)
        assert final is not None, out
        first = re.search(rf"\[{host}\] epoch 1/12 loss=([\d.]+)", out)
        assert first is not None and float(final.group(1)) < float(first.group(1))  # it learns
        assert float(final.group(2)) > 0.7
    job = re.search(r"training (\S+) on the local backend", err)
    assert job is not None and f"{job.group(1)}: Completed" in err
    archive = home / "buckets/smtui-demo/logreg/outputs" / job.group(1) / "output/model.tar.gz"
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == ["model-algo-1.json", "model-algo-2.json"]


def test_the_multinode_demo_meets_at_its_rendezvous(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "demo"
    assert main(["demo", "--plain", "--multinode", "--home", str(home)]) == 0
    out, err = capsys.readouterr()
    assert "2 hosts x 2 processes" in err
    line = r"\[(algo-\d)\] rank (\d)/4 on \1 .*all-reduce sum=10 ranks=\[0, 1, 2, 3\]"
    sums = re.findall(line, out)
    assert sorted(rank for _host, rank in sums) == ["0", "1", "2", "3"], out
