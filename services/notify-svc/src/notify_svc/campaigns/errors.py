"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Conflict, NotFound, Unprocessable


class CampaignNotFound(NotFound):
    slug = "campaign-not-found"


class AudienceNeedsConfirmation(Unprocessable):
    slug = "audience-needs-confirmation"
    title = "An empty or unbounded audience must be confirmed explicitly"


class TemplateNotApproved(Unprocessable):
    slug = "template-not-approved"


class CampaignStateConflict(Conflict):
    slug = "campaign-state-conflict"
