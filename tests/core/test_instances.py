"""The instance catalogue shipped as package data."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from smtui.core.instances import check_instance_type, load_catalogue
from smtui.core.prices import shipped_book

FAMILIES = (
    "m5 m6i m7i c5 c6i c7i r5 g4dn g5 g6 g6e p3 p3dn p4d p4de p5 p5e p5en trn1 trn1n trn2".split()
)


def test_every_family_a_user_would_pick_is_there() -> None:
    families = {i.family for i in load_catalogue().instances}
    assert set(FAMILIES) <= families


def test_facts_are_sane() -> None:
    for i in load_catalogue().instances:
        assert i.name == f"ml.{i.family}.{i.name.split('.')[2]}"
        assert i.vcpu > 0 and i.memory_gib > 0
        assert (i.accelerator is None) == (i.accelerator_count == 0)
        assert i.price_per_hour is None or 0.05 < i.price_per_hour < 200


def test_gpu_counts_and_memory_agree_with_the_sagemaker_sdk() -> None:
    # The SDK ships GPU counts and memory per instance type for its own use; ours must agree.
    data = resources.files("sagemaker.core").joinpath("image_uri_config/instance_gpu_info.json")
    sdk = json.loads(data.read_text())["us-east-1"]
    catalogue = load_catalogue()
    checked = 0
    for name, info in sdk.items():
        mine = catalogue.get(name)
        if mine is None:
            continue
        checked += 1
        assert mine.accelerator_count == info["Count"], name
        # The SDK lists some GPUs at their usable memory (A10G: 22.3 of 24 GiB).
        mib = mine.total_accelerator_memory_gib * 1024
        assert mib == pytest.approx(info["TotalGpuMemoryInMiB"], rel=0.1), name
    assert checked >= 15


def test_filters_and_costs() -> None:
    catalogue = load_catalogue()
    gpus = catalogue.filter(gpu_only=True)
    assert gpus and all(i.has_gpu for i in gpus)
    g5 = catalogue.filter(family="g5")
    assert [i.name for i in g5][:2] == ["ml.g5.xlarge", "ml.g5.2xlarge"]
    p4d = catalogue.get("ml.p4d.24xlarge")
    assert p4d is not None and p4d.price_per_hour == 37.688
    assert shipped_book().rate([("ml.p4d.24xlarge", 2), ("ml.g5.xlarge", 1)]) == pytest.approx(
        2 * 37.688 + 1.408
    )
    assert shipped_book().rate([("ml.p4de.24xlarge", 1)]) is None  # not listed: unknown


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [
        ("ml.g5.xlarg", "ml.g5.xlarge"),
        ("g5.2xlarge", "ml.g5.2xlarge"),
        ("ml.p4.24xlarge", "ml.p4d.24xlarge"),
    ],
)
def test_unknown_types_name_the_closest(typo: str, suggestion: str) -> None:
    with pytest.raises(ValueError) as info:
        check_instance_type(typo)
    assert suggestion in str(info.value)
