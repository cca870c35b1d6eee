"""The storage contract, run against the local directory and an S3 bucket alike."""

import uuid

import pytest
from cheyou_kit.testing import eventually
from claims_svc.storage import FileStorage
from claims_svc.storage.s3 import S3Storage
from claims_svc.storage.transactions import delete_after_commit, put_for_transaction
from sqlalchemy.ext.asyncio import AsyncSession

from .conftest import Backend, s3_location

JPEG = b"\xff\xd8\xff\xe0 a photo"
PDF = b"%PDF-1.4 a scan"


def a_key(extension: str = "jpg") -> str:
    return f"claims/{uuid.uuid4()}/photos/{uuid.uuid4()}.{extension}"


async def gone(storage: FileStorage, key: str) -> bool | None:
    """True once ``key`` is not there (for deletions that finish in the background)."""
    try:
        await storage.get(key)
    except FileNotFoundError:
        return True
    return None


class TestPutAndGet:
    async def test_what_is_put_comes_back_with_its_content_type(self, storage: FileStorage) -> None:
        photo, scan = a_key("jpg"), a_key("pdf")

        await storage.put(photo, JPEG, "image/jpeg")
        await storage.put(scan, PDF, "application/pdf")

        assert (await storage.get(photo)).data == JPEG
        assert (await storage.get(photo)).content_type == "image/jpeg"
        assert (await storage.get(scan)).content_type == "application/pdf"

    async def test_a_second_put_replaces_the_object(self, storage: FileStorage, backend: Backend) -> None:
        key = a_key()
        await storage.put(key, JPEG, "image/jpeg")

        await storage.put(key, JPEG + b" again", "image/jpeg")

        assert (await storage.get(key)).data == JPEG + b" again"
        assert await backend.keys(key) == [key]

    async def test_a_missing_object_is_file_not_found(self, storage: FileStorage) -> None:
        with pytest.raises(FileNotFoundError):
            await storage.get(a_key())

    async def test_a_type_the_key_does_not_name_is_refused_and_nothing_is_stored(
        self, storage: FileStorage, backend: Backend
    ) -> None:
        key = a_key("jpg")

        with pytest.raises(ValueError, match="does not name"):
            await storage.put(key, PDF, "application/pdf")

        assert await backend.keys(key.rsplit("/", 1)[0]) == []

    @pytest.mark.parametrize(
        "key", ["../escape.jpg", "/etc/x.jpg", "claims//x.jpg", "claims/../x.jpg", ".hidden.jpg"]
    )
    async def test_an_unsafe_key_is_refused(self, storage: FileStorage, backend: Backend, key: str) -> None:
        with pytest.raises(ValueError, match="invalid storage key"):
            await storage.put(key, JPEG, "image/jpeg")

        assert await backend.keys("") == []


class TestDelete:
    async def test_a_deleted_object_is_gone_and_deleting_again_is_fine(self, storage: FileStorage) -> None:
        key = a_key()
        await storage.put(key, JPEG, "image/jpeg")

        await storage.delete(key)
        await storage.delete(key)

        assert await gone(storage, key)

    async def test_a_discarded_object_goes_without_awaiting(self, storage: FileStorage) -> None:
        key = a_key()
        await storage.put(key, JPEG, "image/jpeg")

        storage.discard(key)

        assert await eventually(lambda: gone(storage, key))

    async def test_stopping_finishes_pending_discards(self, backend: Backend) -> None:
        storage = backend.open()
        await storage.start()
        keys = [a_key() for _ in range(20)]
        for key in keys:
            await storage.put(key, JPEG, "image/jpeg")

        for key in keys:
            storage.discard(key)
        await storage.stop()

        assert await backend.keys("claims/") == []


class TestTransactions:
    async def test_a_file_put_for_a_transaction_that_rolls_back_is_deleted(
        self, session: AsyncSession, storage: FileStorage
    ) -> None:
        key = a_key()
        await put_for_transaction(session, storage, key, JPEG, "image/jpeg")
        assert (await storage.get(key)).data == JPEG

        await session.rollback()

        assert await eventually(lambda: gone(storage, key))

    async def test_a_file_put_for_a_transaction_that_commits_stays(
        self, session: AsyncSession, storage: FileStorage
    ) -> None:
        kept, rolled_back = a_key(), a_key()
        await put_for_transaction(session, storage, kept, JPEG, "image/jpeg")
        await session.commit()
        await put_for_transaction(session, storage, rolled_back, JPEG, "image/jpeg")

        await session.rollback()

        assert await eventually(lambda: gone(storage, rolled_back))
        assert (await storage.get(kept)).data == JPEG

    async def test_a_released_savepoint_does_not_save_the_file_from_an_outer_rollback(
        self, session: AsyncSession, storage: FileStorage
    ) -> None:
        key = a_key()
        await put_for_transaction(session, storage, key, JPEG, "image/jpeg")
        async with session.begin_nested():
            pass

        await session.rollback()

        assert await eventually(lambda: gone(storage, key))

    async def test_a_file_whose_row_is_deleted_goes_only_when_the_deletion_commits(
        self, session: AsyncSession, storage: FileStorage
    ) -> None:
        key = a_key()
        await storage.put(key, JPEG, "image/jpeg")
        delete_after_commit(session, storage, key)
        await session.rollback()
        assert (await storage.get(key)).data == JPEG

        delete_after_commit(session, storage, key)
        await session.commit()

        assert await eventually(lambda: gone(storage, key))


class TestReadiness:
    async def test_a_usable_storage_passes_its_check(self, storage: FileStorage) -> None:
        await storage.check()

    async def test_a_bucket_that_does_not_exist_fails_the_check(self, s3_endpoint: str) -> None:
        storage = S3Storage(s3_location(s3_endpoint, f"claims-missing-{uuid.uuid4().hex[:8]}"))
        try:
            with pytest.raises(Exception, match=r"404|NoSuchBucket|Not Found"):
                await storage.check()
        finally:
            await storage.stop()
