"""The checked-in JSON Schemas are the contract of each event type and version."""

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from cheyou_events import Catalogue, catalogue
from cheyou_events.catalogue import MemberEvent
from cheyou_events.compatibility import check_compatible
from cheyou_events.schemas import (
    EXPORT_COMMAND,
    SCHEMA_DIR,
    BreakingChange,
    breaking_changes,
    export_schemas,
    orphan_schemas,
    schema_of,
    schema_path,
    stale_schemas,
)

RULE = (
    "Within a version only optional properties, wider enums, looser constraints and docs may change; "
    "anything else needs a new type .v<N+1> (see cheyou_events/compatibility.py)."
)


def test_checked_in_schemas_match_the_models() -> None:
    stale = stale_schemas(SCHEMA_DIR)

    assert stale == [], (
        f"schemas out of date for {stale}: run `{EXPORT_COMMAND}` and commit libs/events/schemas"
    )


def test_models_stay_compatible_with_their_checked_in_schemas() -> None:
    changes = breaking_changes(SCHEMA_DIR)

    assert changes == [], "\n\n".join(str(c) for c in changes)


def test_no_checked_in_schema_lost_its_model() -> None:
    assert orphan_schemas(SCHEMA_DIR) == [], "an event type was removed; its consumers still expect it"


def _committed_schema(path: Path) -> dict[str, object] | None:
    git = shutil.which("git")
    if git is None:
        return None
    shown = subprocess.run(
        [git, "show", f"HEAD:./{path.name}"], cwd=path.parent, capture_output=True, text=True, check=False
    )
    return json.loads(shown.stdout) if shown.returncode == 0 else None


def test_models_stay_compatible_with_the_committed_schemas() -> None:
    """Catches a breaking change whose schema file was deleted and exported again."""
    committed = {m.event_type: _committed_schema(schema_path(SCHEMA_DIR, m.event_type)) for m in catalogue}
    if not any(committed.values()):
        pytest.skip("no schema committed yet")

    problems = {
        model.event_type: found
        for model in catalogue
        if (schema := committed[model.event_type]) is not None
        and (found := check_compatible(schema, schema_of(model)))
    }

    assert problems == {}, f"breaking changes against the committed schemas: {problems}. {RULE}"


class TestExport:
    @pytest.fixture
    def scratch_catalogue(self) -> Iterator[None]:
        before = dict(catalogue._models)
        yield
        catalogue._models.clear()
        catalogue._models.update(before)

    def test_writes_one_file_per_type_and_then_nothing(self, tmp_path: Path) -> None:
        written = export_schemas(tmp_path)

        assert len(written) == len(catalogue)
        assert export_schemas(tmp_path) == []
        assert stale_schemas(tmp_path) == []

    @pytest.mark.usefixtures("scratch_catalogue")
    def test_refuses_to_overwrite_a_schema_with_a_breaking_change(self, tmp_path: Path) -> None:
        class MemberWaved(MemberEvent):
            event_type: ClassVar[str] = "cheyou.member.waved.v1"
            member_id: str
            hand: str

        events = Catalogue()
        events.register(MemberWaved)
        export_schemas(tmp_path, events)
        catalogue._models.pop("cheyou.member.waved.v1")

        class MemberWavedAgain(MemberEvent):
            event_type: ClassVar[str] = "cheyou.member.waved.v1"
            member_id: str

        changed = Catalogue()
        changed.register(MemberWavedAgain)

        with pytest.raises(BreakingChange) as raised:
            export_schemas(tmp_path, changed)

        assert "$.hand: property removed" in str(raised.value)
        assert "cheyou.member.waved.v2" in str(raised.value)
        assert stale_schemas(tmp_path, changed) == ["cheyou.member.waved.v1"]  # the old file was kept

    def test_the_command_exports(self, tmp_path: Path) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "cheyou_events", "export-schemas", "--dir", str(tmp_path)],
            capture_output=True,
            text=True,
            check=False,
        )

        assert done.returncode == 0, done.stderr
        assert len(list(tmp_path.glob("*.json"))) == len(catalogue)
