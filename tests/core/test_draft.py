"""The submit form's draft: the config resolved with the form's fields on top."""

from __future__ import annotations

from pathlib import Path

import pytest

from smtui.core.config import resolve_config
from smtui.core.draft import Draft, check_draft
from smtui.core.prices import PriceBook, shipped_book


def test_an_untouched_draft_is_the_config(project: Path) -> None:
    spec = resolve_config(project, None, {})
    checked = check_draft(project, Draft.from_spec(spec), spec, None, {})
    assert checked.ok, checked.problems
    assert checked.spec is not None and checked.spec.instance_type == "ml.g5.xlarge"
    assert str(checked.spec.origin("instance_type")) == f"{project}:20"
    assert [(r.written, r.name, r.value) for r in checked.rows] == [
        ("epochs", "epochs", "5"),
        ("batch-size", "batch_size", "64"),
    ]
    assert [r.origin for r in checked.rows] == ["jobber.yml:25", "jobber.yml:26"]  # beside its name
    assert checked.argv == ["--batch_size", "64", "--epochs", "5"]
    bound = checked.bound
    assert bound is not None
    assert bound.hourly == 1.408  # the shipped us-east-1 price of one ml.g5.xlarge
    assert round(bound.most, 3) == round(1.408 * 24, 3)  # its 86400 s default max runtime
    assert bound.spot[0] == pytest.approx(bound.most * 0.1)  # spot saves up to 90%
    assert bound.spot[1] == bound.most
    assert bound.said(False) == (
        "$1.41/h on demand; at most $33.79 if it runs its whole max runtime; with spot $3.38-$33.79"
    )


def test_form_values_win_and_say_so(project: Path) -> None:
    spec = resolve_config(project, None, {})
    draft = Draft.from_spec(spec).but(
        instance_type="ml.p4d.24xlarge", instance_count="2", distribution="torch_distributed",
        params="epochs=5\nbatch-size=128\nlearning-rate=3e-4", max_run="7200",
    )  # fmt: skip
    checked = check_draft(project, draft, spec, None, {})
    assert checked.ok, checked.problems
    assert checked.spec is not None
    assert checked.spec.instance_count == 2 and str(checked.spec.origin("instance_count")) == "form"
    assert [(r.name, r.origin) for r in checked.rows][1:] == [
        ("batch_size", "form"),
        ("learning_rate", "form"),
    ]
    assert "--learning_rate" in checked.argv
    assert checked.bound is not None
    assert round(checked.bound.most, 3) == round(37.688 * 2 * 2, 3)  # 2 hosts, 2 hours


def test_a_max_cost_it_may_exceed_is_a_problem_on_its_key(project: Path) -> None:
    project.write_text(project.read_text() + "  max-cost: 100\n")
    spec = resolve_config(project, None, {})
    assert spec.max_cost == 100.0
    line = len(project.read_text().splitlines())
    draft = Draft.from_spec(spec).but(instance_type="ml.p4d.24xlarge", instance_count="2",
                                      max_run="7200")  # fmt: skip
    checked = check_draft(project, draft, spec, None, {})
    assert not checked.ok
    assert checked.problems == [
        f"{project}:{line}: submit.max-cost: the job may cost $150.75 (2 × ml.p4d.24xlarge at "
        "$75.38/h for its max runtime of 7200 s), over max-cost $100.00; lower "
        "max-run-seconds or instance-count, or raise max-cost"
    ]
    assert check_draft(project, draft.but(max_run="3600"), spec, None, {}).ok  # $75.38


def test_costs_are_at_the_regions_prices_and_say_when_they_are_not(project: Path) -> None:
    spec = resolve_config(project, None, {})
    regional = PriceBook("eu-west-1", {"ml.g5.xlarge": 1.5}, "Price List API, eu-west-1")
    bound = check_draft(project, Draft.from_spec(spec), spec, None, {}, prices=regional).bound
    assert bound is not None and bound.hourly == 1.5 and bound.source == ""
    guess = shipped_book("eu-west-1", "the Price List API failed: AccessDenied")
    bound = check_draft(project, Draft.from_spec(spec), spec, None, {}, prices=guess).bound
    assert bound is not None and bound.hourly == 1.408
    assert bound.said(True).endswith(
        "on spot $3.38-$33.79 (the shipped us-east-1 table (2026-11), not eu-west-1's own "
        "prices: the Price List API failed: AccessDenied)"
    )


def test_a_max_cost_with_no_price_to_judge_by_refuses(project: Path) -> None:
    project.write_text(project.read_text().replace("ml.g5.xlarge", "ml.p4de.24xlarge")
                       + "  max-cost: 1000\n")  # fmt: skip
    spec = resolve_config(project, None, {})
    checked = check_draft(project, Draft.from_spec(spec), spec, None, {})
    assert checked.bound is None and not checked.ok
    assert "ml.p4de.24xlarge has no price in us-east-1, so smtui cannot tell" in checked.problems[0]


def test_problems_are_listed_as_you_type(project: Path) -> None:
    spec = resolve_config(project, None, {})
    draft = Draft.from_spec(spec).but(
        instance_type="ml.g5.huge", instance_count="two", params="a=1\nA=2\nb-c=1\nb_c=2\nnope",
        use_spot=True, max_wait="60", max_run="3600",
    )  # fmt: skip
    text = "\n".join(check_draft(project, draft, spec, None, {}).problems)
    assert "instance count: 'two' is not a whole number" in text
    assert "hyperparameters line 5: 'nope' is not name=value" in text
    assert "'b_c' and 'b-c'" in text and "both normalise to 'b_c'" in text
    assert "ml.g5.huge" in text


def test_multi_node_without_distribution_warns(project: Path) -> None:
    spec = resolve_config(project, None, {})
    checked = check_draft(project, Draft.from_spec(spec).but(instance_count="4"), spec, None, {})
    assert checked.ok and any("no distribution" in w for w in checked.warnings)


def test_a_broken_file_is_a_problem_not_a_crash(project: Path) -> None:
    spec = resolve_config(project, None, {})
    project.write_text("submit: [unclosed\n")
    checked = check_draft(project, Draft.from_spec(spec), spec, None, {})
    assert checked.spec is None and not checked.ok and checked.problems


def test_limits_are_flagged(project: Path) -> None:
    spec = resolve_config(project, None, {})
    many = "\n".join(f"p{i}=1" for i in range(101))
    problems = check_draft(project, Draft.from_spec(spec).but(params=many), spec, None, {})
    assert any("SageMaker accepts at most 100" in p for p in problems.problems)
    long = check_draft(project, Draft.from_spec(spec).but(params="v=" + "x" * 2501), spec, None, {})
    assert any("limit is 2500" in p for p in long.problems)


def test_the_advanced_fields_are_form_values_and_can_be_emptied(project: Path) -> None:
    project.write_text(project.read_text() + "  retry-attempts: 2\n  keep-alive-seconds: 600\n")
    spec = resolve_config(project, None, {})
    draft = Draft.from_spec(spec)
    assert draft.advanced and (draft.retry_attempts, draft.keep_alive) == ("2", "600")
    changed = draft.but(
        retry_attempts="", keep_alive="1200", subnets="subnet-1 subnet-2", security_groups="sg-1",
        network_isolation=True,
    )  # fmt: skip
    checked = check_draft(project, changed, spec, None, {})
    assert checked.ok, checked.problems
    assert checked.spec is not None
    assert checked.spec.retry_attempts is None  # emptied: back to none, whatever the file says
    assert checked.spec.keep_alive_seconds == 1200
    assert str(checked.spec.origin("keep_alive_seconds")) == "form"
    assert checked.spec.vpc is not None and checked.spec.vpc.subnets == ("subnet-1", "subnet-2")
    assert checked.spec.network_isolation is True
    bad = check_draft(project, changed.but(max_pending="soon", security_groups=""), spec, None, {})
    assert "max pending time: 'soon' is not a whole number" in bad.problems
    assert any("SecurityGroupIds has 0 items" in p for p in bad.problems)
