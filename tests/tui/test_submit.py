"""The configs pane and the submit form, end to end against moto and the local backend."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, OptionList, Select, TextArea

from smtui.core.overrides import Overrides
from smtui.services.backend import Backend
from smtui.services.home import smtui_home
from smtui.services.local import local_backend
from smtui.tui.app import SmtuiApp
from smtui.tui.submit import RequestScreen, SubmitScreen
from tests.awsfakes import sagemaker_backend
from tests.tui.conftest import burst, follows_new_job, shown, until


async def open_form(app: SmtuiApp, pilot: object) -> SubmitScreen:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await app.main.mount_views()  # the hidden views mount when first needed
    await until(pilot, lambda: app.configs.spec is not None, "the config resolved")
    await pilot.press("s")
    await until(pilot, lambda: isinstance(app.screen, SubmitScreen), "the form")
    assert isinstance(app.screen, SubmitScreen)
    return app.screen


async def open_request(app: SmtuiApp, pilot: object) -> RequestScreen:
    """`ctrl+d` on the form: the request screen, once it shows."""
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await pilot.press("ctrl+d")
    await until(pilot, lambda: isinstance(app.screen, RequestScreen), "the request")
    assert isinstance(app.screen, RequestScreen)
    return app.screen


async def test_keys_pressed_as_the_app_starts_wait_for_the_hidden_views(project: Path) -> None:
    """The data and configs views mount after the first listing; `s` and `3` pressed
    before that (in one burst with the start) mount them and wait for the config."""
    app = SmtuiApp(local_backend(smtui_home()), config=project, overrides=Overrides())
    async with app.run_test(size=(120, 40)) as pilot:
        assert not app.configs.is_mounted  # not yet: the first frame is the jobs'
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SubmitScreen), "the form")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.main, "the main screen")
        await pilot.press("3")
        assert app.main.view == "configs" and app.configs.display and not app.data.display
        assert not app.main.query_one("#jobs-view").display


async def test_configs_pane_shows_origins_and_reloads_on_change(project: Path) -> None:
    app = SmtuiApp(local_backend(smtui_home()), config=project, overrides=Overrides())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        configs = app.configs
        await until(pilot, lambda: configs.loads == 1, "the first load")
        view = shown(app.query_one("#configs-view"))
        assert "ready to submit" in view and "ml.g5.xlarge" in view and "jobber.yml:20" in view
        # An editor's save: write a new file and rename it over the old one.
        text = project.read_text().replace("ml.g5.xlarge", "ml.g5.huge")
        (project.parent / "tmp.swp").write_text(text)
        (project.parent / "tmp.swp").rename(project)
        await until(pilot, lambda: configs.loads >= 2, "the reload", timeout=5)
        await until(pilot, lambda: "problem" in shown(app.query_one("#configs-view")), "it")
        view = shown(app.query_one("#configs-view"))
        assert "jobber.yml:20" in view and "ml.g5.huge" in view
        (project.parent / "other.yaml").write_text("submit:\n  bucket: b\n")
        await until(
            pilot, lambda: app.query_one("#configs-list", OptionList).option_count == 2, "listed"
        )
        # The form opens on a config with problems and shows them, naming the file's line;
        # nothing can be sent until the file is mended.
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SubmitScreen), "the form")
        form = app.screen
        state = shown(form.query_one("#submit-state"))
        assert "✗" in state and "ml.g5.huge" in state
        assert "jobber.yml:20" in state
        assert form.query_one("#submit-go").disabled
        # A file that cannot be read at all is shown in the pane; the form stays shut.
        await pilot.press("escape")
        project.write_text("submit: [unclosed\n")
        await until(pilot, lambda: configs.spec is None, "the broken file loaded")
        await pilot.press("s")
        assert not isinstance(app.screen, SubmitScreen)
        assert "problem" in shown(app.query_one("#configs-view"))


async def test_submit_a_multi_node_gpu_job_against_moto(
    aws_backend: Backend, project: Path
) -> None:
    app = SmtuiApp(aws_backend, config=project, overrides=Overrides())
    async with app.run_test(size=(120, 50)) as pilot:
        form = await open_form(app, pilot)
        # The picker: filter, GPU only, choose with enter.
        form.query_one("#picker-filter", Input).focus()
        await pilot.press(*"a10g 2xl", "enter", "ctrl+g")
        await pilot.press("enter")
        await until(pilot, lambda: form.query_one("#submit-type", Input).value == "ml.g5.2xlarge",
                    "the picked type")  # fmt: skip
        form.query_one("#submit-count", Input).value = "2"
        await pilot.pause()
        state = shown(form.query_one("#submit-state"))
        assert "no distribution" in state  # two nodes, nothing to coordinate them
        form.query_one("#submit-distribution", Select).value = "torch_distributed"
        form.query_one("#submit-params", TextArea).text = "epochs: 5\nbatch-size=128\nlr=3e-4"
        await pilot.pause()
        state = shown(form.query_one("#submit-state"))
        assert "line 1: 'epochs: 5' is not name=value" in state
        form.query_one("#submit-params", TextArea).text = "epochs=5\nbatch-size=128\nlr=3e-4"
        await pilot.pause()
        preview = shown(form.query_one("#submit-preview"))
        assert "--batch_size 128 --epochs 5 --lr 3e-4" in preview  # as typed: sent as text
        state = shown(form.query_one("#submit-state"))
        assert "no distribution" not in state and "✓ ready" in state
        assert "$3.03/h" in state  # two ml.g5.2xlarge at $1.515 an hour
        request = (await open_request(app, pilot)).request
        assert request["ResourceConfig"] == {
            "InstanceType": "ml.g5.2xlarge", "InstanceCount": 2, "VolumeSizeInGB": 30
        }  # fmt: skip
        await pilot.press("escape", "ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, SubmitScreen), "the submit")
        jobs = sagemaker_backend().training_jobs
        assert len(jobs) == 1
        name = next(iter(jobs))
        described = await follows_new_job(pilot, name)
        assert described["HyperParameters"]["batch_size"] == json.dumps("128")
        assert described["HyperParameters"]["sagemaker_torch_distributed_enabled"] == "true"
        assert described["ResourceConfig"]["InstanceCount"] == 2


async def test_submit_on_the_local_backend_runs_the_script(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project.parent / "code-bundle" / "train.py").write_text(
        "import sys\nprint('argv', sys.argv[1:], flush=True)\n"
    )
    app = SmtuiApp(local_backend(smtui_home()), config=project, overrides=Overrides())
    async with app.run_test(size=(120, 50)) as pilot:
        form = await open_form(app, pilot)
        form.query_one("#picker-filter", Input).focus()
        await pilot.press(*"l4 g6.xl", "enter", "enter")
        await until(pilot, lambda: form.query_one("#submit-type", Input).value == "ml.g6.xlarge",
                    "the picked type")  # fmt: skip
        form.query_one("#submit-count", Input).value = "2"
        form.query_one("#submit-distribution", Select).value = "torch_distributed"
        form.query_one("#submit-params", TextArea).text = "epochs=7"
        await pilot.pause()
        assert "--epochs 7" in shown(form.query_one("#submit-preview"))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.logs.job is not None and app.logs.ended, "the job's end")
        lines = list(app.logs.view.lines)
        for host in ("algo-1", "algo-2"):
            assert f"[{host}] argv ['--epochs', '7']" in lines, lines
        assert app.logs.status == "Completed" and app.jobs.selected == app.logs.job
        assert app.logs.job is not None
        job = await app.backend.jobs.describe_job(app.logs.job)
        assert (job.instance_type, job.instance_count) == ("ml.g6.xlarge", 2)


async def test_app_keys_do_not_reach_through_the_form(aws_backend: Backend, project: Path) -> None:
    app = SmtuiApp(aws_backend, config=project, overrides=Overrides())
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.press("3")
        assert "Stop" not in footer_keys(app)  # the job keys belong to the jobs view
        form = await open_form(app, pilot)
        assert not {"Quit", "Stop", "Download"} & footer_keys(app)
        form.query_one("#submit-go").focus()  # off the text fields, where `q` is a letter
        await pilot.press("q", "x", "1", "s")
        assert app.screen is form and app.is_running
        await pilot.press("escape")
        assert app.screen is app.screen_stack[0]
        await pilot.press("1")
        assert {"Quit", "Stop"} <= footer_keys(app)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SubmitScreen), "the form again")
        await pilot.press("ctrl+q")  # Textual's own quit still works from anywhere
    assert app.return_code == 0


def footer_keys(app: SmtuiApp) -> set[str]:
    """The descriptions of the keys the active screen's footer offers."""
    return {binding.description for _, binding, enabled, _ in app.screen.active_bindings.values()
            if enabled and binding.show}  # fmt: skip


async def test_a_submit_under_way_is_sent_once_and_the_form_waits_for_it(
    aws_backend: Backend, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from smtui.services.submit import submit_spec as real

    release = asyncio.Event()
    calls: list[str] = []

    async def slow_submit(backend: Backend, spec: Any) -> Any:
        calls.append(spec.instance_type)
        await release.wait()  # CreateTrainingJob on a slow link
        return await real(backend, spec)

    monkeypatch.setattr("smtui.tui.submit.submit_spec", slow_submit)
    app = SmtuiApp(aws_backend, config=project, overrides=Overrides())
    async with app.run_test(size=(120, 50)) as pilot:
        form = await open_form(app, pilot)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: calls, "the submit under way")
        await pilot.press("ctrl+s", "escape", "ctrl+d")  # again, cancel, the request
        await pilot.pause()
        await until(pilot, lambda: isinstance(app.screen, RequestScreen), "the request")
        await pilot.press("escape")
        assert app.screen is form and form.sending and calls == ["ml.g5.xlarge"]
        release.set()
        await until(pilot, lambda: app.screen is app.screen_stack[0], "the form closed")
        assert len(sagemaker_backend().training_jobs) == 1


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
async def test_the_forms_problems_are_in_view_where_you_type(
    aws_backend: Backend, project: Path, size: tuple[int, int]
) -> None:
    app = SmtuiApp(aws_backend, config=project, overrides=Overrides())
    async with app.run_test(size=size) as pilot:
        form = await open_form(app, pilot)
        params = form.query_one("#submit-params", TextArea)
        params.focus()
        await pilot.press("ctrl+end", "enter", *"batch_size=9")
        await pilot.pause()
        state = form.query_one("#submit-state")
        on_screen = state.region.intersection(app.screen.region)
        assert on_screen.height == state.region.height > 0
        assert "batch_size" in shown(state) and "✗" in shown(state)
        assert params.region.intersection(app.screen.region).height > 0


async def test_ctrl_g_filters_to_gpus_from_any_field(aws_backend: Backend, project: Path) -> None:
    from textual.widgets import Checkbox

    app = SmtuiApp(aws_backend, config=project, overrides=Overrides())
    async with app.run_test(size=(100, 30)) as pilot:
        form = await open_form(app, pilot)
        form.query_one("#submit-count", Input).focus()
        await pilot.press("ctrl+g")
        assert form.query_one("#picker-gpu", Checkbox).value is True
        form.query_one("#picker-filter", Input).focus()
        await pilot.press("ctrl+g")  # inside the picker: once, not twice
        assert form.query_one("#picker-gpu", Checkbox).value is False


async def test_the_advanced_fields_reach_the_request(aws_backend: Backend, project: Path) -> None:
    from textual.widgets import Checkbox, Collapsible

    app = SmtuiApp(aws_backend, config=project, overrides=Overrides())
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(app, pilot)
        section = form.query_one("#submit-advanced", Collapsible)
        assert section.collapsed  # the config sets none of them: folded away
        section.collapsed = False
        await pilot.pause()
        retry = form.query_one("#submit-retry", Input)
        retry.focus()
        await pilot.press(*"31")
        await pilot.pause()
        state = shown(form.query_one("#submit-state"))
        assert "MaximumRetryAttempts must be at most 30" in state  # the API model's bound
        assert form.query_one("#submit-go").disabled
        for widget_id, text in (
            ("#submit-retry", "3"),
            ("#submit-max-pending", "7200"),
            ("#submit-keep-alive", "900"),
            ("#submit-subnets", "subnet-0a1, subnet-0b2"),
            ("#submit-security-groups", "sg-0c3"),
            ("#submit-volume-kms", "arn:aws:kms:us-east-1:123456789012:key/vol"),
            ("#submit-output-kms", "alias/models"),
        ):
            form.query_one(widget_id, Input).value = text
        for widget_id in ("#submit-tensorboard", "#submit-isolation", "#submit-encryption"):
            form.query_one(widget_id, Checkbox).value = True
        await pilot.pause()
        assert "✓ ready" in shown(form.query_one("#submit-state"))
        request: dict[str, Any] = (await open_request(app, pilot)).request
        job = request["TrainingJobName"]
        assert request["RetryStrategy"] == {"MaximumRetryAttempts": 3}
        assert request["StoppingCondition"]["MaxPendingTimeInSeconds"] == 7200
        resources = request["ResourceConfig"]
        assert resources["KeepAlivePeriodInSeconds"] == 900
        assert resources["VolumeKmsKeyId"] == "arn:aws:kms:us-east-1:123456789012:key/vol"
        assert request["OutputDataConfig"]["KmsKeyId"] == "alias/models"
        assert request["VpcConfig"] == {
            "Subnets": ["subnet-0a1", "subnet-0b2"], "SecurityGroupIds": ["sg-0c3"]
        }  # fmt: skip
        assert request["EnableNetworkIsolation"] is True
        assert request["EnableInterContainerTrafficEncryption"] is True
        assert request["TensorBoardOutputConfig"] == {
            "S3OutputPath": f"s3://my-bucket/custom-run/tensorboard/{job}/",
            "LocalPath": "/opt/ml/output/tensorboard",
        }
        await pilot.press("escape", "ctrl+s")
        await until(pilot, lambda: not isinstance(app.screen, SubmitScreen), "the submit")
        (name,) = sagemaker_backend().training_jobs  # ctrl+s sent the job ctrl+d showed
        described = await follows_new_job(pilot, name)
        assert described["ResourceConfig"]["VolumeKmsKeyId"].endswith("key/vol")


async def test_the_form_can_take_away_what_the_config_sets(
    aws_backend: Backend, project: Path
) -> None:
    from textual.widgets import Checkbox, Collapsible

    project.write_text(
        project.read_text()
        + "  retry-attempts: 2\n  volume-kms-key: alias/vol\n  network-isolation: true\n"
        + "  vpc: {subnets: [subnet-1], security-groups: [sg-1]}\n"
        + "  tensorboard: s3://my-bucket/tb/\n"
    )
    app = SmtuiApp(aws_backend, config=project, overrides=Overrides())
    async with app.run_test(size=(120, 50)) as pilot:
        form = await open_form(app, pilot)
        assert not form.query_one("#submit-advanced", Collapsible).collapsed  # the config's
        assert form.query_one("#submit-subnets", Input).value == "subnet-1"
        first: dict[str, Any] = (await open_request(app, pilot)).request
        assert first["TensorBoardOutputConfig"]["S3OutputPath"] == "s3://my-bucket/tb/"
        await pilot.press("escape")
        for widget_id in ("#submit-retry", "#submit-volume-kms", "#submit-subnets",
                          "#submit-security-groups"):  # fmt: skip
            form.query_one(widget_id, Input).value = ""
        for widget_id in ("#submit-isolation", "#submit-tensorboard"):
            form.query_one(widget_id, Checkbox).value = False
        await pilot.pause()
        assert "✓ ready" in shown(form.query_one("#submit-state"))
        request: dict[str, Any] = (await open_request(app, pilot)).request
        for gone in ("RetryStrategy", "VpcConfig", "EnableNetworkIsolation",
                     "TensorBoardOutputConfig"):  # fmt: skip
            assert gone not in request, gone
        assert "VolumeKmsKeyId" not in request["ResourceConfig"]


async def test_a_form_over_max_cost_says_so_and_ctrl_s_sends_nothing(
    aws_backend: Backend, project: Path
) -> None:
    project.write_text(project.read_text() + "  max-cost: 50\n")
    app = SmtuiApp(aws_backend, config=project, overrides=Overrides())
    async with app.run_test(size=(120, 50)) as pilot:
        form = await open_form(app, pilot)
        state = shown(form.query_one("#submit-state"))
        assert ("cost: $1.41/h on demand; at most $33.79 if it runs its whole max runtime; "
                "with spot $3.38-$33.79") in state  # fmt: skip
        count = form.query_one("#submit-count", Input)
        count.focus()
        burst(app, "end", "backspace", "2", "ctrl+s")  # as one read: typed, then sent
        await until(pilot, lambda: "max-cost" in shown(form.query_one("#submit-state")), "it")
        state = shown(form.query_one("#submit-state"))
        assert "submit.max-cost: the job may cost $67.58 (2 × ml.g5.xlarge" in state
        assert form.query_one("#submit-go").disabled
        await pilot.pause(0.3)
        assert isinstance(app.screen, SubmitScreen) and not sagemaker_backend().training_jobs
        form.query_one("#submit-max-run", Input).value = "3600"
        await until(pilot, lambda: "✓ ready" in shown(form.query_one("#submit-state")), "ready")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: sagemaker_backend().training_jobs, "the job")


async def test_esc_then_ctrl_s_in_one_read_cancels_and_sends_nothing(
    aws_backend: Backend, project: Path
) -> None:
    app = SmtuiApp(aws_backend, config=project, overrides=Overrides())
    async with app.run_test(size=(120, 50)) as pilot:
        await open_form(app, pilot)
        burst(app, "escape", "ctrl+s")  # the form closes first: ctrl+s is for no one
        await until(pilot, lambda: app.screen is app.main, "the main screen")
        await pilot.pause(0.3)
        assert app.screen is app.main and not sagemaker_backend().training_jobs
