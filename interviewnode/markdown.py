"""Markdown → safe HTML, for prompts, answers and feedback.

Python-Markdown renders (fenced code highlighted by Pygments), then nh3 keeps only an allow-list of
tags, attributes, classes and URL schemes, so script tags, event handlers and javascript: links never
reach a page, whatever a curator or a candidate typed.

Two flavours: ``render_markdown`` for the bank's curated text (prompts, reference answers,
explanations), and ``render_user_markdown`` for what candidates and coaches write, which is shown on
someone else's page and so may not load images or carry a heading larger than the page's own.
Neither keeps a class our own highlighting does not emit (Bootstrap's classes would let a text dress
itself up as the page's own alerts and forms), nor an image from another site (a tracking pixel; the
Content-Security-Policy would refuse it anyway).

``render_code`` shows a code answer highlighted by Pygments, as fenced code in Markdown is.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import markdown as md
import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

_EXTENSION_CONFIGS = {
    "codehilite": {"css_class": "highlight", "guess_lang": False},
    # Alignment as an attribute: a style attribute would be dropped below.
    "tables": {"use_align_attribute": True},
}

ALLOWED_TAGS = {
    "p", "br", "hr", "a", "strong", "em", "b", "i", "code", "pre", "span", "div", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
    "img", "sub", "sup", "del", "dl", "dt", "dd",
}  # fmt: skip
USER_ALLOWED_TAGS = ALLOWED_TAGS - {"img"}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
# Only what codehilite emits: its wrapper and Pygments' token classes (static/css/pygments.css).
ALLOWED_CLASSES = {
    "div": {"highlight"},
    "span": {css_class for css_class in STANDARD_TYPES.values() if css_class} | {"hll"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# A heading in an answer or a comment is shown inside a card under the page's own h1–h3.
_USER_HEADING = {"1": "4", "2": "5", "3": "6", "4": "6", "5": "6", "6": "6"}
_HEADING_TAG = re.compile(r"<(/?)h([1-6])>")
# Browsers drop these from a URL before reading it, and read a backslash as a slash.
_URL_NOISE = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))


def is_local_url(url: str) -> bool:
    """Whether ``url`` is a path on this site (no scheme, no host), as a browser would resolve it."""
    url = _URL_NOISE.sub("", url.strip(_C0_AND_SPACE)).replace("\\", "/")
    if not url or url.startswith("//"):
        return False
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc


class _ImagesAsLinks(Treeprocessor):
    """``![alt](url)`` that may not be shown as an image becomes a link to it, so nothing is lost."""

    def __init__(self, md_instance, *, keep_local: bool):
        super().__init__(md_instance)
        self.keep_local = keep_local

    def run(self, root):
        for element in root.iter("img"):
            src = element.get("src", "")
            if self.keep_local and is_local_url(src):
                continue
            alt = element.get("alt") or src
            element.tag = "a"
            element.attrib = {"href": src}
            element.text = alt


class _ImagesExtension(Extension):
    def __init__(self, *, keep_local: bool):
        super().__init__()
        self.keep_local = keep_local

    def extendMarkdown(self, md_instance):  # noqa: N802 - Python-Markdown's name
        processor = _ImagesAsLinks(md_instance, keep_local=self.keep_local)
        md_instance.treeprocessors.register(processor, "images_as_links", 0)


def _local_images_only(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not is_local_url(value):
        return None
    return value


def _render(text: str, *, user: bool) -> str:
    extensions = [
        "fenced_code", "codehilite", "tables", "sane_lists", "smarty", _ImagesExtension(keep_local=not user)
    ]  # fmt: skip
    html = md.markdown(text or "", extensions=extensions, extension_configs=_EXTENSION_CONFIGS)
    return nh3.clean(
        html,
        tags=USER_ALLOWED_TAGS if user else ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_local_images_only,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(text: str) -> SafeString:
    """The bank's curated text: question prompts, reference answers, explanations, descriptions."""
    return mark_safe(_render(text, user=False))  # noqa: S308 - sanitised by nh3


def render_user_markdown(text: str) -> SafeString:
    """What candidates and coaches write (answers, comments, review summaries): no images at all,
    and headings demoted below the page's own (``#`` becomes an h4)."""
    clean = _render(text, user=True)
    # nh3 serialises every heading tag as a bare <hN> / </hN>, and text as entities, so this only
    # ever meets real tags (at worst a title attribute's text, where a changed digit is harmless).
    demoted = _HEADING_TAG.sub(lambda m: f"<{m[1]}h{_USER_HEADING[m[2]]}>", clean)
    return mark_safe(demoted)  # noqa: S308 - sanitised by nh3, only heading levels changed


def render_code(code: str, language: str) -> SafeString:
    """Code highlighted by Pygments (which escapes it), or escaped plain text for unknown languages."""
    try:
        lexer = get_lexer_by_name(language or "text")
    except ClassNotFound:
        return mark_safe(f'<pre class="border rounded p-2 bg-light">{escape(code)}</pre>')  # noqa: S308
    return mark_safe(highlight(code, lexer, HtmlFormatter(cssclass="highlight")))  # noqa: S308 - escaped by Pygments
