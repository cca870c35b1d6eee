"""Objects in an S3-compatible bucket (production: any service speaking the S3 API).

boto3 is synchronous; its calls run on a thread pool of this storage's own, sized like its connection
pool, so a surge of uploads neither blocks the event loop nor starves the default executor.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import boto3  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from claims_svc.storage import StoredFile, checked_key

T = TypeVar("T")
log = logging.getLogger(__name__)
_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})


@dataclass(frozen=True)
class S3Location:
    """Where the bucket is and how to sign for it (no credentials: boto3's default chain, e.g. IRSA)."""

    bucket: str
    endpoint_url: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    key_prefix: str = ""
    path_style: bool = False
    max_connections: int = 16


class S3Storage:
    def __init__(self, location: S3Location) -> None:
        self.location = location
        self.bucket = location.bucket
        self._client: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=location.endpoint_url,
            region_name=location.region,
            aws_access_key_id=location.access_key_id,
            aws_secret_access_key=location.secret_access_key,
            config=Config(
                max_pool_connections=location.max_connections,
                connect_timeout=5,
                read_timeout=30,
                retries={"mode": "standard", "max_attempts": 3},
                s3={"addressing_style": "path" if location.path_style else "auto"},
            ),
        )
        self._executor = ThreadPoolExecutor(location.max_connections, thread_name_prefix="claims-s3")

    def object_key(self, key: str) -> str:
        return f"{self.location.key_prefix}{checked_key(key)}"

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        checked_key(key, content_type)
        await self._run(
            self._client.put_object,
            Bucket=self.bucket,
            Key=self.object_key(key),
            Body=data,
            ContentType=content_type,
        )

    async def get(self, key: str) -> StoredFile:
        return await self._run(self._read, self.object_key(key))

    async def delete(self, key: str) -> None:
        await self._run(self._client.delete_object, Bucket=self.bucket, Key=self.object_key(key))

    def discard(self, key: str) -> None:
        self._executor.submit(self._delete_quietly, self.object_key(key))

    async def check(self) -> None:
        await self._run(self._client.head_bucket, Bucket=self.bucket)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        await asyncio.to_thread(self._executor.shutdown, wait=True)  # pending discards finish first
        self._client.close()

    async def _run(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: call(*args, **kwargs))

    def _read(self, object_key: str) -> StoredFile:
        try:
            response = self._client.get_object(Bucket=self.bucket, Key=object_key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                raise FileNotFoundError(object_key) from None
            raise
        with response["Body"] as body:
            data: bytes = body.read()
        return StoredFile(data=data, content_type=str(response["ContentType"]))

    def _delete_quietly(self, object_key: str) -> None:
        try:
            self._client.delete_object(Bucket=self.bucket, Key=object_key)
        except Exception:  # best effort: an orphaned object has no row, the API never serves it
            log.warning("could not delete s3://%s/%s", self.bucket, object_key, exc_info=True)
