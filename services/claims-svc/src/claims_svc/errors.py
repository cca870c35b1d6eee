"""Errors of the modules outside the domain folders: problem types on the kit's status classes."""

from __future__ import annotations

from cheyou_kit.errors import ProblemError, Unprocessable


class SmsNotSent(ProblemError):
    status = 502
    slug = "sms-not-sent"
    title = "The SMS provider did not take the message"


class UnsupportedFileType(Unprocessable):
    status = 415
    slug = "unsupported-file-type"
    title = "The file is not of an accepted type"


class FileTooLarge(Unprocessable):
    status = 413
    slug = "file-too-large"
    title = "The file is larger than allowed"


class EmptyFile(Unprocessable):
    slug = "empty-file"
    title = "The file is empty"


class UnreadableImage(Unprocessable):
    slug = "unreadable-image"
    title = "The image cannot be decoded"


class ImageTooLarge(Unprocessable):
    slug = "image-too-large"
    title = "The image declares more pixels than allowed"
