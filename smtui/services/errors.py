"""Typed service errors with messages a user understands, made from botocore's exceptions.

The CLI prints them as one or two lines and the TUI shows them in its status line; neither
ever shows a traceback for them.
"""

from __future__ import annotations

import re

from smtui.core.errors import SmtuiError


class ServiceError(SmtuiError):
    """An AWS (or local backend) operation failed."""

    retryable = False
    """Whether trying again later may succeed (throttling, an endpoint that went away)."""


class NoCredentials(ServiceError):
    """No AWS credentials were found."""


class AccessDenied(ServiceError):
    """The credentials are not allowed to perform an action."""


class Throttled(ServiceError):
    """AWS kept throttling after botocore's own retries."""

    retryable = True


class NotFound(ServiceError):
    """The job, bucket, object or log group does not exist."""


class Invalid(ServiceError):
    """AWS refused the request's contents (a ValidationException)."""


class InvalidInput(Invalid):
    """The user's input names something the backend refuses before doing anything (a key
    that would leave its local bucket, a channel name outside SageMaker's pattern): bad
    input, exit code 2, as for any other usage error."""

    exit_code = 2


class EndpointUnreachable(ServiceError):
    """The endpoint did not answer (network down, wrong --endpoint-url, server stopped)."""

    retryable = True


class ServiceFailed(ServiceError):
    """Any other service failure; the message carries AWS's own words."""


def translate(exc: Exception, action: str) -> ServiceError:
    """`_translate`, with any password in a URL it quotes (an endpoint's) redacted."""
    from smtui.core.secrets import redact_url

    error = _translate(exc, action)
    if error.args and isinstance(error.args[0], str):
        error.args = (redact_url(error.args[0]), *error.args[1:])
    return error


def _translate(exc: Exception, action: str) -> ServiceError:
    """Turn a botocore/boto3 exception raised by `action` into a `ServiceError`.

    `action` is the API operation in AWS's words (`sagemaker:DescribeTrainingJob`), so an
    access-denied message names what the policy must allow.
    """
    import botocore.exceptions as bce

    if isinstance(exc, ServiceError):
        return exc
    if isinstance(exc, bce.NoCredentialsError | bce.PartialCredentialsError):
        return NoCredentials(
            "no AWS credentials found: run `aws configure`, set AWS_PROFILE or pass --profile"
        )
    if isinstance(exc, bce.ProfileNotFound):
        return NoCredentials(f"{exc}: check --profile / AWS_PROFILE against ~/.aws/config")
    if isinstance(exc, bce.NoRegionError):
        return Invalid("no AWS region: set region in jobber.yml, AWS_REGION, or pass --region")
    if isinstance(exc, bce.EndpointConnectionError | bce.ConnectionClosedError):
        return EndpointUnreachable(f"{action}: cannot reach the endpoint ({exc})")
    if isinstance(exc, bce.ConnectTimeoutError | bce.ReadTimeoutError):
        return EndpointUnreachable(f"{action}: the endpoint timed out ({exc})")
    if isinstance(exc, bce.ClientError):
        return _client_error(exc, action)
    if isinstance(exc, bce.BotoCoreError):
        return ServiceFailed(f"{action}: {exc}")
    if isinstance(exc, OSError) and exc.filename:
        # A local file (an upload's source, a download's target), not the network.
        return ServiceFailed(f"{action}: {exc.filename}: {exc.strerror or exc}")
    if isinstance(exc, OSError):
        return EndpointUnreachable(f"{action}: {exc}")
    return ServiceFailed(f"{action}: {type(exc).__name__}: {exc}")


_THROTTLING = {"ThrottlingException", "Throttling", "TooManyRequestsException", "SlowDown",
               "RequestLimitExceeded", "ProvisionedThroughputExceededException"}  # fmt: skip
_DENIED = {"AccessDenied", "AccessDeniedException", "AccessForbidden", "UnauthorizedOperation",
           "Forbidden", "403"}  # fmt: skip
_MISSING = {"ResourceNotFound", "ResourceNotFoundException", "NoSuchBucket", "NoSuchKey",
            "404", "NotFound"}  # fmt: skip
_CREDENTIALS = {"ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId",
                "UnrecognizedClientException", "InvalidAccessKeyId",
                "SignatureDoesNotMatch"}  # fmt: skip


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
LONGEST = 300
"""Characters of a server's own message kept in ours."""


def readable(message: str, status: object) -> str:
    """A server's error message fit for one line: an HTML page (a proxy's or a load
    balancer's 500) becomes its title, whitespace is folded, and a long one is cut."""
    if "<" in message and _TAG.search(message):
        title = _TITLE.search(message)
        text = _TAG.sub(" ", title.group(1) if title else message)
        message = f"HTTP {status}, an HTML page: {' '.join(text.split()) or 'no text'}"
    message = " ".join(message.split())
    return message if len(message) <= LONGEST else message[: LONGEST - 1] + "…"


def _client_error(exc: Exception, action: str) -> ServiceError:
    response = getattr(exc, "response", {}) or {}
    error = response.get("Error", {})
    code = str(error.get("Code", ""))
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode", code)
    message = readable(str(error.get("Message", "")), status) or code
    if code in _THROTTLING:
        return Throttled(f"{action}: throttled by AWS ({message})")
    if code in _DENIED:
        return AccessDenied(f"access denied: your credentials may not call {action} ({message})")
    if code in _CREDENTIALS:
        return NoCredentials(f"{action}: the AWS credentials were refused ({code}): {message}")
    if code == "NoSuchBucket" and error.get("BucketName"):
        return NotFound(f"{action}: there is no bucket '{error['BucketName']}' (check the name)")
    if code in _MISSING:
        return NotFound(f"{action}: not found ({message})")
    if code == "ValidationException" and (
        "not found" in message.lower() or "could not find" in message.lower()
    ):
        return NotFound(f"{action}: {message}")
    if code in {"ValidationException", "ValidationError", "InvalidParameterException"}:
        return Invalid(f"{action}: {message}")
    return ServiceFailed(f"{action}: {code}: {message}")
