"""Entry-point pre-flight: the script's argparse read statically, refusing only what
`parse_args()` would certainly refuse. Each refusal is checked against argparse itself."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

import pytest

from smtui.core.config import resolve_with_problems
from smtui.core.overrides import Overrides
from smtui.core.preflight import read_parser, rejections
from tests.conftest import JOBBER_CONFIG, WriteConfig

STRICT = """\
import argparse

parser = argparse.ArgumentParser()
parser.add_argument("--batch-size", type=int)
parser.add_argument("--epochs", type=int)
parser.add_argument("--learning-rate-schedule")
group = parser.add_argument_group("amp")
group.add_argument("--amp", action="store_true")
args = parser.parse_args()
"""


def script(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "train.py"
    path.write_text(textwrap.dedent(text))
    return path


def argparse_accepts(source: str, argv: list[str]) -> bool:
    """Whether the script's own parser (built by running its parser lines) takes `argv`."""
    lines = [line for line in source.splitlines() if "parse_args" not in line]
    scope: dict[str, object] = {}
    exec("\n".join(lines), scope)  # the test's own fixture script, never the user's
    parser = scope["parser"]
    assert isinstance(parser, argparse.ArgumentParser)
    try:
        parser.parse_args(argv)
    except SystemExit:
        return False
    return True


@pytest.mark.parametrize(
    ("argv", "refused"),
    [
        (["--batch_size", "8"], ["--batch_size"]),  # normalised: the script has dashes
        (["--batch-size", "8", "--epochs", "2"], []),
        (["--epoch", "2"], []),  # an unambiguous prefix: argparse takes it
        (["--learning-rate", "x"], []),  # prefix of --learning-rate-schedule
        (["--amp", "True"], ["--amp"]),  # store_true takes no value
        (["--e", "1"], []),  # prefix of --epochs only
        (["--nope", "1", "--epochs", "1"], ["--nope"]),
    ],
)
def test_refusals_agree_with_argparse(tmp_path: Path, argv: list[str], refused: list[str]) -> None:
    parser = read_parser(script(tmp_path, STRICT))
    assert parser is not None
    assert [r.arg for r in rejections(parser, argv)] == refused
    assert argparse_accepts(STRICT, argv) == (refused == [])


def test_an_ambiguous_prefix_is_refused(tmp_path: Path) -> None:
    text = STRICT.replace('"--epochs"', '"--batch-count"')
    parser = read_parser(script(tmp_path, text))
    assert parser is not None
    (rejection,) = rejections(parser, ["--batch", "1"])
    assert "ambiguous" in rejection.message
    assert not argparse_accepts(text, ["--batch", "1"])


def test_allow_abbrev_false_is_read(tmp_path: Path) -> None:
    text = STRICT.replace("ArgumentParser()", "ArgumentParser(allow_abbrev=False)")
    parser = read_parser(script(tmp_path, text))
    assert parser is not None and [r.arg for r in rejections(parser, ["--epoch", "1"])]
    assert not argparse_accepts(text, ["--epoch", "1"])


@pytest.mark.parametrize(
    "dynamic",
    [
        STRICT.replace("parse_args()", "parse_known_args()"),
        STRICT.replace("parse_args()", "parse_args(sys.argv[1:])"),
        STRICT + "sub = parser.add_subparsers()\n",
        STRICT.replace('parser.add_argument("--epochs", type=int)', "add_common(parser)"),
        STRICT.replace('"--epochs"', "NAME"),
        STRICT.replace(
            'type=int)\nparser.add_argument("--epochs"', '**opts)\nparser.add_argument("--e"'
        ),
        STRICT.replace("ArgumentParser()", "ArgumentParser(parents=[base])"),
        STRICT + "other = argparse.ArgumentParser()\n",
        STRICT + 'parser.add_argument("rest", nargs="*")\n',
        STRICT + "import sys\nsys.argv.append('--x')\n",
        "import yaml\nconfig = yaml.safe_load(open('c.yml'))\n",
        "def main(:\n",
    ],
)
def test_dynamic_scripts_get_no_verdict(tmp_path: Path, dynamic: str) -> None:
    parser = read_parser(script(tmp_path, dynamic))
    assert parser is None or rejections(parser, ["--zzz", "1"]) == []


def test_submit_is_refused_naming_the_param_the_script_and_the_fixes(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    (tmp_path / "code-bundle" / "train.py").write_text(STRICT)
    path = write_config(JOBBER_CONFIG)
    _, found = resolve_with_problems(path, None, {})
    text = [str(p) for p in found]
    assert len(text) == 1, text
    (problem,) = text
    assert problem.startswith(f"{path}:{_line(path, 'batch-size:')}: params.batch-size: ")
    assert f"{tmp_path / 'code-bundle' / 'train.py'}:9" in problem
    assert 'add_argument("--batch-size", "--batch_size", ...)' in problem
    assert "param-names: as-written" in problem
    # The new key sends names as written: the script's --batch-size matches.
    _, found = resolve_with_problems(write_config(JOBBER_CONFIG + "  param-names: as-written\n"))
    assert found == []


def test_a_flag_is_named_too(write_config: WriteConfig, tmp_path: Path) -> None:
    (tmp_path / "code-bundle" / "train.py").write_text(STRICT)
    path = write_config(JOBBER_CONFIG.replace('    batch-size: "64"\n', ""))
    _, found = resolve_with_problems(path, Overrides(params=["epochz=1"]), {})
    assert [p.key for p in found] == ["params.epochz"] and "--param" in str(found[0])


def _line(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)
