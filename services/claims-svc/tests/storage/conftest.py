"""Both storage backends for the same tests: the local directory, and an S3 bucket on a real local
HTTP server speaking the S3 API (moto's server; boto3 talks to it over the network as to any bucket)."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]  # boto3 ships no type hints, as in claims_svc.storage.s3
import httpx
import pytest
from cheyou_kit.testing import app_client
from claims_svc.config import Settings
from claims_svc.main import create_app
from claims_svc.storage import FileStorage
from claims_svc.storage.local import LocalDirectoryStorage
from claims_svc.storage.s3 import S3Location, S3Storage
from moto.server import ThreadedMotoServer
from pydantic import SecretStr

REGION = "cn-north-1"
CREDENTIALS = {"access_key_id": "claims-test", "secret_access_key": "claims-test-secret"}


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="session")
def s3_admin(s3_endpoint: str) -> Any:
    """A plain boto3 client, to look into buckets behind the storage's back."""
    return boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["access_key_id"],
        aws_secret_access_key=CREDENTIALS["secret_access_key"],
    )


def new_bucket(s3_admin: Any) -> str:
    name = f"claims-{uuid.uuid4().hex[:12]}"
    s3_admin.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return name


def s3_location(endpoint: str, bucket: str, **overrides: Any) -> S3Location:
    return S3Location(
        bucket=bucket,
        endpoint_url=endpoint,
        region=REGION,
        path_style=True,
        access_key_id=CREDENTIALS["access_key_id"],
        secret_access_key=CREDENTIALS["secret_access_key"],
        **overrides,
    )


async def files_under(root: Path, prefix: str) -> list[str]:
    """Keys of the files in a local storage directory that start with ``prefix`` (as S3 lists them)."""

    def walk() -> list[str]:
        keys = (p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
        return sorted(k for k in keys if k.startswith(prefix))

    return await asyncio.to_thread(walk)


@dataclass
class Backend:
    """One storage backend under test: a fresh storage, and how to list what it holds."""

    name: str
    open: Callable[[], FileStorage]
    keys: Callable[[str], Awaitable[list[str]]]


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest, tmp_path: Path, s3_endpoint: str, s3_admin: Any) -> Backend:
    if request.param == "local":
        return Backend("local", lambda: LocalDirectoryStorage(tmp_path), lambda p: files_under(tmp_path, p))
    bucket = new_bucket(s3_admin)

    async def s3_keys(prefix: str) -> list[str]:
        listing = await asyncio.to_thread(s3_admin.list_objects_v2, Bucket=bucket, Prefix=prefix)
        return sorted(o["Key"] for o in listing.get("Contents", []))

    return Backend("s3", lambda: S3Storage(s3_location(s3_endpoint, bucket)), s3_keys)


@pytest.fixture
async def storage(backend: Backend) -> AsyncIterator[FileStorage]:
    opened = backend.open()
    await opened.start()
    yield opened
    await opened.stop()


@dataclass
class ServedBackend:
    """The whole app on one storage backend: its HTTP client and what its storage holds."""

    name: str
    client: httpx.AsyncClient
    keys: Callable[[str], Awaitable[list[str]]]


@pytest.fixture(scope="session")
async def s3_bucket(s3_admin: Any) -> str:
    return new_bucket(s3_admin)


@pytest.fixture(scope="package")
async def s3_client(
    service_settings: Settings, s3_endpoint: str, s3_bucket: str
) -> AsyncIterator[httpx.AsyncClient]:
    """A second app on the same database, keeping its files in the bucket (as configured in production)."""
    settings = service_settings.model_copy(
        update={
            "s3_bucket": s3_bucket,
            "s3_endpoint_url": s3_endpoint,
            "s3_region": REGION,
            "s3_access_key_id": CREDENTIALS["access_key_id"],
            "s3_secret_access_key": SecretStr(CREDENTIALS["secret_access_key"]),
            "s3_path_style": True,
            "consumers_enabled": False,  # the local app's consumers already feed the shared database
        }
    )
    async with app_client(create_app(settings)) as http:
        yield http


@pytest.fixture(params=["local", "s3"])
async def served(
    request: pytest.FixtureRequest,
    client: httpx.AsyncClient,
    s3_client: httpx.AsyncClient,
    service_settings: Settings,
    s3_admin: Any,
    s3_bucket: str,
) -> ServedBackend:
    if request.param == "local":
        root = Path(service_settings.storage_dir)

        return ServedBackend("local", client, lambda p: files_under(root, p))

    async def s3_keys(prefix: str) -> list[str]:
        listing = await asyncio.to_thread(s3_admin.list_objects_v2, Bucket=s3_bucket, Prefix=prefix)
        return sorted(o["Key"] for o in listing.get("Contents", []))

    return ServedBackend("s3", s3_client, s3_keys)
