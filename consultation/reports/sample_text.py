"""Words for synthetic responses: names, organisations, opinions and campaign texts."""

import unicodedata

from ..campaigns import variants

#: How often each respondent type occurs, in the order of the About-you options.
TYPE_WEIGHTS = [6, 9, 22, 2, 38, 3, 4, 7, 5, 2, 2]
LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pl", "sv", "pt", "cs"]
LANGUAGE_WEIGHTS = [45, 14, 12, 6, 6, 5, 4, 3, 3, 2]

#: Countries outside the EU that take part most, most frequent first.
NON_EU = "NO CH GB US UA IS RS TR CA JP IN BR AU KR IL MA ZA SG MX NG AR CN NZ AL MD".split()

FIRST_NAMES = (
    "Anna Lukas Marie Jonas Sofia Mateo Chiara Piotr Eva Jan Léa Hugo Ingrid Nikos Zoé Ana "
    "Mikko Aoife Tomás Greta Björn Élodie Luca Katarzyna Dāvis Ieva Márta Rui Sanne Vlad"
).split()
SURNAMES = (
    "Müller,Rossi,Dubois,García,Kowalski,Jansen,Novák,Papadopoulos,Nieminen,Horváth,"
    "Silva,Murphy,Andersson,Popescu,Petrović,Lefèvre,Schmidt,Bianchi,Ivanova,Berzins,"
    "O'Brien,Van den Berg,Fernández,Kaczmarek,Svensson"
).split(",")
ORG_FIRST = "Nordic Atlantic Alpine Danube Baltic Iberian Central Euro Open Civic Green Digital"
ORG_SECOND = "Data Cloud Analytics Mobility Health Energy Research Software Farming Media"
ORG_KIND = "Alliance GmbH SA BV Institute Association Foundation Cooperative Labs Network"

DATASETS = [
    "real-time train delays across the EU",
    "anonymised hospital waiting times",
    "EU-wide building energy performance data",
    "satellite data on crop yields",
    "public procurement contracts in machine-readable form",
    "electricity grid congestion data",
    "speech recordings in smaller EU languages",
    "company register data for all member states",
]

#: What people write for "Other": as a type of respondent, and for any other list.
OTHER_TYPES = ["Retired engineer", "School", "Cooperative", "Political party", "Think tank"]
OTHER_ANSWERS = [
    "Lack of clear guidance from national authorities",
    "Insurance and liability questions",
    "Tourism and hospitality",
    "Long waits for public funding decisions",
    "Education and training providers",
]

OPINIONS = [
    "Access to data held by large platforms remains the main obstacle for smaller firms.",
    "Clear, simple guidance would help more than new legislation at this stage.",
    "Data spaces only work if participation is affordable for SMEs and researchers.",
    "We need common formats; today every partner sends data in a different shape.",
    "Public bodies should publish their data by default, with a few clear exceptions.",
    "Legal uncertainty about re-use makes our lawyers say no to most data-sharing projects.",
    "Trust is the key issue: companies fear losing control over their data once shared.",
    "The overlap between the Data Act and sector rules creates double reporting duties.",
    "Funding for data labs should go to places that already have the skills and demand.",
    "Individuals should be able to see and move the data their devices produce.",
    "Compliance costs fall hardest on small organisations with no legal department.",
    "International transfers need a predictable framework, not case-by-case decisions.",
]

#: Texts sent by many people at once, with weights: the first campaign is the biggest.
CAMPAIGNS = [
    (
        "Protect our data! The EU must guarantee that data about citizens is never sold or "
        "shared without explicit consent. Simplification must not lower protection.",
        6,
    ),
    (
        "As a small business I ask for one simple rulebook for data, one contact point and no "
        "new reporting obligations for companies under 50 employees.",
        3,
    ),
    (
        "Open data is a public good: all publicly funded data should be free, open and "
        "machine-readable by default.",
        1,
    ),
]


def pick_campaign(rng) -> str:
    """One of the campaign texts, by weight."""
    return rng.choices([text for text, _ in CAMPAIGNS], [w for _, w in CAMPAIGNS])[0]


def person(rng):
    return rng.choice(FIRST_NAMES), rng.choice(SURNAMES)


def organisation(rng) -> str:
    return " ".join(rng.choice(part.split()) for part in (ORG_FIRST, ORG_SECOND, ORG_KIND))


def email(rng, first=None, surname=None) -> str:
    """An address at a reserved example domain."""
    first = first or rng.choice(FIRST_NAMES)
    surname = surname or rng.choice(SURNAMES)
    local = unicodedata.normalize("NFKD", f"{first}.{surname}".casefold())
    local = "".join(char for char in local if char.isascii() and (char.isalnum() or char == "."))
    return f"{local}.{rng.randint(1, 99999)}@example.org"


def short_text(rng, question) -> str:
    """A one-line answer that suits the question (a name, a register number, a dataset)."""
    if question.profile == "first_name":
        return rng.choice(FIRST_NAMES)
    if question.profile == "surname":
        return rng.choice(SURNAMES)
    if question.profile == "organisation_name":
        return organisation(rng)
    if question.pattern is not None:
        return f"{rng.randint(10**8, 10**12)}-{rng.randint(10, 99)}"
    return rng.choice(DATASETS)[: question.max_length]


DETAILS = [
    "In our case this costs about {n} working days a year.",
    "We have seen this in {n} projects since 2020.",
    "Around {p}% of our partners report the same problem.",
    "A pilot with {n} organisations showed what is possible.",
]


#: Parts of the sentences people write in their own words, so that two organic answers
#: share an opinion now and then but are not near-copies of each other (``campaigns``).
OWN_SUBJECTS = (
    "our hospital",
    "my bakery",
    "the regional council",
    "our farm cooperative",
    "my firm",
    "the university library",
    "our logistics team",
    "the local school",
    "our start-up",
    "the water utility",
    "my law practice",
    "our museum",
    "the port authority",
    "our clinic",
    "the transport operator",
    "my workshop",
    "our research group",
    "the tax office",
)
OWN_VERBS = (
    "struggles with",
    "spends weeks on",
    "was surprised by",
    "gave up on",
    "depends on",
    "pays extra for",
    "keeps asking about",
    "has doubts about",
    "invested in",
    "lost money on",
    "argued for months about",
    "finally solved",
    "still waits for",
    "complains about",
)
OWN_OBJECTS = (
    "weather forecasts",
    "patient transfers",
    "grain prices",
    "supplier invoices",
    "delivery routes",
    "exam results",
    "energy bills",
    "tenant registers",
    "river levels",
    "ticket sales",
    "cargo manifests",
    "customs declarations",
    "lab samples",
    "bus timetables",
    "visitor numbers",
    "satellite images",
    "payroll files",
    "parcel tracking",
)
OWN_PLACES = (
    "Ghent",
    "Tartu",
    "Lyon",
    "Porto",
    "Graz",
    "Cork",
    "Brno",
    "Turku",
    "Bari",
    "Utrecht",
    "Kaunas",
    "Malmö",
    "Cluj",
    "Varna",
    "Split",
    "Aarhus",
    "Leipzig",
    "Bilbao",
    "Pécs",
    "Riga",
)
OWN_TIMES = (
    "every spring",
    "since 2019",
    "twice a month",
    "this winter",
    "each Monday",
    "after midnight",
    "for years",
    "last autumn",
    "most weekends",
    "in July",
)


def own_sentence(rng) -> str:
    """A sentence of a respondent's own: who, what they do with which data, where and when."""
    subject, verb, thing, place, when = (
        rng.choice(part) for part in (OWN_SUBJECTS, OWN_VERBS, OWN_OBJECTS, OWN_PLACES, OWN_TIMES)
    )
    return f"In {place}, {subject} {verb} {thing} {when}."


def long_text(rng, question, campaign=None) -> str:
    """A few sentences of opinion in the respondent's own words, or a campaign text as pasted."""
    if campaign:
        # Copies as people send them: restyled, synonyms, reordered, own sentence, cut.
        return variants.demo_copy(rng, campaign)[: question.max_length]
    # Mostly their own sentences: a shared stock sentence would make near-copies of them.
    sentences = [own_sentence(rng) for _ in range(rng.randint(3, 4))]
    if rng.random() < 0.5:
        sentences.insert(rng.randint(0, len(sentences)), rng.choice(OPINIONS))
    if rng.random() < 0.3:
        detail = rng.choice(DETAILS).format(n=rng.randint(2, 400), p=rng.randint(5, 95))
        sentences.insert(rng.randint(0, len(sentences)), detail)
    return " ".join(sentences)[: question.max_length]


def other_text(rng, question) -> str:
    """A plausible answer to an "Other, please specify" box of ``question``."""
    pool = OTHER_TYPES if question.profile == "respondent_type" else OTHER_ANSWERS
    return rng.choice(pool)
