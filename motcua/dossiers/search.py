"""Staff search for dossiers (tìm hồ sơ): one box that takes any part of a code, the
applicant's name typed without accents and in any order, a phone number or an ID number, and
finds open and finished dossiers alike, among those the person may see
(`accounts/access.py` `visible_to`, the one rule of who sees what).

How each kind is matched, and the index that answers it (migration 0014):
- code: contains the text typed (upper-cased, spaces removed); PostgreSQL: trigram GIN index;
- name: every word typed starts a word of the name (`applicant_name_folded`, the search key
  " nguyen van an" of core/text.py: it holds " " + word); PostgreSQL: trigram GIN index, which
  reads the space before a word as a word start, so even "an" narrows the search down;
- phone: equal to the stored form of the number typed (`core/identity.py`); B-tree;
- ID number: equal to the text typed; B-tree.
The kinds are alternatives (OR): "0912345678" is tried as a phone, an ID and a code part."""

from __future__ import annotations

import operator
from functools import reduce

from django.db.models import Q

from motcua.accounts import access
from motcua.core import identity
from motcua.core.errors import ValidationFailed
from motcua.core.text import clean_text, digits_only, search_words
from motcua.dossiers.models import Dossier

MIN_LENGTH = 3  # a trigram index needs three characters to narrow anything down
MAX_WORDS = 8
LIMIT = 50


def is_searchable(query: str) -> bool:
    """Long enough to search: at least MIN_LENGTH characters besides spaces."""
    return len(_compact(query)) >= MIN_LENGTH


def matching(query: str) -> Q:
    """The dossiers `query` designates, by any kind (see the module's docstring)."""
    compact = _compact(query).upper()
    found = Q(code__contains=compact) | Q(applicant_id_number=compact)
    phones = phone_forms(query)
    if phones:
        found |= Q(applicant_phone__in=phones)
    words = [word for word in search_words(query) if not _has_digit(word)][:MAX_WORDS]
    if words:
        found |= reduce(
            operator.and_, (Q(applicant_name_folded__contains=f" {word}") for word in words)
        )
    return found


def phone_forms(query: str) -> list[str]:
    """The forms a typed phone number may be stored in: the one format of `core.identity`
    ("0912 345 678" and "+84 912 345 678" both give "0912345678"), and the digits as typed,
    for records kept from before that check; empty if it is not a Vietnamese phone number."""
    try:
        national = identity.normalize_phone(query)
    except ValidationFailed:
        return []
    return sorted({national, digits_only(query)}) if national else []


def find(who: access.Who, query: str, *, limit: int = LIMIT) -> list[Dossier]:
    """The dossiers `who` may see that match `query`, latest received first (at most
    `limit`); none for a query too short to search."""
    if not is_searchable(query):
        return []
    found = (
        access.visible_to(who)
        .filter(matching(query))
        .select_related("procedure_version", "receiving_unit")
        .order_by("-received_at", "-id")
    )
    return list(found[:limit])


def _has_digit(word: str) -> bool:
    return any(ch.isdigit() for ch in word)


def _compact(query: str) -> str:
    return clean_text(query).replace(" ", "")
