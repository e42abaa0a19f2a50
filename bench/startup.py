"""Start-up time of `smtui --help` and `smtui submit --dry-run`, beside `aws --version`.

Run: python bench/startup.py [--rounds N]

It makes (once) a venv in bench/.venv with smtui and awscli installed, writes a jobber
project in a temporary folder, then runs the three commands interleaved in each round so
machine noise hits all of them alike, and prints medians and ratios to `aws --version`.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

from compiled import compile_smtui

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / "bench" / ".venv"


def ensure_venv() -> Path:
    """The bench venv's bin folder, creating the venv on first use."""
    bin_dir = VENV / "bin"
    if not (bin_dir / "aws").exists() or not (bin_dir / "smtui").exists():
        print("setting up bench/.venv (smtui + awscli) ...", file=sys.stderr)
        venv.create(VENV, with_pip=True)
        pip = [str(bin_dir / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, "-e", str(ROOT), "awscli"], check=True)
    return bin_dir


def write_project(folder: Path) -> Path:
    (folder / "code").mkdir()
    (folder / "code" / "train.py").write_text("print('hi')\n")
    config = folder / "jobber.yml"
    config.write_text((ROOT / "smtui" / "core" / "data" / "jobber.yml").read_text())
    return config


def timed(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    bin_dir = ensure_venv()
    compile_smtui()  # "warm the .pyc files" below does nothing under PYTHONDONTWRITEBYTECODE
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_project(folder)
        commands = {
            "aws --version": [str(bin_dir / "aws"), "--version"],
            "smtui --help": [str(bin_dir / "smtui"), "--help"],
            "smtui submit --dry-run": [str(bin_dir / "smtui"), "submit", "--dry-run"],
        }
        for argv in commands.values():  # warm the file cache and .pyc files
            timed(argv, folder)
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(rounds):
            for name, argv in commands.items():
                samples[name].append(timed(argv, folder))
    baseline = statistics.median(samples["aws --version"])
    print(f"start-up, median of {rounds} interleaved rounds")
    for name, times in samples.items():
        median = statistics.median(times)
        print(f"  {name:<24} {median * 1000:7.1f} ms   {median / baseline:5.2f}x aws --version")


if __name__ == "__main__":
    main()
