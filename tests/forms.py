"""Read a served form back as a browser would send it, to check what a page shows."""

import re
from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict

LINK_RE = {
    "draft": re.compile(r'id="draft-url" type="text" readonly value="([^"]+)"'),
    "edit": re.compile(r'id="edit-url" data-copy="([^"]+)"'),
    "receipt": re.compile(r'id="receipt-url" data-copy="([^"]+)"'),
}


class _FormState(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pairs = []
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in attrs:
                    self.pairs.append((name, attrs.get("value", "on")))
            elif kind not in ("file", "submit", "button"):
                self.pairs.append((name, attrs.get("value", "")))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.pairs.append((self._select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # HTML drops one newline right after <textarea>.
            self.pairs.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def shown_form(html: str) -> MultiDict:
    """The fields of the page's forms with the values they show, as a browser would send them."""
    parser = _FormState()
    parser.feed(html)
    return MultiDict(parser.pairs)


def answers_shown(html: str) -> dict:
    """The question fields (``q_...``) the page shows filled in, each as a list of values."""
    form = shown_form(html)
    return {
        name: [value for value in form.getlist(name) if value != ""]
        for name in form
        if name.startswith("q_") and any(value != "" for value in form.getlist(name))
    }


def private_link(html: str, kind: str) -> str:
    """The private link ("draft", "edit" or "receipt") shown on a page, as a path."""
    match = LINK_RE[kind].search(html)
    assert match, f"no {kind} link on the page"
    return match.group(1).removeprefix("http://localhost")
