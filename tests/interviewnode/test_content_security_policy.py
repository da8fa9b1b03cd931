"""The Content-Security-Policy header, and pages written so that it needs no exception.

Chromium checks the pages themselves under the policy (tests/browser/test_content_security_policy.py);
these tests pin the policy and catch an inline script, handler or style in a template before it runs.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import QuestionFactory, interview_session

pytestmark = pytest.mark.django_db

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"
EXPECTED = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


class _Inline(HTMLParser):
    """Script and style the policy would refuse: inline scripts, handlers, style attributes and blocks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src"):
            self.found.append("<script> without src")
        if tag == "style" and "nonce" not in attrs:
            self.found.append("<style> without a nonce")
        self.found += [f"<{tag} {name}=>" for name in attrs if name.startswith("on") or name == "style"]


def inline_code(html: str) -> list[str]:
    parser = _Inline()
    parser.feed(html)
    return parser.found


def test_every_page_gets_the_policy(client):
    policy = directives(client.get("/").headers["Content-Security-Policy"])

    for name, values in EXPECTED.items():
        assert policy[name] == values, name
    # Styles from this site, plus the one response's nonce where a page asked for it; never inline.
    assert policy["style-src"] == ["'self'"]
    assert "'unsafe-inline'" not in str(policy) and "'unsafe-eval'" not in str(policy)


def test_the_session_page_gives_its_script_the_styles_nonce(candidate_client, candidate, taxonomy):
    session = interview_session(candidate, [QuestionFactory()], mode="practice")

    response = candidate_client.get(f"/interviews/{session.pk}/")

    style_src = directives(response.headers["Content-Security-Policy"])["style-src"]
    nonce = re.search(
        r'<script type="module" src="[^"]*session\.js" nonce="([^"]+)">', response.content.decode()
    )
    assert nonce, "session.js has no nonce for the code editor's styles"
    assert style_src == ["'self'", f"'nonce-{nonce[1]}'"]
    assert directives(response.headers["Content-Security-Policy"])["script-src"] == ["'self'"]


def test_the_nonce_is_new_on_every_response(candidate_client, candidate, taxonomy):
    session = interview_session(candidate, [QuestionFactory()], mode="practice")

    first, second = (
        candidate_client.get(f"/interviews/{session.pk}/").headers["Content-Security-Policy"]
        for _ in range(2)
    )

    assert first != second


def test_the_api_docs_have_no_inline_code(candidate_client):
    response = candidate_client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert inline_code(html) == []
    assert "/static/css/swagger.css" in html
    # Its set-up script is served from the same URL, which script-src 'self' allows.
    script = candidate_client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


# E-mail bodies are left out: mail clients apply no policy, and need their styles inline.
PAGE_TEMPLATES = sorted(
    path.relative_to(TEMPLATES_DIR).as_posix()
    for path in TEMPLATES_DIR.rglob("*.html")
    if path.relative_to(TEMPLATES_DIR).parts[0] != "emails"
)


def test_the_template_check_sees_inline_code():
    html = '<script>x()</script><a onclick="x()">a</a><p style="color: red">p</p><style>p {}</style>'

    assert len(inline_code(html)) == 4


@pytest.mark.parametrize("path", PAGE_TEMPLATES)
def test_no_template_has_inline_script_or_style(path):
    source = (TEMPLATES_DIR / path).read_text(encoding="utf-8")

    assert inline_code(source) == []
