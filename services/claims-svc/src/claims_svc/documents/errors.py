"""The errors of this domain: problem types on the kit's status classes, rendered by its problem handler."""

from __future__ import annotations

from cheyou_kit.errors import Conflict, NotFound, Unprocessable


class UnknownDocumentKind(Unprocessable):
    slug = "unknown-document-kind"
    title = "No such kind of document"


class DocumentsClosed(Conflict):
    slug = "documents-closed"
    title = "The claim takes no more documents"


class TooManyDocuments(Conflict):
    slug = "too-many-documents"
    title = "Enough files of this kind already"


class DocumentNotFound(NotFound):
    slug = "document-not-found"
    title = "No such document"
