"""Resolve the training image URI, using the SageMaker SDK's bundled tables for shorthands.

`sagemaker.core` takes about two seconds to import, so it is imported here, inside the
function, and only when a config uses `image: {framework, version}`.
"""

from __future__ import annotations

from smtui.core.errors import ConfigError, Problem
from smtui.core.spec import JobSpec

LOCAL_IMAGE = "smtui-local"
"""What the local backend records as the image when the config names none."""


def resolve_image_uri(spec: JobSpec) -> str:
    """The image URI for `spec`: `image-uri` as given, or the shorthand resolved offline."""
    if spec.image_uri:
        return spec.image_uri
    if spec.image is None:
        if spec.backend == "local":
            return LOCAL_IMAGE
        raise ConfigError(
            Problem("missing: set submit.image-uri or submit.image", "submit.image-uri")
        )
    origin = spec.origin("image")
    if not spec.region:
        raise ConfigError(
            origin.problem(
                "the image shorthand needs a region: set submit.region, AWS_REGION or --region",
                "submit.image",
            )
        )
    from sagemaker.core import image_uris

    shorthand = spec.image
    try:
        uri: str = image_uris.retrieve(
            shorthand.framework,
            region=spec.region,
            version=shorthand.version,
            py_version=shorthand.py_version,
            instance_type=spec.instance_type,
            image_scope="training",
            base_framework_version=shorthand.base_framework,
        )
    except (ValueError, KeyError, TypeError) as exc:
        message = str(exc).strip().strip('"') or type(exc).__name__
        raise ConfigError(
            origin.problem(
                f"cannot resolve {shorthand.framework} {shorthand.version}: {message}",
                "submit.image",
            )
        ) from None
    return uri
