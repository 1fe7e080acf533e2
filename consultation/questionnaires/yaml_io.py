"""A questionnaire as a file an administrator uploads or downloads.

An upload is read with PyYAML's safe loader only, and first checked to stay small once
read: a size limit, no aliases (a few lines of anchors and ``*references`` expand to
gigabytes once the definition is written out as JSON), a bounded number of values and
depth. Then the loader's own checks run, so an upload is held to exactly what a shipped
file is; it may include only the shipped shared blocks. An export writes the stored
definition back as YAML that loads into the same definition (and the same digest).
"""

import yaml

from .loader import QuestionnaireError, definitions_dir, parse_data

#: Values (scalars, lists, mappings) a file may hold; the largest shipped one has ~6,000.
MAX_NODES = 100_000
#: How deeply lists and mappings may nest; the shipped files need 8.
MAX_DEPTH = 32
#: The order of the settings in an exported file, as the shipped files write them.
SETTING_ORDER = (
    "slug",
    "title",
    "summary",
    "about",
    "issuing_body",
    "contact",
    "opens",
    "closes",
    "languages",
    "privacy_notice",
    "sections",
)


def shown_name(filename: str | None) -> str:
    """The uploaded file's name as messages show it: its last part, printable, at most 80."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable()).strip()
    return name[:80] or "upload.yaml"


def read_upload(raw: bytes, filename: str | None, max_bytes: int) -> dict:
    """The normalised definition of an uploaded file, or ``QuestionnaireError`` saying why."""
    name = shown_name(filename)
    if len(raw) > max_bytes:
        raise QuestionnaireError(
            name,
            f"the file is {_kilobytes(len(raw))} KB; the largest accepted is "
            f"{_kilobytes(max_bytes)} KB",
        )
    if not raw.strip():
        raise QuestionnaireError(name, "the file is empty")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise QuestionnaireError(name, "not UTF-8 text") from None
    try:
        _check_shape(name, text)
        data = yaml.safe_load(text)
    except yaml.constructor.ConstructorError as error:
        raise QuestionnaireError(
            name,
            f"not plain YAML: {error.problem} {error.problem_mark or ''}".strip()
            + "; only texts, numbers, dates, lists and mappings are accepted",
        ) from None
    except yaml.YAMLError as error:
        raise QuestionnaireError(name, f"not valid YAML: {error}") from None
    return parse_data(data, name, blocks=definitions_dir())


def _kilobytes(size: int) -> str:
    return f"{size / 1024:,.0f}" if size >= 10 * 1024 else f"{size / 1024:,.1f}"


def _check_shape(name, text):
    """Refuse aliases and files with too many values or too deep, before building anything."""
    depth = nodes = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            raise QuestionnaireError(
                name, "aliases (*name) are not accepted: write each text out in full"
            )
        if isinstance(event, yaml.NodeEvent):
            nodes += 1
            if nodes > MAX_NODES:
                raise QuestionnaireError(name, f"more than {MAX_NODES:,} values")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise QuestionnaireError(
                    name, f"lists and mappings nested more than {MAX_DEPTH} deep"
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def to_yaml(definition: dict) -> str:
    """``definition`` as a YAML file that loads back into the same definition."""
    ordered = {name: definition[name] for name in SETTING_ORDER if name in definition}
    ordered.update((name, value) for name, value in definition.items() if name not in ordered)
    header = (
        f"# Questionnaire {definition['slug']}, exported from the admin area.\n"
        "# Import it again (or load it with `flask consultations load`) to get the same\n"
        "# definition; texts in other languages may also come from questionnaires.po.\n"
    )
    return header + yaml.safe_dump(
        ordered, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False
    )
