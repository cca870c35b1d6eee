from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from member_svc.members.schemas import Interest

Need = Literal[
    "car_wash", "annual_inspection", "violation_handling", "licence_affairs", "designated_driving",
    "roadside_rescue", "maintenance", "fuel_discount", "airport_vip", "hotel_booking", "car_purchase",
    "home_cleaning", "self_drive_tours", "family_events", "insurance_advice", "fresh_food",
]  # fmt: skip
"""Services a member can say they want (the seed's privileges and activities)."""
QuestionKind = Literal["single", "multiple", "text"]
SurveyStatus = Literal["draft", "published", "closed"]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class NeedsSurveyOption(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Code
    label: Label
    interests: list[Interest] = Field(default_factory=list, max_length=14)
    """Interests a member who picks it gets (e.g. 自驾游 → ``self_drive``)."""
    needs: list[Need] = Field(default_factory=list, max_length=16)


class NeedsSurveyQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Code
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    kind: QuestionKind
    required: bool = True
    options: list[NeedsSurveyOption] = Field(default_factory=list, max_length=12)

    @model_validator(mode="after")
    def _options(self) -> NeedsSurveyQuestion:
        if self.kind == "text" and self.options:
            raise ValueError(f"questions.{self.code}.options: a free-text question has no options")
        if self.kind != "text" and len(self.options) < 2:
            raise ValueError(f"questions.{self.code}.options: a choice needs at least two options")
        codes = [option.code for option in self.options]
        if len(set(codes)) != len(codes):
            raise ValueError(f"questions.{self.code}.options: each option code once")
        return self


class NeedsSurveyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Label
    intro: Annotated[str, Field(max_length=1000)] = ""
    questions: Annotated[list[NeedsSurveyQuestion], Field(min_length=1, max_length=20)]

    @model_validator(mode="after")
    def _codes(self) -> NeedsSurveyCreate:
        codes = [question.code for question in self.questions]
        if len(set(codes)) != len(codes):
            raise ValueError("questions: each question code once")
        return self


class NeedsSurveyRead(BaseModel):
    id: uuid.UUID
    title: str
    intro: str
    status: SurveyStatus
    questions: list[NeedsSurveyQuestion]
    created_at: datetime
    published_at: datetime | None
    closed_at: datetime | None
    answered: bool | None = None
    """For a member: whether they answered it already."""


class NeedsSurveyAnswerItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: Code
    options: list[Code] = Field(default_factory=list, max_length=12)
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] | None = None


class NeedsSurveyAnswerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: Annotated[list[NeedsSurveyAnswerItem], Field(min_length=1, max_length=20)]


class NeedsSurveyAnswerRead(BaseModel):
    survey_id: uuid.UUID
    answered_at: datetime
    interests: list[str]
    """The member's interests now (the answer's added to what they had)."""
    needs: list[str]


class NeedsSurveyOptionResult(BaseModel):
    code: str
    label: str
    count: int


class NeedsSurveyText(BaseModel):
    text: str
    answered_at: datetime


class NeedsSurveyQuestionResult(BaseModel):
    code: str
    text: str
    kind: QuestionKind
    answered: int
    """Members who answered this question."""
    options: list[NeedsSurveyOptionResult]
    texts: list[NeedsSurveyText]
    """Free texts, newest first (at most 100)."""


class NeedsSurveyResults(BaseModel):
    survey_id: uuid.UUID
    title: str
    status: SurveyStatus
    answers: int
    questions: list[NeedsSurveyQuestionResult]
