"""The regions SageMaker runs in, as the installed botocore knows them (for the app's
`:region` completion and check)."""

from __future__ import annotations

import functools


@functools.cache
def sagemaker_regions() -> tuple[str, ...]:
    """Every region of every partition (aws, aws-cn, aws-us-gov, …) where botocore's
    endpoint data has SageMaker: read from its files, no network, no credentials."""
    import botocore.session

    session = botocore.session.get_session()
    regions: list[str] = []
    for partition in session.get_available_partitions():
        regions += session.get_available_regions("sagemaker", partition)
    return tuple(sorted(set(regions)))
