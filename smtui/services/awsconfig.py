"""Facts from the user's AWS configuration files, read without any network call."""

from __future__ import annotations


def configured_region(profile: str | None) -> str | None:
    """The region set for `profile` (or the default profile) in ~/.aws/config, if any.

    botocore is imported here, not at module level: most commands never need it.
    """
    import botocore.exceptions
    import botocore.session

    try:
        session = botocore.session.Session(profile=profile)
        region = session.get_config_variable("region")
    except botocore.exceptions.BotoCoreError:
        return None
    return region if isinstance(region, str) and region else None
