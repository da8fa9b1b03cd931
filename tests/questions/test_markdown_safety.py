"""Markdown in prompts never becomes executable HTML, on the question page nor in the API's prompt_html.

The payloads live in xss_payloads.txt. Each is put in a question's prompt (as a block and inline),
and the output is parsed with html.parser so that attributes are checked as a browser would read
them (entities decoded), not only searched for substrings.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest

from interviewnode.markdown import render_markdown
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db

PAYLOAD_FILE = Path(__file__).with_name("xss_payloads.txt")


def load_payloads() -> list[str]:
    payloads = []
    for line in PAYLOAD_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line == "#" or line.startswith("# "):
            continue
        payloads.append(line.replace("\\n", "\n"))
    return payloads


PAYLOADS = load_payloads()

# Elements that run code, load other documents or plugins, or change how the page is read.
EXECUTABLE_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "style",
    "link", "meta", "base", "form", "input", "button", "textarea", "select", "video", "audio", "source",
    "marquee", "details", "template", "noscript", "xml", "xss",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "data", "xlink:href", "background", "poster", "codebase",
    "dynsrc", "lowsrc", "ping", "srcset", "cite", "longdesc", "manifest", "icon",
}  # fmt: skip
BAD_SCHEME = re.compile(r"^(javascript|vbscript|livescript|mocha|data):")
# Browsers ignore ASCII whitespace and control characters inside a URL's scheme.
IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]")


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: Counter[str] = Counter()

    def handle_starttag(self, tag, attrs):
        if tag in EXECUTABLE_TAGS:
            self.found[f"<{tag}>"] += 1
        for name, value in attrs:  # html.parser has decoded the entities in values already
            value = value or ""
            if name.startswith("on"):
                self.found[f"<{tag} {name}=>"] += 1
            elif name == "srcdoc":
                self.found[f"<{tag} srcdoc=>"] += 1
            elif name == "style" and re.search(
                r"expression|javascript|url\s*\(|@import|behavior", value, re.I
            ):
                self.found[f"<{tag} style={value!r}>"] += 1
            elif name in URL_ATTRIBUTES and BAD_SCHEME.match(IGNORED_IN_URLS.sub("", value).lower()):
                self.found[f"<{tag} {name}={value!r}>"] += 1
            elif name == "content" and re.search(r"url\s*=\s*(javascript|vbscript|data):", value, re.I):
                self.found[f"<{tag} content={value!r}>"] += 1

    handle_startendtag = handle_starttag


def executable_content(html: str) -> Counter[str]:
    """Every element or attribute in ``html`` that could run script, as a multiset of descriptions."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.found


def prompt_with(payload: str) -> str:
    return f"Before the payload.\n\n{payload}\n\nInline: {payload} and after.\n\nAfter the payload."


# --- the checker and the corpus --------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "<IMG SRC=x OnErRoR=alert(1)>",
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<a href="java&#09;script:alert(1)">x</a>',
        '<a href=" JAVASCRIPT:alert(1)">x</a>',
        '<a href="vbscript:msgbox(1)">x</a>',
        '<img src="data:image/svg+xml;base64,AAAA">',
        "<svg></svg>",
        '<iframe src="https://example.com"></iframe>',
        '<p style="width: expression(alert(1))">x</p>',
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
        "<embed src=x>",
        "<object data=x></object>",
    ],
)
def test_the_checker_finds_executable_content(html):
    assert executable_content(html)


def test_the_checker_accepts_plain_safe_html():
    html = (
        '<p>Text <a href="https://example.com/a?b=javascript:x" rel="nofollow">link</a> '
        '<img src="/static/x.png" alt="x"> <code class="language-python">x</code></p>'
    )
    assert not executable_content(html)


def test_the_corpus_covers_the_known_attack_forms():
    assert len(PAYLOADS) >= 20
    assert len(set(PAYLOADS)) == len(PAYLOADS), "a payload is listed twice"
    corpus = "\n".join(PAYLOADS).lower()
    for form in (
        "<script", "javascript:", "vbscript:", "data:text/html", "onerror=", "onload=", "<svg", "<iframe",
        "<object", "<embed", "expression(", "<style", "&#106;", "&#x6a;", "](javascript:", "![",
        "[xss]: javascript:",
    ):  # fmt: skip
        assert form in corpus, f"no payload uses {form}"


def test_without_sanitising_most_payloads_would_be_executable():
    """The corpus is worth running: Python-Markdown alone lets most of it through."""
    unsafe = [p for p in PAYLOADS if executable_content(markdown.markdown(prompt_with(p)))]
    assert len(unsafe) >= 0.7 * len(PAYLOADS)


# --- the API and the page --------------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_render_markdown_neutralises(payload):
    html = str(render_markdown(prompt_with(payload)))

    assert "Before the payload." in html
    assert executable_content(html) == Counter()
    assert "<script" not in html.lower()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_api_prompt_html_has_no_executable_content(candidate_api, taxonomy, payload):
    question = QuestionFactory(prompt=prompt_with(payload))

    response = candidate_api.get(f"/api/v1/questions/{question.id}/")

    assert response.status_code == 200
    body = response.json()
    assert body["prompt"] == prompt_with(payload)  # the Markdown source is returned as written
    html = body["prompt_html"]
    assert "Before the payload." in html
    assert executable_content(html) == Counter()
    assert "<script" not in html.lower()


@pytest.fixture
def baseline_page(candidate_client, taxonomy):
    """What a question page holds by itself (its own script tag, the log-out form, …)."""
    QuestionFactory(slug="harmless", title="Payload question", prompt=prompt_with("Nothing to see."))
    response = candidate_client.get("/questions/harmless/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_question_page_has_no_executable_content(candidate_client, baseline_page, payload):
    QuestionFactory(slug="payload", title="Payload question", prompt=prompt_with(payload))

    response = candidate_client.get("/questions/payload/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Before the payload." in html
    # Anything executable on the page beyond what the page always has came from the prompt.
    assert executable_content(html) == executable_content(baseline_page)
    assert html.lower().count("<script") == baseline_page.lower().count("<script")


def test_safe_markdown_keeps_its_links_images_and_code(candidate_api, taxonomy):
    question = QuestionFactory(
        prompt=(
            "See [the paper](https://arxiv.org/abs/1706.03762) and ![a figure](/static/figures/f.png).\n\n"
            "```python\nprint('hi')\n```\n\n<b>bold</b> and <em>emphasis</em>"
        )
    )

    html = candidate_api.get(f"/api/v1/questions/{question.id}/").json()["prompt_html"]

    assert re.search(r'<a href="https://arxiv.org/abs/1706.03762" rel="noopener noreferrer nofollow">', html)
    assert re.search(r'<img (?=[^>]*src="/static/figures/f.png")(?=[^>]*alt="a figure")', html)
    assert '<div class="highlight">' in html
    assert "<b>bold</b>" in html and "<em>emphasis</em>" in html
