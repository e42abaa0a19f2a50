"""The `:` command line's reading and completion, as pure functions."""

from __future__ import annotations

import pytest

from smtui.tui.commands import COMMANDS, Command, CommandError, Completer, parse, word_at_end

JOBS = ["run-1", "run-10", "run-11", "train-a"]
REGIONS = ["eu-central-1", "eu-west-1", "eu-west-2", "us-east-1"]


def candidates(kind: str) -> list[str]:
    return {"jobs": JOBS, "profiles": ["default", "dev", "prod"], "regions": REGIONS}[kind]


@pytest.mark.parametrize(
    ("line", "command"),
    [
        (":jobs", Command("jobs")),
        ("jobs", Command("jobs")),
        ("  :job   run-1  ", Command("job", "run-1")),
        (":region eu-west-1", Command("region", "eu-west-1")),
        (":q", Command("q")),
        (":quit", Command("q")),
        (":q!", Command("q")),
    ],
)
def test_a_line_reads_as_its_command(line: str, command: Command) -> None:
    assert parse(line) == command


@pytest.mark.parametrize(
    ("line", "says"),
    [
        (":", "type a command: :jobs, :tuning, :processing, :data, :configs, :job NAME"),
        (":jbos", "there is no command :jbos (did you mean :jobs?)"),
        (":zzz", "there is no command :zzz; the commands: :jobs"),
        (":job", ":job needs a NAME: :job NAME"),
        (":jobs run-1", ":jobs takes nothing, but was given 'run-1'"),
        (":profile a b", ":profile takes one NAME, but was given 'a b'"),
    ],
)
def test_a_line_that_is_not_a_command_says_what_would_be(line: str, says: str) -> None:
    with pytest.raises(CommandError) as caught:
        parse(line)
    assert says in str(caught.value)


def test_every_command_is_documented_and_reads_back() -> None:
    for spec in COMMANDS:
        assert spec.doc
        line = f":{spec.name}" + (" x" if spec.arg else "")
        assert parse(line).name == spec.name


def test_the_word_at_the_end_matches_from_its_commands_kind() -> None:
    assert word_at_end(":jo", candidates).matches == ["jobs", "job"]
    assert word_at_end(":job run-1", candidates).matches == ["run-1", "run-10", "run-11"]
    assert word_at_end(":region eu-w", candidates).matches == ["eu-west-1", "eu-west-2"]
    assert word_at_end(":help x", candidates).matches == []  # takes nothing
    assert word_at_end(":job a b", candidates).matches == []  # one name only


def test_tab_completes_as_far_as_the_matches_agree_then_steps_through_them() -> None:
    tab = Completer(candidates).tab
    assert tab(":prof") == ":profile "  # one match, and it takes a name
    assert tab(":tu") == ":tuning"  # one match, and it takes nothing
    assert tab(":pro") == ":processing"  # :processing and :profile: the first, then Tab…
    assert tab(":processing") == ":profile"  # …steps to the next
    assert tab(":jobs") == ":jobs"  # whole, takes nothing
    assert tab(":job tr") == ":job train-a"
    assert tab(":job zz") == ":job zz"  # nothing matches: unchanged
    assert tab(":region e") == ":region eu-"  # as far as they agree
    line = tab(":region eu-west")
    assert line == ":region eu-west-"
    steps = [line := tab(line)]
    steps += [line := tab(line), line := tab(line)]
    assert steps == [":region eu-west-1", ":region eu-west-2", ":region eu-west-1"]


def test_a_typed_change_ends_the_stepping() -> None:
    completer = Completer(candidates)
    line = completer.tab(":job run-1")  # run-1, run-10, run-11 agree on run-1: step
    assert line == ":job run-1"
    assert completer.tab(line) == ":job run-10"
    assert completer.tab(":job run-11") == ":job run-11"  # typed: a fresh completion
