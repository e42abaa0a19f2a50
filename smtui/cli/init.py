"""`smtui init`: write a commented jobber.yml to start from."""

from __future__ import annotations

import argparse
import sys
from importlib import resources

from smtui.cli.common import config_path
from smtui.core.errors import UsageError


def template() -> str:
    """The commented config that `smtui init` writes."""
    return resources.files("smtui.core").joinpath("data/jobber.yml").read_text()


ENTRY_POINT = '''"""The entry point `smtui init` wrote: replace the training with yours."""

import argparse
import os
from pathlib import Path

parser = argparse.ArgumentParser()
# The names smtui passes: the config's params, dashes normalised to underscores.
parser.add_argument("--epochs", type=int, default=10)
parser.add_argument("--batch_size", type=int, default=64)
parser.add_argument("--learning_rate", type=float, default=0.001)
args = parser.parse_args()

print(f"training for {args.epochs} epochs, batch size {args.batch_size}, lr {args.learning_rate}")
model_dir = Path(os.environ.get("SM_MODEL_DIR", "model"))
model_dir.mkdir(parents=True, exist_ok=True)
(model_dir / "model.txt").write_text("a model\\n")
'''
"""Written beside the config as the entry point it names (never over an existing file)."""


def run(args: argparse.Namespace) -> int:
    path = config_path(args)
    if path.exists() and not args.force:
        raise UsageError(f"{path} already exists; pass --force to overwrite it")
    path.write_text(template())
    # The template names source-dir `code` and entry-point `train.py`.
    entry = path.parent / "code" / "train.py"
    if not entry.exists():
        entry.parent.mkdir(parents=True, exist_ok=True)
        entry.write_text(ENTRY_POINT)
        print(f"wrote {entry}", file=sys.stderr)
    print(
        f"wrote {path}; edit image-uri, role-arn, bucket and entry-point, then run", file=sys.stderr
    )
    print(f"  smtui submit --config {path} --dry-run", file=sys.stderr)
    return 0
