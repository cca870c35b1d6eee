"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Conflict, NotFound, Unprocessable


class SurveyNotFound(NotFound):
    slug = "needs-survey-not-found"
    title = "No such survey"


class SurveyNotOpen(Conflict):
    slug = "needs-survey-not-open"
    title = "The survey takes no answers"


class SurveyNotDraft(Conflict):
    slug = "needs-survey-not-draft"
    title = "Only a draft survey can be published"


class AlreadyAnswered(Conflict):
    slug = "needs-survey-already-answered"
    title = "The member answered this survey already"


class InvalidAnswer(Unprocessable):
    slug = "needs-survey-invalid-answer"
    title = "The answer does not fit the survey's questions"


class MemberNotFound(NotFound):
    slug = "member-not-found"
    title = "No such member"
