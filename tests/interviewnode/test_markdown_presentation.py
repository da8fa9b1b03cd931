"""Markdown cannot dress itself up as the page around it, nor load anything from another site.

A candidate's answer is shown on the coach's review page and a coach's comment on the candidate's
results page: with Bootstrap's classes, such a text could draw a fake "session expired, sign in again"
panel over the page, and with an image from its own server it could tell its author who read it and
when. Curated text (the bank's prompts) keeps local images; nobody's text keeps a foreign class.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from interviewnode.markdown import is_local_url, render_markdown, render_user_markdown
from reviews import services
from tests.factories import QuestionFactory, submitted_session
from tests.reviews.helpers import full_review

FAKE_PANEL = (
    '<div class="position-fixed top-0 start-0 w-100 h-100 bg-white alert alert-danger" id="login">'
    '<p class="display-1">Session expired</p><a class="btn btn-primary" href="https://evil.example/">'
    "Sign in again</a></div>"
)
PIXEL = '<img src="https://tracker.example/p.gif?who=coach" alt="">'
HOSTILE = (
    f"# Top of the page\n\n{FAKE_PANEL}\n\n{PIXEL}\n\n![chart](https://tracker.example/c.png)\n\nMy answer."
)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def tags(html: str) -> list[tuple[str, dict]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def classes(html: str) -> set[str]:
    return {name for _, attrs in tags(html) for name in (attrs.get("class") or "").split()}


def images(html: str) -> list[str]:
    return [attrs.get("src", "") for tag, attrs in tags(html) if tag == "img"]


# --- the renderers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("render", [render_markdown, render_user_markdown])
def test_only_the_highlighting_classes_survive(render):
    html = str(render(f"{FAKE_PANEL}\n\n```python\ndef f(x):\n    return 'a' + 1  # note\n```\n"))

    assert "Session expired" in html  # the text stays, as text
    assert classes(html) <= {"highlight", "k", "w", "nf", "p", "n", "s1", "o", "mi", "c1"}
    assert {"highlight", "k", "nf", "s1", "c1"} <= classes(html)
    assert 'id="login"' not in html


@pytest.mark.parametrize("render", [render_markdown, render_user_markdown])
def test_a_raw_span_may_keep_a_token_class_but_nothing_else(render):
    html = str(render('<span class="k alert-danger">x</span>'))

    assert classes(html) == {"k"}


@pytest.mark.parametrize(
    "url",
    [
        "https://tracker.example/p.gif",
        "http://tracker.example/p.gif",
        "//tracker.example/p.gif",
        "/\\tracker.example/p.gif",
        "\\\\tracker.example/p.gif",
        " https://tracker.example/p.gif",
        "ht\ttps://tracker.example/p.gif",
        "data:image/png;base64,AAAA",
        "javascript:alert(1)",
        "",
    ],
)
def test_urls_that_leave_the_site_are_not_local(url):
    assert not is_local_url(url)


@pytest.mark.parametrize("url", ["/static/figures/attention.png", "figures/a.png", "?x=1", "#top"])
def test_paths_on_the_site_are_local(url):
    assert is_local_url(url)


def test_curated_text_keeps_local_images_and_links_to_remote_ones():
    html = str(
        render_markdown(
            "![local figure](/static/figures/attention.png) ![remote figure](https://example.com/f.png)\n\n"
            '<img src="https://tracker.example/p.gif" alt="raw"> <img src="//tracker.example/q.gif">'
        )
    )

    assert images(html) == ["/static/figures/attention.png", "", ""]
    assert '<a href="https://example.com/f.png" rel="noopener noreferrer nofollow">remote figure</a>' in html
    assert "tracker.example" not in html


def test_user_text_has_no_images_at_all():
    html = str(
        render_user_markdown(f"{PIXEL} ![local](/accounts/logout/) ![chart](https://tracker.example/c.png)")
    )

    assert images(html) == []
    assert "tracker.example/p.gif" not in html
    # A Markdown image stays reachable as a link, which nothing follows unless the reader clicks.
    assert '<a href="/accounts/logout/" rel="noopener noreferrer nofollow">local</a>' in html
    assert '<a href="https://tracker.example/c.png" rel="noopener noreferrer nofollow">chart</a>' in html


def test_headings_in_user_text_are_demoted_below_the_page():
    html = str(render_user_markdown("# One\n\n## Two\n\n### Three\n\n<h1>Raw</h1>\n\n###### Six"))

    assert [tag for tag, _ in tags(html)] == ["h4", "h5", "h6", "h4", "h6"]
    assert "<h4>One</h4>" in html and "<h4>Raw</h4>" in html


def test_headings_in_curated_text_keep_their_level():
    html = str(render_markdown("## Background\n\nText."))

    assert "<h2>Background</h2>" in html


def test_table_alignment_survives_as_an_attribute():
    html = str(render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |"))

    assert '<th align="left">a</th>' in html and '<td align="right">2</td>' in html
    assert "style=" not in html


# --- the pages ---------------------------------------------------------------------------------------


@pytest.fixture
def hostile_session(taxonomy, candidate, coach):
    questions = [QuestionFactory(title="Explain dropout"), QuestionFactory(title="Bias and variance")]
    session = submitted_session(candidate, questions, answers={1: HOSTILE, 2: "Fine."})
    services.review_claim(coach=coach, session_id=session.pk)
    return session


def _hostile_block(page: str, marker: str) -> str:
    """The rendered text from ``marker`` to the end of the fake panel."""
    start = page.index(marker)
    return page[start : page.index("Sign in again", start) + len("Sign in again</a></div>")]


@pytest.mark.django_db
def test_the_coach_sees_a_candidates_answer_as_plain_content(client, coach, hostile_session):
    client.force_login(coach)

    page = client.get(f"/reviews/{hostile_session.pk}/").content.decode()

    answer = _hostile_block(page, "Top of the page")
    assert "Session expired" in answer and "My answer." in page
    assert "<h4>Top of the page</h4>" in page
    assert "<h1>Top of the page" not in page
    assert "tracker.example/p.gif" not in page
    assert images(page) == []
    assert not classes(answer) & {"position-fixed", "alert", "alert-danger", "btn", "display-1", "w-100"}


@pytest.mark.django_db
def test_the_candidate_sees_a_coachs_comment_as_plain_content(candidate_client, coach, hostile_session):
    body = full_review(publish=True)
    body["items"][0]["comment"] = f"# Verdict\n\n{FAKE_PANEL}\n\n{PIXEL}"
    body["summary"]["strengths"] = f"## Strong\n\n{PIXEL}"
    services.review_save(
        coach=coach,
        session_id=hostile_session.pk,
        **{k: body[k] for k in ("items", "summary", "recommendation", "publish")},
    )

    page = candidate_client.get(f"/interviews/{hostile_session.pk}/results/").content.decode()

    assert "<h4>Verdict</h4>" in page and "<h5>Strong</h5>" in page
    assert "<h4>Top of the page</h4>" in page  # the candidate's own answer, too
    assert "tracker.example/p.gif" not in page
    assert images(page) == []
    comment = _hostile_block(page, "Verdict")
    assert not classes(comment) & {"position-fixed", "alert", "alert-danger", "btn", "display-1"}


@pytest.mark.django_db
def test_the_answer_preview_renders_as_the_coach_will_see_it(candidate_api):
    response = candidate_api.post("/api/v1/markdown/preview/", {"text": HOSTILE}, format="json")

    assert response.status_code == 200
    html = response.json()["html"]
    assert "<h4>Top of the page</h4>" in html
    assert images(html) == []
    assert classes(html) == set()
