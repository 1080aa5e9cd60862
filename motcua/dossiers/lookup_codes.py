"""The dossier's lookup code (mã tra cứu): a random secret printed on Form 01 and in its QR,
and given in the online receipt, that opens the applicant's full view of the public lookup.

Dossier codes are sequential and the phone's last 4 digits are 10,000 guesses at most, so
together they are guessable; 8 random characters (40 bits) are not
(docs/decisions/0009-lookup-code.md). The alphabet is Crockford's base 32: digits and upper-case
letters without I, L, O and U, so that a code read aloud or copied by hand is not misread; what
a person types is read back leniently (lower case, spaces and dashes, O for 0, I or L for 1)."""

from __future__ import annotations

import hmac
import secrets
from typing import Protocol

from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    """A fresh code from the operating system's secure random source."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(typed: str | None) -> str:
    """What a person typed, as stored: "abcd-efgh " → "ABCDEFGH"; "" when it cannot be one."""
    text = "".join(ch for ch in (typed or "") if ch not in " -\t").upper().translate(_READ_AS)
    if len(text) != LENGTH or any(ch not in ALPHABET for ch in text):
        return ""
    return text


def display(code: str) -> str:
    """Printed in two groups of four: "ABCD-EFGH"."""
    return f"{code[:4]}-{code[4:]}" if len(code) == LENGTH else code


def matches(stored: str, typed: str | None) -> bool:
    """Whether `typed` is the dossier's code, compared in constant time. A dossier without a
    code (rows written outside motcua) matches nothing."""
    given = normalise(typed)
    if not stored or not given:
        return False
    return hmac.compare_digest(stored.encode(), given.encode())


class _Dossier(Protocol):
    code: str
    lookup_code: str


def lookup_url(dossier: _Dossier, *, with_key: bool = False) -> str:
    """The dossier's public lookup page; `with_key` adds its lookup code (`?k=`), which opens
    the applicant's full view: only on what goes to the applicant (Form 01 and its QR, the
    receipt notification to the applicant's own phone or e-mail)."""
    url = settings.PUBLIC_BASE_URL + reverse("portal:dossier", args=[dossier.code])
    if with_key and dossier.lookup_code:
        url += "?" + urlencode({"k": dossier.lookup_code})
    return url
