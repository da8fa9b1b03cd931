"""The OpenAPI schema at /api/schema/ and the interactive docs at /api/docs/, served without a CDN."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
import yaml
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

SWAGGER_STATIC = "/static/dist/swagger-ui/"


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_the_schema_is_an_openapi_3_document(schema):
    assert str(schema["openapi"]).startswith("3.")
    assert schema["info"]["title"] == "InterviewNode API"
    assert schema["info"]["version"]


def test_the_schema_is_served_as_json_on_request(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert json.loads(response.content)["openapi"].startswith("3.")


def test_the_schema_lists_the_question_and_token_endpoints(schema):
    paths = schema["paths"]
    assert "get" in paths["/api/v1/questions/"]
    assert "post" in paths["/api/v1/questions/"]
    assert "get" in paths["/api/v1/questions/{id}/"]
    assert "patch" in paths["/api/v1/questions/{id}/"]
    assert "post" in paths["/api/v1/auth/token/"]
    assert "get" in paths["/api/v1/taxonomy/"]
    assert not any("bench" in path for path in paths)


FILTER_PARAMETERS = {"role", "level", "company", "category", "difficulty", "kind", "topic", "q"}


def test_the_schema_documents_the_list_filters_and_pagination(schema):
    parameters = {p["name"] for p in schema["paths"]["/api/v1/questions/"]["get"]["parameters"]}

    assert FILTER_PARAMETERS | {"page", "page_size"} <= parameters


def _response_schema(schema: dict, path: str) -> tuple[str, dict]:
    """The name and definition of the component that GET ``path`` answers with."""
    content = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    ref = content["schema"]["$ref"]
    return ref, schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def test_the_schema_describes_the_paginated_list_and_the_detail(schema):
    _, paginated = _response_schema(schema, "/api/v1/questions/")
    assert {"count", "next", "previous", "results"} <= set(paginated["properties"])

    _, detail = _response_schema(schema, "/api/v1/questions/{id}/")
    assert {"prompt", "prompt_html", "choices", "rubric"} <= set(detail["properties"])


def test_the_schema_never_describes_a_reference_answer_for_candidates(schema):
    """The read shapes (list, detail, choice) have no answer fields; only the curators' write shape does."""
    for path in ("/api/v1/questions/", "/api/v1/questions/{id}/"):
        ref, _ = _response_schema(schema, path)
        text = json.dumps(_resolve(schema["components"]["schemas"], ref))
        assert "title" in text  # the resolution reached the question's fields
        assert "reference_answer" not in text
        assert "is_correct" not in text
        assert "explanation" not in text


def _resolve(components: dict, ref: str, seen: frozenset = frozenset()) -> dict:
    """The component ``ref`` with every nested $ref replaced by its definition."""
    name = ref.rsplit("/", 1)[-1]
    if name in seen:
        return {}

    def walk(node):
        if isinstance(node, dict):
            if "$ref" in node:
                return _resolve(components, node["$ref"], seen | {name})
            return {key: walk(value) for key, value in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    return walk(components[name])


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            if attrs.get("src"):
                self.scripts.append(attrs["src"])
            else:
                self._in_script = True
        elif tag == "link":
            self.styles.append(attrs.get("href") or "")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.inline_scripts.append(data)


@pytest.fixture
def docs(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assets = _Assets()
    assets.feed(response.content.decode())
    return response.content.decode(), assets


def test_the_docs_load_swagger_ui_from_local_static_files(client, docs):
    html, assets = docs

    assert f"{SWAGGER_STATIC}swagger-ui-bundle.js" in assets.scripts
    assert f"{SWAGGER_STATIC}swagger-ui.css" in assets.styles
    # Swagger UI's set-up script comes from the page's own URL (no inline script, for the CSP).
    assert assets.scripts[-1] == "/api/docs/?script="
    for url in assets.scripts[:-1] + assets.styles:
        assert url.startswith((SWAGGER_STATIC, "/static/css/")), url
        # The file is really there for collectstatic / WhiteNoise to serve.
        assert finders.find(url.removeprefix("/static/")), f"{url} is not among the static files"
    assert "/api/schema/" in client.get("/api/docs/", {"script": ""}).content.decode()


def test_the_docs_use_no_cdn(docs):
    html, assets = docs

    for url in assets.scripts + assets.styles:
        assert not re.match(r"(https?:)?//", url), url
    for script in assets.inline_scripts:
        assert not re.search(r"https?://[^\s\"']+\.(js|css)\b", script)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "cdn" not in html.lower()
