"""The submit form's draft: the config resolved with the form's fields on top."""

from __future__ import annotations

from pathlib import Path

from smtui.core.config import resolve_config
from smtui.core.draft import Draft, check_draft


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
    assert checked.hourly_cost is not None and checked.max_cost is not None
    assert round(checked.max_cost, 2) == round(checked.hourly_cost * 24, 2)  # 86400 s default


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
    assert checked.max_cost == checked.hourly_cost * 2 if checked.hourly_cost else True


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
