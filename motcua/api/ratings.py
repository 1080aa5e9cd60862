"""A citizen's rating of a dossier, relayed by another system (the provincial portal, a citizen
app, an SMS gateway) acting with its API token: the JSON twin of the QR and online rating
forms. The citizen's proof is the dossier's lookup code, printed on Form 01 and in its QR
(docs/decisions/0009-lookup-code.md); the rules are `feedback.services.record_rating`'s.

(No `from __future__ import annotations` here: the POST endpoint is wrapped by
`idempotent`, and ninja reads the wrapped view's annotations as real types.)"""

from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import StringConstraints

from motcua.api.auth import STAFF, caller
from motcua.api.idempotency import OPENAPI as IDEMPOTENT
from motcua.api.idempotency import idempotent
from motcua.api.schemas import Code, ErrorOut
from motcua.feedback.models import Rating
from motcua.feedback.services import record_rating

router = Router(tags=["ratings"], auth=STAFF)

AnswerKey = Annotated[str, StringConstraints(min_length=1, max_length=80, pattern=r"^[a-z0-9_.]+$")]
AnswerCode = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")]
LookupCode = Annotated[str, StringConstraints(max_length=32, pattern=r"^[!-~]*$")]


class RatingIn(Schema):
    dossier: Code = Field(description="The dossier's code (on Form 01).")
    lookup_code: LookupCode = Field(
        description="The dossier's lookup code (on Form 01 and in its QR): the citizen's proof. "
        "Wrong codes lock the dossier's rating and lookup for an hour after a few tries."
    )
    source: Literal["qr", "online"] = Field(
        "online",
        description="qr: from the QR of Form 01 or of the result (any time the dossier may be "
        "rated); online: after the result was delivered, within the rating window.",
    )
    answers: dict[AnswerKey, AnswerCode] = Field(
        description="Scale → answer code, as in motcua.ratings/1 (docs/interchange/ratings.md), "
        'e.g. {"overall": "satisfied", "one_stop.c3_contacts": "2"}.',
        max_length=40,
    )


class RatingOut(Schema):
    id: int
    dossier: str
    source: str
    channel: str
    at: datetime = Field(description="When the rating was first given.")
    changed_at: datetime | None = Field(description="When it was last changed, if it was.")
    changes: int
    answers: dict[str, str]


@router.post(
    "/ratings",
    response={
        200: RatingOut,
        201: RatingOut,
        **dict.fromkeys((401, 403, 404, 409, 422, 429), ErrorOut),
    },
    summary="Rate a dossier for its applicant (with the lookup code)",
    operation_id="rate_dossier",
    openapi_extra=IDEMPOTENT,
)
@idempotent
def rate_dossier(request: HttpRequest, payload: RatingIn) -> Status[RatingOut]:
    """One rating per dossier: 201 when given, 200 when an earlier one is changed within its
    change window. Refused with a stable code and a Vietnamese message: `unknown_dossier`
    (404), `lookup_code_needed` / `wrong_lookup_code` (403), `lookup_code_locked` (429),
    `already_rated` (409: a second rating outside the change window), `not_delivered`,
    `rating_closed` (the rating window has ended), `unknown_scale`, `invalid_answer`,
    `no_answer` (422),
    `too_many_ratings` (429: at most RATING_MAX_REQUESTS per caller and dossier in
    RATING_WINDOW_SECONDS)."""
    user = caller(request)
    dossier_code = payload.dossier.strip().upper()
    rating = record_rating(
        source=payload.source,
        dossier_code=dossier_code,
        lookup_code=payload.lookup_code,
        answers=dict(payload.answers),
        by=user,
        client=f"api:{user.pk}:{dossier_code}",
    )
    return Status(200 if rating.changes else 201, rating_out(rating))


def rating_out(rating: Rating) -> RatingOut:
    return RatingOut(
        id=rating.pk,
        dossier=rating.dossier.code if rating.dossier else "",
        source=rating.source,
        channel=rating.channel,
        at=rating.at,
        changed_at=rating.changed_at,
        changes=rating.changes,
        answers=rating.answers,
    )
