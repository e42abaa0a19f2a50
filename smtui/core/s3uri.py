"""`s3://bucket/key` URIs, split and joined the same way everywhere."""

from __future__ import annotations

from dataclasses import dataclass

from smtui.core.errors import UsageError


@dataclass(frozen=True)
class S3Uri:
    bucket: str
    key: str
    """The key or prefix, without a leading slash; '' for the bucket's root."""

    @classmethod
    def parse(cls, uri: str) -> S3Uri:
        """Split `s3://bucket/key`; raises `UsageError` for anything else."""
        if not uri.startswith("s3://"):
            raise UsageError(f"'{uri}' is not an s3:// URI")
        bucket, _, key = uri[5:].partition("/")
        if not bucket:
            raise UsageError(f"'{uri}' has no bucket name")
        return cls(bucket, key)

    @property
    def folder(self) -> S3Uri:
        """This location as a folder: with a trailing slash, `data/` never matches `data-old/`."""
        if not self.key or self.key.endswith("/"):
            return self
        return S3Uri(self.bucket, self.key + "/")

    def child(self, name: str) -> S3Uri:
        return S3Uri(self.bucket, self.folder.key + name)

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.key}"
