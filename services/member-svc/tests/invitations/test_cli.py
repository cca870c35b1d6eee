"""``python -m member_svc.invitations``: the ops CLI, run as a process against the test database."""

import asyncio
import csv
import os
import sys
from pathlib import Path

import httpx
from cheyou_kit.identity import Role
from cheyou_kit.testing import Identities
from member_svc.config import Settings

from ..factories import id_number, phone  # noqa: TID252

HEADER = "name,id_number,phone,region_code,plate,vin,manager_id"


async def run_cli(settings: Settings, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "member_svc.invitations",
        *args,
        env={
            **os.environ,
            "MEMBER_DATABASE_URL": settings.sqlalchemy_url,
            "MEMBER_DEV_KEY_FILE": str(settings.dev_key_file.resolve()),
            **({"MEMBER_PII_KEY": settings.pii_key} if settings.pii_key else {}),
            **({"MEMBER_PII_HASH_KEY": settings.pii_hash_key} if settings.pii_hash_key else {}),
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def who(client: httpx.AsyncClient, identities: Identities, number: str) -> dict[str, str] | None:
    response = await client.post(
        "/api/v1/members/identify",
        json={"phone": number},
        headers=identities.headers("member-svc", Role.SERVICE),
    )
    return response.json() if response.status_code == 200 else None


class TestImportCli:
    async def test_a_report_per_row_and_a_rerun_creates_no_duplicates(
        self, client: httpx.AsyncClient, identities: Identities, service_settings: Settings, tmp_path: Path
    ) -> None:
        phones = [phone(), phone(), phone()]
        invitations = tmp_path / "invitations.csv"
        invitations.write_text(
            "\n".join(
                [
                    HEADER,
                    f"陈一,{id_number()},{phones[0]},350102,闽A12345,,manager1",
                    f"陈二,{id_number('female')},{phones[1]},,,,",
                    f"陈三,350102199003070121,{phones[2]},,,,",
                ]
            )
            + "\n",
            encoding="utf-8",
        )
        report = tmp_path / "report.csv"

        code, out, err = await run_cli(service_settings, str(invitations), "--report", str(report))
        first = list(csv.DictReader(report.open(encoding="utf-8")))
        again_code, again_out, _ = await run_cli(service_settings, str(invitations))
        again = list(csv.DictReader((tmp_path / "invitations.report.csv").open(encoding="utf-8")))

        assert code == 0, err
        assert "3 rows: 2 created, 0 already known, 1 invalid" in out
        assert [(r["row"], r["status"]) for r in first] == [
            ("2", "created"),
            ("3", "created"),
            ("4", "invalid"),
        ]
        assert first[2]["errors"].startswith("id_number:")
        invited = [await who(client, identities, p) for p in phones]
        assert [m and m["status"] for m in invited] == ["invited", "invited", None]
        assert [m and m["member_id"] for m in invited[:2]] == [first[0]["member_id"], first[1]["member_id"]]
        assert again_code == 0
        assert "3 rows: 0 created, 2 already known, 1 invalid" in again_out
        assert [r["status"] for r in again] == ["exists", "exists", "invalid"]
        assert [await who(client, identities, p) for p in phones] == invited

    async def test_a_file_without_the_required_columns_is_not_imported(
        self, service_settings: Settings, tmp_path: Path
    ) -> None:
        wrong = tmp_path / "wrong.csv"
        wrong.write_text("foo,bar\n1,2\n", encoding="utf-8")

        code, _, err = await run_cli(service_settings, str(wrong))

        assert code == 1
        assert "missing columns: name, id_number, phone" in err
        assert not (tmp_path / "wrong.report.csv").exists()
