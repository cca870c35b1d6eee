"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Conflict, NotFound, Unprocessable


class GameNotFound(NotFound):
    slug = "game-not-found"
    title = "No such game"


class PlayNotFound(NotFound):
    slug = "game-play-not-found"
    title = "No such play"


class GameNotOpen(Conflict):
    slug = "game-not-open"
    title = "The game is not open for play"


class GameNotDraft(Conflict):
    slug = "game-not-draft"
    title = "Only a draft game can be published"


class GameClosed(Conflict):
    slug = "game-closed"
    title = "The game is closed"


class DailyLimitReached(Conflict):
    slug = "game-daily-limit"
    title = "No plays left today"


class BudgetExhausted(Conflict):
    slug = "game-budget-exhausted"
    title = "The game's budget is spent"


class IdempotencyKeyReused(Unprocessable):
    slug = "idempotency-key-reused"
    title = "The Idempotency-Key was already used for a different request"
