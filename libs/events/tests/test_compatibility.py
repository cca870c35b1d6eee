"""The compatibility checker, on schemas pydantic emits for two versions of the same model."""

from enum import StrEnum
from typing import Annotated, Literal

from cheyou_events.compatibility import check_compatible
from pydantic import AwareDatetime, BaseModel, Field


class Tier(StrEnum):
    ORDINARY = "ordinary"
    THREE_STAR = "three_star"


class NarrowTier(StrEnum):
    ORDINARY = "ordinary"


class WideTier(StrEnum):
    ORDINARY = "ordinary"
    THREE_STAR = "three_star"
    FIVE_STAR = "five_star"


class Line(BaseModel):
    sku: str
    quantity: Annotated[int, Field(ge=1)]


class Base(BaseModel):
    member_id: str
    tier: Tier
    reason: Literal["renewal", "manual"]
    amount_fen: Annotated[int, Field(ge=0)]
    note: str | None = None
    lines: list[Line]
    at: AwareDatetime


def problems(new_model: type[BaseModel]) -> list[str]:
    return [str(p) for p in check_compatible(Base.model_json_schema(), new_model.model_json_schema())]


class TestCompatibleChanges:
    def test_the_same_schema(self) -> None:
        assert problems(Base) == []

    def test_adding_an_optional_property(self) -> None:
        class New(Base):
            channel: str | None = None
            retries: int = 0

        assert problems(New) == []

    def test_making_a_required_property_optional(self) -> None:
        class New(Base):
            reason: Literal["renewal", "manual"] = "manual"

        assert problems(New) == []

    def test_widening_an_enum_and_a_literal(self) -> None:
        class New(Base):
            tier: WideTier  # type: ignore[assignment]
            reason: Literal["renewal", "manual", "batch"]  # type: ignore[assignment]

        assert problems(New) == []

    def test_loosening_a_constraint_and_editing_docs(self) -> None:
        class New(Base):
            """Now with a docstring."""

            amount_fen: int = Field(description="in fen")

        assert problems(New) == []


class TestBreakingChanges:
    def test_removing_a_property(self) -> None:
        class New(BaseModel):
            member_id: str
            tier: Tier
            reason: Literal["renewal", "manual"]
            amount_fen: Annotated[int, Field(ge=0)]
            lines: list[Line]
            at: AwareDatetime

        assert problems(New) == ["$.note: property removed (or renamed)"]

    def test_renaming_a_property(self) -> None:
        class New(BaseModel):
            customer_id: str
            tier: Tier
            reason: Literal["renewal", "manual"]
            amount_fen: Annotated[int, Field(ge=0)]
            note: str | None = None
            lines: list[Line]
            at: AwareDatetime

        assert sorted(problems(New)) == [
            "$.customer_id: new required property",
            "$.member_id: property removed (or renamed)",
        ]

    def test_adding_a_required_property(self) -> None:
        class New(Base):
            channel: str

        assert problems(New) == ["$.channel: new required property"]

    def test_making_an_optional_property_required(self) -> None:
        class New(Base):
            note: str

        assert "$.note: property became required" in problems(New)

    def test_changing_a_type(self) -> None:
        class New(Base):
            amount_fen: float  # type: ignore[assignment]

        assert problems(New) == ["$.amount_fen: type changed from integer to number"]

    def test_changing_a_format(self) -> None:
        class New(Base):
            at: str  # type: ignore[assignment]

        assert problems(New) == ["$.at: format changed from date-time to None"]

    def test_making_a_property_nullable(self) -> None:
        class New(Base):
            member_id: str | None  # type: ignore[assignment]

        assert problems(New) == ["$.member_id: now also accepts null: a changed type"]

    def test_narrowing_an_enum(self) -> None:
        class New(Base):
            tier: NarrowTier  # type: ignore[assignment]

        assert problems(New) == ["$.tier: enum narrowed: ['three_star'] no longer allowed"]

    def test_narrowing_a_literal(self) -> None:
        class New(Base):
            reason: Literal["renewal"]

        assert problems(New) == ["$.reason: enum narrowed: ['manual'] no longer allowed"]

    def test_tightening_a_constraint(self) -> None:
        class New(Base):
            amount_fen: Annotated[int, Field(ge=100)]

        assert problems(New) == ["$.amount_fen: minimum tightened to 100"]

    def test_a_change_inside_a_nested_model_in_a_list(self) -> None:
        class NewLine(BaseModel):
            sku: str
            quantity: Annotated[int, Field(ge=1)]
            warehouse: str

        class New(Base):
            lines: list[NewLine]  # type: ignore[assignment]

        assert problems(New) == ["$.lines[].warehouse: new required property"]

    def test_forbidding_extra_properties(self) -> None:
        class New(Base, extra="forbid"):
            pass

        assert problems(New) == ["$: additional properties are now forbidden"]

    def test_a_keyword_it_cannot_judge_counts_as_breaking(self) -> None:
        old = {"type": "object", "properties": {"a": {"type": "string"}}}
        new = {"type": "object", "properties": {"a": {"type": "string", "contentEncoding": "base64"}}}

        assert [str(p) for p in check_compatible(old, new)] == [
            "$.a: changed keyword 'contentEncoding', which this checker cannot judge"
        ]
