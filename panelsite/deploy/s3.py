"""S3-compatible object storage (AWS S3, Scaleway, OVHcloud, MinIO, Ceph …) through boto3.

The endpoint, credentials and region come from the standard AWS settings, read by boto3 itself:
``AWS_ENDPOINT_URL`` (or ``AWS_ENDPOINT_URL_S3``), ``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY``, ``AWS_DEFAULT_REGION``, ``AWS_PROFILE`` and ``~/.aws/config``.

Every object gets its ``Content-Type`` and ``Cache-Control`` (panelsite.deploy.plan) and a
``Content-MD5``, which every store checks. boto3 1.36 and later also send CRC checksums that many
S3-compatible stores refuse (boto/boto3#4392), so those are sent only when an operation needs
them, unless ``AWS_REQUEST_CHECKSUM_CALCULATION`` says otherwise. A PUT replaces an object at
once: a visitor gets the old object or the new one.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import Callable
from urllib.parse import urlsplit

from panelsite.deploy.plan import STATE_FILE, RemoteFile, SiteFile
from panelsite.deploy.targets import TargetError
from panelsite.errors import ConfigError, Problem

_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
WORKERS = 8  # uploads at a time: object stores answer each PUT in tens of milliseconds


class S3Target:
    def __init__(self, bucket: str, prefix: str, label: str):
        self.bucket = bucket
        self.prefix = prefix  # "" or "a/b/" (ends with /)
        self.label = label
        self._client = None

    @classmethod
    def from_url(cls, url: str) -> "S3Target":
        parts = urlsplit(url)
        bucket = parts.netloc
        if not _BUCKET.match(bucket):
            raise ConfigError(Problem("--to", f'"{url}": "{bucket}" is not a bucket name (expected '
                                              "s3://bucket/prefix, the bucket 3 to 63 lower-case letters, digits, "
                                              "dots and hyphens)"))
        prefix = parts.path.strip("/")
        return cls(bucket, prefix + "/" if prefix else "", f"s3://{bucket}/{prefix + '/' if prefix else ''}")

    @property
    def client(self):
        if self._client is None:
            import boto3
            from botocore.config import Config

            checksums = {} if os.environ.get("AWS_REQUEST_CHECKSUM_CALCULATION") else {
                "request_checksum_calculation": "when_required", "response_checksum_validation": "when_required"}
            config = Config(retries={"mode": "standard", "max_attempts": 5}, max_pool_connections=WORKERS * 2,
                            **checksums)
            self._client = boto3.session.Session().client("s3", config=config)
        return self._client

    def _where(self) -> str:
        endpoint = getattr(self.client.meta, "endpoint_url", None)
        return f" at {endpoint}" if endpoint else ""

    def _failure(self, what: str, exc: Exception) -> TargetError:
        from botocore.exceptions import (
            ClientError,
            EndpointConnectionError,
            NoCredentialsError,
            PartialCredentialsError,
        )

        if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
            return TargetError(f"{what} {self.label}: no S3 credentials (set AWS_ACCESS_KEY_ID and "
                               "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)")
        if isinstance(exc, EndpointConnectionError):
            endpoint = urlsplit(str(exc.kwargs.get("endpoint_url", "")))
            return TargetError(f"{what} {self.label}: cannot reach {endpoint.scheme}://{endpoint.netloc} (check "
                               "AWS_ENDPOINT_URL)")
        if isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            code, message = error.get("Code", "?"), error.get("Message", "")
            if code == "NoSuchBucket":
                return TargetError(f"{what} {self.label}: bucket {self.bucket} does not exist{self._where()}")
            if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403"):
                return TargetError(f"{what} {self.label}: access denied{self._where()} ({code}: check the "
                                   "credentials and the bucket's permissions)")
            return TargetError(f"{what} {self.label}: {code}{': ' + message if message else ''}")
        return TargetError(f"{what} {self.label}: {exc}")

    def _errors(self):
        from botocore.exceptions import BotoCoreError, ClientError

        return (BotoCoreError, ClientError)

    # -- the target --------------------------------------------------------------------
    def inventory(self) -> dict[str, RemoteFile]:
        found = {}
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix):
                for item in page.get("Contents", ()):
                    path = item["Key"][len(self.prefix):]
                    if path and not path.endswith("/"):  # "folder/" markers some consoles make
                        found[path] = RemoteFile(path, item["Size"], item["ETag"])
        except self._errors() as exc:
            raise self._failure("cannot list", exc) from None
        return found

    def read_state(self) -> bytes | None:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.prefix + STATE_FILE)["Body"].read()
        except self.client.exceptions.NoSuchKey:
            return None
        except self._errors() as exc:
            raise self._failure("cannot read the deploy record of", exc) from None

    def _put(self, path: str, data: bytes, content_type: str, cache_control: str) -> str:
        md5 = hashlib.md5(data, usedforsecurity=False).digest()
        answer = self.client.put_object(Bucket=self.bucket, Key=self.prefix + path, Body=data,
                                        ContentType=content_type, CacheControl=cache_control,
                                        ContentMD5=base64.b64encode(md5).decode())
        return answer["ETag"]

    def upload(self, files: list[SiteFile], done: Callable[[SiteFile], None]) -> dict[str, str]:
        def send(file: SiteFile) -> str:
            etag = self._put(file.path, file.local.read_bytes(), file.content_type, file.cache_control)
            done(file)
            return etag

        return dict(zip([f.path for f in files], self._all(send, files, "cannot upload to")))

    def delete(self, paths: list[str], done: Callable[[str], None]) -> None:
        # One DELETE per object: DeleteObjects needs a checksum header that stores disagree on.
        def remove(path: str) -> None:
            self.client.delete_object(Bucket=self.bucket, Key=self.prefix + path)
            done(path)

        self._all(remove, paths, "cannot delete stale files at")

    def _all(self, task, items: list, what: str) -> list:
        """``task`` for every item, several at a time; at the first failure the rest is not started."""
        if not items:
            return []
        with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="s3-deploy") as pool:
            futures = [pool.submit(task, item) for item in items]
            finished, _ = wait(futures, return_when=FIRST_EXCEPTION)
            failed = next((f for f in futures if f.done() and f.exception() is not None), None)
            if failed is not None:
                for future in futures:
                    future.cancel()
                exc = failed.exception()
                if isinstance(exc, self._errors()):
                    raise self._failure(what, exc) from None
                if isinstance(exc, OSError):
                    raise TargetError(f"{what} {self.label}: {exc}") from None
                raise exc
            return [f.result() for f in futures]

    def write_state(self, data: bytes) -> None:
        try:
            self._put(STATE_FILE, data, "application/json; charset=utf-8", "no-store")
        except self._errors() as exc:
            raise self._failure("cannot write the deploy record to", exc) from None
