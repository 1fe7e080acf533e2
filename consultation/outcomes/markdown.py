"""Markdown written by admins, rendered to HTML that cannot carry markup of its own.

markdown-it-py in CommonMark mode with raw HTML off: ``<script>`` typed in a text
comes out as text. Links keep markdown-it's own check (no ``javascript:``,
``vbscript:``, ``file:`` or ``data:``) and are narrowed further to http, https and
mailto; they open as ordinary links marked ``nofollow``. Images are off (the
Content-Security-Policy would block other sites' anyway). Headings are moved down
two levels, so a text's "# Title" sits under the page's own headings.
"""

from functools import cache

from markupsafe import Markup

ALLOWED_SCHEMES = ("http://", "https://", "mailto:")
HEADING_SHIFT = 2


def _safe_link(url: str) -> bool:
    lowered = url.strip().lower()
    return lowered.startswith(ALLOWED_SCHEMES) or lowered.startswith(("/", "#"))


@cache
def _parser():
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.disable("image")
    default_validate = parser.validateLink
    parser.validateLink = lambda url: default_validate(url) and _safe_link(url)

    def heading_open(self, tokens, index, options, env):
        token = tokens[index]
        level = min(int(token.tag[1]) + HEADING_SHIFT, 6)
        return f"<h{level}>"

    def heading_close(self, tokens, index, options, env):
        level = min(int(tokens[index].tag[1]) + HEADING_SHIFT, 6)
        return f"</h{level}>\n"

    def link_open(self, tokens, index, options, env):
        tokens[index].attrSet("rel", "nofollow")
        return self.renderToken(tokens, index, options, env)

    parser.add_render_rule("heading_open", heading_open)
    parser.add_render_rule("heading_close", heading_close)
    parser.add_render_rule("link_open", link_open)
    return parser


def render(text: str | None) -> Markup:
    """``text`` (Markdown) as HTML safe to put in a page."""
    if not text or not text.strip():
        return Markup("")
    return Markup(_parser().render(text))


def plain(text: str | None) -> str:
    """``text`` as plain words for an e-mail: the Markdown source, which reads as text."""
    return (text or "").strip()
