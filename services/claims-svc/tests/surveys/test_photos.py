"""The member's side of the guided survey: shot list, validated uploads, submission, service hours."""

import asyncio
import uuid
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from cheyou_kit.identity import Role
from cheyou_kit.testing import eventually
from claims_svc.claims import repository as claims_repository
from claims_svc.config import Settings
from claims_svc.service_hours import expected_surveyor_time
from claims_svc.storage.local import LocalDirectoryStorage
from claims_svc.surveys import service
from sqlalchemy.ext.asyncio import AsyncSession

from ..conftest import Arrange, Published  # noqa: TID252


def stored_files(settings: Settings, claim_id: str) -> list[Path]:
    return sorted(Path(settings.storage_dir).glob(f"claims/{claim_id}/**/*.*"))


class TestGetSurvey:
    async def test_the_shot_list_tells_what_to_shoot_and_how(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)

        survey = (
            await client.get(f"/api/v1/claims/{claim['id']}/survey", headers=arrange.member(member))
        ).json()

        codes = [s["code"] for s in survey["slots"]]
        assert codes[:4] == ["front_view", "rear_view", "contact_point", "side_view"]
        assert {"own_vin", "other_vin", "other_driving_licence", "odometer"} <= set(codes)
        assert all(s["instruction"] for s in survey["slots"])
        assert [s["required"] for s in survey["slots"] if s["code"].startswith("extra")] == [False] * 3
        assert survey["service_hours"] == "08:00–20:00"

    async def test_another_members_survey_is_404(self, client: httpx.AsyncClient, arrange: Arrange) -> None:
        claim = await arrange.claim(uuid.uuid4())

        response = await client.get(f"/api/v1/claims/{claim['id']}/survey", headers=arrange.member())

        assert response.status_code == 404


class TestUploadPhoto:
    async def test_a_photo_is_stored_with_its_exif_time_and_position(
        self, client: httpx.AsyncClient, arrange: Arrange, service_settings: Settings
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)
        taken = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=20)
        data = arrange.jpeg(taken_at=taken)

        response = await arrange.upload(member, claim["id"], "front_view", data)

        assert response.status_code == 201
        photo = response.json()
        assert datetime.fromisoformat(photo["taken_at"]) == taken
        assert abs(photo["gps_latitude"] - 26.0745) < 0.001
        assert photo["flags"] == []
        stored = await asyncio.to_thread(stored_files, service_settings, claim["id"])
        assert [p.read_bytes() for p in stored] == [data]
        content = await client.get(
            f"/api/v1/claims/{claim['id']}/survey/photos/{photo['id']}/content",
            headers=arrange.member(member),
        )
        assert content.content == data
        assert content.headers["content-type"] == "image/jpeg"

    async def test_a_photo_taken_long_before_the_loss_is_flagged(self, arrange: Arrange) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)
        old = arrange.jpeg(taken_at=datetime.now(UTC) - timedelta(days=30))

        response = await arrange.upload(member, claim["id"], "front_view", old)

        assert response.json()["flags"] == ["taken_long_before_loss"]

    async def test_a_photo_taken_far_away_is_flagged(self, arrange: Arrange) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)

        response = await arrange.upload(member, claim["id"], "rear_view", arrange.jpeg(gps=(24.48, 118.09)))

        assert response.json()["flags"] == ["far_from_loss_location"]

    async def test_a_png_is_accepted(self, arrange: Arrange) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)

        response = await arrange.upload(member, claim["id"], "odometer", arrange.jpeg(fmt="PNG", gps=None))

        assert response.status_code == 201
        assert response.json()["content_type"] == "image/png"

    async def test_a_file_that_only_claims_to_be_a_jpeg_is_refused_and_nothing_is_stored(
        self, client: httpx.AsyncClient, arrange: Arrange, service_settings: Settings
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)

        response = await arrange.upload(member, claim["id"], "front_view", b"MZ\x90\x00 not a picture")

        assert response.status_code == 415
        assert response.json()["field"] == "file"
        assert await asyncio.to_thread(stored_files, service_settings, claim["id"]) == []
        survey = (
            await client.get(f"/api/v1/claims/{claim['id']}/survey", headers=arrange.member(member))
        ).json()
        assert all(s["photo"] is None for s in survey["slots"])

    async def test_a_truncated_jpeg_is_refused(self, arrange: Arrange) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)

        response = await arrange.upload(
            member, claim["id"], "front_view", arrange.jpeg(size=(400, 300))[:300]
        )

        assert response.status_code == 422
        assert response.json()["type"].endswith("/unreadable-image")

    async def test_an_oversized_file_is_refused(self, arrange: Arrange, service_settings: Settings) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)
        huge = arrange.jpeg() + b"\0" * service_settings.photo_max_bytes

        response = await arrange.upload(member, claim["id"], "front_view", huge)

        assert response.status_code == 413

    async def test_a_slot_not_in_the_shot_list_is_refused(self, arrange: Arrange) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)

        response = await arrange.upload(member, claim["id"], "selfie")

        assert response.status_code == 422
        assert response.json()["field"] == "slot"

    async def test_a_slot_takes_one_photo(self, arrange: Arrange) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)
        await arrange.upload(member, claim["id"], "front_view")

        response = await arrange.upload(member, claim["id"], "front_view")

        assert response.status_code == 409
        assert response.json()["type"].endswith("/slot-taken")

    async def test_a_deleted_photo_frees_its_slot(self, client: httpx.AsyncClient, arrange: Arrange) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)
        first = (await arrange.upload(member, claim["id"], "front_view")).json()

        deleted = await client.delete(
            f"/api/v1/claims/{claim['id']}/survey/photos/{first['id']}", headers=arrange.member(member)
        )
        again = await arrange.upload(member, claim["id"], "front_view")

        assert deleted.status_code == 204
        assert again.status_code == 201

    async def test_nobody_uploads_into_someone_elses_claim(self, arrange: Arrange) -> None:
        claim = await arrange.claim(uuid.uuid4())

        response = await arrange.upload(uuid.uuid4(), claim["id"], "front_view")

        assert response.status_code == 404

    async def test_the_upload_is_published(self, arrange: Arrange, published: Published) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member)
        photo = (await arrange.upload(member, claim["id"], "contact_point")).json()

        async def uploaded() -> dict[str, Any] | None:
            events = await published(claim["id"])
            return next((e for e in events if e["type"] == "cheyou.claims.survey_photo_uploaded.v1"), None)

        event = await eventually(uploaded)
        assert event["photo_id"] == photo["id"]
        assert event["slot"] == "contact_point"


class TestStoredFilesOnRollback:
    async def test_a_file_stored_for_a_transaction_that_rolls_back_is_deleted(
        self, session: AsyncSession, arrange: Arrange, tmp_path: Path, service_settings: Settings
    ) -> None:
        member = uuid.uuid4()
        claim_id = uuid.UUID((await arrange.claim(member))["id"])
        claim = await claims_repository.get(session, claim_id)
        assert claim is not None
        storage = LocalDirectoryStorage(tmp_path)

        photo = await service.upload_photo(
            session,
            storage,
            claim,
            slot_code="front_view",
            data=arrange.jpeg(),
            settings=service_settings,
            now=datetime.now(UTC),
        )
        written = storage.path(photo.storage_key)
        assert written.exists()
        await session.rollback()

        assert not written.exists()


class TestSubmitSurvey:
    async def test_missing_required_photos_are_named(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()
        claim = await arrange.claim(member, accident_type="single_vehicle", other_party=None)
        await arrange.upload(member, claim["id"], "front_view")

        response = await client.post(
            f"/api/v1/claims/{claim['id']}/survey/submission", headers=arrange.member(member)
        )

        assert response.status_code == 422
        assert "rear_view" in response.json()["missing"]
        assert "车尾后方全景" in response.json()["detail"]

    async def test_a_complete_survey_is_queued_for_the_surveyors(
        self, client: httpx.AsyncClient, arrange: Arrange
    ) -> None:
        member = uuid.uuid4()

        claim = await arrange.submitted(member)

        assert claim["status"] == "survey_submitted"
        queue = await client.get(
            "/api/v1/surveys", params={"limit": 100}, headers=arrange.staff(Role.SURVEYOR, "surveyor9")
        )
        assert claim["id"] in [t["claim_id"] for t in queue.json()["items"]]
        steps = (
            await client.get(f"/api/v1/claims/{claim['id']}/timeline", headers=arrange.member(member))
        ).json()
        assert steps["items"][-1]["code"] == "survey_submitted"
        assert steps["items"][-1]["text"].startswith("照片已提交")

    async def test_photos_cannot_be_changed_after_submission(self, arrange: Arrange) -> None:
        member = uuid.uuid4()
        claim = await arrange.submitted(member)

        response = await arrange.upload(member, claim["id"], "extra_1")

        assert response.status_code == 409


class TestServiceHours:
    async def test_a_survey_submitted_at_night_tells_the_member_when_a_surveyor_will_look(
        self, session: AsyncSession, arrange: Arrange, service_settings: Settings
    ) -> None:
        member = uuid.uuid4()
        claim_id = uuid.UUID((await arrange.photographed(member))["id"])
        claim = await claims_repository.get(session, claim_id, for_update=True)
        assert claim is not None
        fuzhou = ZoneInfo("Asia/Shanghai")
        night = datetime.now(fuzhou).replace(hour=21, minute=30, second=0, microsecond=0)

        event = await service.submit(session, claim, settings=service_settings, now=night)

        assert event.within_service_hours is False
        assert event.expected_by.astimezone(fuzhou) == (night + timedelta(days=1)).replace(hour=8, minute=0)
        steps = (await claims_repository.steps(session, claim_id, cursor=None, limit=100)).rows
        assert steps[-1].code == "survey_submitted"
        assert "非服务时间（每日08:00–20:00）" in steps[-1].text
        tomorrow = night + timedelta(days=1)
        assert f"查勘员将于{tomorrow.month}月{tomorrow.day}日 08:00起为您审核" in steps[-1].text

    def test_within_hours_a_surveyor_looks_now(self) -> None:
        now = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # 11:00 in Fuzhou

        assert expected_surveyor_time(now, time(8), time(20), "Asia/Shanghai") == (True, now)

    def test_late_in_the_evening_the_member_is_told_tomorrow_8_oclock(self) -> None:
        now = datetime(2026, 11, 25, 13, 30, tzinfo=UTC)  # 21:30 in Fuzhou

        within, expected = expected_surveyor_time(now, time(8), time(20), "Asia/Shanghai")

        assert within is False
        assert expected == datetime(2026, 11, 26, 0, 0, tzinfo=UTC)

    def test_before_opening_the_member_is_told_8_oclock_today(self) -> None:
        now = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)  # 05:00 in Fuzhou on the 25th

        _, expected = expected_surveyor_time(now, time(8), time(20), "Asia/Shanghai")

        assert expected == datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
