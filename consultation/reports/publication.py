"""What may be published of a contribution: one allow-list per kind of respondent and choice.

Every public output (the public CSV and XLSX exports, the summary report's
quotes and the names attached to them) is built from these tables: a field or
an answer is published only if it is listed here for the respondent's kind and
publication choice. Nothing public is made by removing private fields from a
full record, so a field added to the response row stays private until it is
listed.

The rule (the "About you" block of EU consultations): a citizen who chose
"public" is published with their name; an anonymous citizen with only their
type of respondent, country and answers. For an organisation its own details
(name, size) are published whatever the choice, never the name of the person
who answered for it. E-mail addresses never.
"""

CITIZEN, ORGANISATION = "citizen", "organisation"
PUBLIC, ANONYMOUS = "public", "anonymous"
#: Respondent types that answer for themselves; every other type answers for an organisation.
CITIZEN_TYPES = frozenset({"eu_citizen", "non_eu_citizen"})

#: (kind of respondent, publication choice): the four audiences a contribution can be in.
EVERYONE = frozenset(
    {(CITIZEN, PUBLIC), (CITIZEN, ANONYMOUS), (ORGANISATION, PUBLIC), (ORGANISATION, ANONYMOUS)}
)
PUBLIC_CITIZENS = frozenset({(CITIZEN, PUBLIC)})
ORGANISATIONS = frozenset({(ORGANISATION, PUBLIC), (ORGANISATION, ANONYMOUS)})
#: Those who chose to be published by name (theirs or their organisation's).
CHOSE_PUBLIC = frozenset({(CITIZEN, PUBLIC), (ORGANISATION, PUBLIC)})
NOBODY = frozenset()

#: Columns of the response row, and for whom each is published. A column not listed
#: here (``email``, the private ``reference``) is never published.
RESPONSE_FIELDS = {
    "id": EVERYONE,  # the public export's contribution number
    "submitted_at": EVERYONE,
    "publication": EVERYONE,
    "language": EVERYONE,
    "respondent_type": EVERYONE,
    "country": EVERYONE,
    "organisation_size": ORGANISATIONS,
    "organisation_name": ORGANISATIONS,
    "first_name": PUBLIC_CITIZENS,
    "surname": PUBLIC_CITIZENS,
}

#: Answers to the questions, by question type (a question that fills a column of the
#: response row follows ``RESPONSE_FIELDS`` instead). A type not listed is never published.
ANSWER_KINDS = {
    "single_choice": EVERYONE,
    "multiple_choice": EVERYONE,
    "matrix": EVERYONE,
    "ranking": EVERYONE,
    "number": EVERYONE,
    "country": EVERYONE,
    "short_text": EVERYONE,
    "long_text": EVERYONE,
    "consent": EVERYONE,
    # A file's name often carries its author's name: only for those who chose "public".
    "file": CHOSE_PUBLIC,
    "email": NOBODY,
}


def audience(respondent_type, choice) -> tuple[str, str]:
    """The (kind of respondent, choice) a contribution's publication follows.

    Anything but an explicit "public" is anonymous; a contribution without a
    type of respondent is treated as a citizen's (no organisation to name).
    """
    kind = ORGANISATION if respondent_type and respondent_type not in CITIZEN_TYPES else CITIZEN
    return kind, PUBLIC if choice == PUBLIC else ANONYMOUS


def field_audiences(name: str) -> frozenset:
    """For whom the response column ``name`` is published (empty: nobody)."""
    return RESPONSE_FIELDS.get(name, NOBODY)


def answer_audiences(question) -> frozenset:
    """For whom the answers to ``question`` are published (empty: nobody)."""
    if question.profile:
        return field_audiences(question.profile)
    return ANSWER_KINDS.get(question.kind, NOBODY)


def published_fields(respondent_type, choice) -> frozenset:
    """The response columns published for a contribution of this type and choice."""
    where = audience(respondent_type, choice)
    return frozenset(name for name, who in RESPONSE_FIELDS.items() if where in who)


def sometimes_published() -> tuple[str, ...]:
    """The response columns some contributions publish: all a public output may read."""
    return tuple(name for name, who in RESPONSE_FIELDS.items() if who)


def published_profile(row) -> dict:
    """The published columns of ``row`` (anything with the response's attributes), by name."""
    allowed = published_fields(row.respondent_type, row.publication)
    return {name: getattr(row, name) for name in RESPONSE_FIELDS if name in allowed}
