"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Conflict, NotFound, Unprocessable


class UnknownSlot(Unprocessable):
    slug = "unknown-slot"
    title = "No such slot in this claim's shot list"


class SlotTaken(Conflict):
    slug = "slot-taken"
    title = "This slot already has a photo"


class SurveyClosed(Conflict):
    slug = "survey-closed"
    title = "Photos cannot be changed at this stage of the claim"


class SurveyIncomplete(Unprocessable):
    slug = "survey-incomplete"
    title = "Required photos are missing"


class PhotoNotFound(NotFound):
    slug = "photo-not-found"
    title = "No such photo"


class SurveyNotFound(NotFound):
    slug = "survey-not-found"
    title = "No such survey in your queue"


class NotYourSurvey(Conflict):
    slug = "not-your-survey"
    title = "Take the survey from the queue before deciding it"


class SurveyAlreadyTaken(Conflict):
    slug = "survey-already-taken"
    title = "The survey is not waiting in the queue (another surveyor may have it)"
