"""Curating the bank in the Django admin: filters, bulk workflow actions, the change form, import/export."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from accounts.models import Role
from questions import bank
from questions.models import Category, Level, Question
from questions.models import Role as JobRole
from questions.services import question_transition, revision_record
from tests.factories import QuestionFactory, UserFactory, category, question_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

CHANGELIST = "/admin/questions/question/"
ADD = "/admin/questions/question/add/"
IMPORT = "/admin/questions/question/import/"
EXPORT_JSON = "/admin/questions/question/export/json/"
EXPORT_CSV = "/admin/questions/question/export/csv/"


@pytest.fixture
def curator_client(client, curator, taxonomy):
    client.force_login(curator)
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _titles(response) -> set[str]:
    return {q.title for q in response.context["cl"].result_list}


def test_the_admin_urls_are_where_the_tests_expect_them():
    assert reverse("admin:questions_question_changelist") == CHANGELIST
    assert reverse("admin:questions_question_import") == IMPORT
    assert reverse("admin:questions_question_export", args=["json"]) == EXPORT_JSON


# --- the changelist --------------------------------------------------------------------------------


@pytest.fixture
def shelf(taxonomy):
    """A few questions that differ in exactly the fields the changelist filters on."""
    return {
        "draft": QuestionFactory(title="Draft about dropout", status=Question.Status.DRAFT, levels=["entry"]),
        "coding": QuestionFactory(
            title="Reverse a linked list",
            category=category("coding"),
            companies=["meta"],
            roles=["data-engineer"],
        ),
        "retired": QuestionFactory(
            title="Retired on stats", status=Question.Status.RETIRED, levels=["staff"]
        ),
        "tagged": QuestionFactory(
            title="Published with a topic", topics=["gradient-boosting"], difficulty=Question.Difficulty.HARD
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status__exact=draft", {"Draft about dropout"}),
        ("status__exact=retired", {"Retired on stats"}),
        ("difficulty__exact=hard", {"Published with a topic"}),
        ("category__id__exact={coding}", {"Reverse a linked list"}),
        ("levels__id__exact={staff}", {"Retired on stats"}),
        ("companies__id__exact={meta}", {"Reverse a linked list"}),
        ("roles__id__exact={data_engineer}", {"Reverse a linked list"}),
        ("q=linked", {"Reverse a linked list"}),
        ("q=gradient-boosting", {"Published with a topic"}),  # topics are searchable
        (
            "q=question-",
            {"Draft about dropout", "Reverse a linked list", "Retired on stats", "Published with a topic"},
        ),
    ],
)
def test_the_changelist_filters_and_searches(curator_client, shelf, query, expected):
    ids = {
        "coding": Category.objects.get(slug="coding").pk,
        "staff": Level.objects.get(slug="staff").pk,
        "meta": shelf["coding"].companies.get().pk,
        "data_engineer": JobRole.objects.get(slug="data-engineer").pk,
    }
    response = curator_client.get(f"{CHANGELIST}?{query.format(**ids)}")
    assert response.status_code == 200
    assert _titles(response) == expected
    for title in expected:
        assert title in response.content.decode()


def test_a_slug_search_finds_a_question_once(curator_client, taxonomy):
    QuestionFactory(title="Tagged twice", topics=["ab-testing", "ab-testing-power"])
    response = curator_client.get(f"{CHANGELIST}?q=ab-testing")
    assert [q.title for q in response.context["cl"].result_list] == ["Tagged twice"]


# --- bulk actions ----------------------------------------------------------------------------------


def _act(client, action: str, questions):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [q.pk for q in questions], "index": 0},
        follow=True,
    )


def test_bulk_publish_moves_the_selected_questions_and_records_who(curator_client, curator, taxonomy):
    drafts = [QuestionFactory(title=f"Draft {n}", status=Question.Status.DRAFT) for n in range(3)]
    left_alone = QuestionFactory(title="Not selected", status=Question.Status.DRAFT)

    response = _act(curator_client, "make_published", drafts[:2])

    assert response.status_code == 200
    assert "2 question(s) now published." in _messages(response)
    assert dict(Question.objects.values_list("title", "status")) == {
        "Draft 0": "published",
        "Draft 1": "published",
        "Draft 2": "draft",
        "Not selected": "draft",
    }
    assert {q.status_changed_by for q in Question.objects.filter(status="published")} == {curator}
    assert left_alone.status_changes.count() == 0


def test_bulk_retire_reports_the_questions_it_refused(curator_client, taxonomy):
    live = QuestionFactory(title="Live question", status=Question.Status.PUBLISHED)
    draft = QuestionFactory(title="Unfinished question", status=Question.Status.DRAFT)

    response = _act(curator_client, "make_retired", [live, draft])

    messages = _messages(response)
    assert "1 question(s) now retired." in messages
    assert "Unfinished question: A draft question cannot become retired." in messages
    assert escape("Unfinished question: A draft question cannot become retired.") in response.content.decode()
    live.refresh_from_db()
    draft.refresh_from_db()
    assert (live.status, draft.status) == ("retired", "draft")


def test_bulk_export_of_selected_questions_downloads_only_those(curator_client, taxonomy):
    picked = QuestionFactory(slug="picked")
    QuestionFactory(slug="not-picked")
    response = curator_client.post(CHANGELIST, {"action": "export_json", "_selected_action": [picked.pk]})
    assert response.status_code == 200
    assert [row["slug"] for row in json.loads(response.content)["questions"]] == ["picked"]


# --- the change form -------------------------------------------------------------------------------


def _form_data(response) -> dict:
    """What the browser posts back: the page's form values, with every inline's management form."""
    data: dict = {}

    def put(form):
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value

    put(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in formset.forms:
            put(form)
    return data


def _mcq_form(curator_client, **fields) -> dict:
    data = _form_data(curator_client.get(ADD))
    data.update(
        {
            "title": "Which of these reduce variance?",
            "slug": "which-reduce-variance",
            "kind": "multiple_choice",
            "category": Category.objects.get(slug="ml-theory").pk,
            "difficulty": "easy",
            "time_budget_seconds": 300,
            "weight": 1,
            "prompt": "Select all that apply.",
            "explanation": "Bagging and more data reduce variance; a deeper tree raises it.",
            "roles": [JobRole.objects.get(slug="ml-engineer").pk],
            "levels": [Level.objects.get(slug="entry").pk],
            "provenance": "In the style of a phone screen.",
            "choices-TOTAL_FORMS": 3,
            "choices-0-position": 1,
            "choices-0-text": "Bagging",
            "choices-0-is_correct": "on",
            "choices-1-position": 2,
            "choices-1-text": "More training data",
            "choices-1-is_correct": "on",
            "choices-2-position": 3,
            "choices-2-text": "A deeper tree",
            **fields,
        }
    )
    return data


def test_the_change_form_saves_a_question_with_choices_and_a_first_revision(curator_client, curator):
    response = curator_client.post(ADD, _mcq_form(curator_client))

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    question = Question.objects.get(slug="which-reduce-variance")
    assert (question.kind, question.status, question.author) == ("multiple_choice", "draft", curator)
    assert [(c.position, c.text, c.is_correct) for c in question.choices.all()] == [
        (1, "Bagging", True),
        (2, "More training data", True),
        (3, "A deeper tree", False),
    ]
    revision = question.revisions.get()
    assert (revision.number, revision.created_by) == (1, curator)
    assert [c["text"] for c in revision.content["choices"]] == [
        "Bagging",
        "More training data",
        "A deeper tree",
    ]


def test_editing_a_question_in_the_change_form_adds_a_revision_and_keeps_choice_ids(curator_client, curator):
    curator_client.post(ADD, _mcq_form(curator_client))
    question = Question.objects.get(slug="which-reduce-variance")
    ids = list(question.choices.values_list("id", flat=True))
    change_url = f"{CHANGELIST}{question.pk}/change/"

    data = _form_data(curator_client.get(change_url))
    data["prompt"] = "Select every choice that reduces variance."
    data["choices-2-text"] = "Growing a deeper tree"
    response = curator_client.post(change_url, data)

    assert response.status_code == 302
    question.refresh_from_db()
    assert question.prompt == "Select every choice that reduces variance."
    assert list(question.choices.values_list("id", "text")) == list(
        zip(ids, ["Bagging", "More training data", "Growing a deeper tree"], strict=True)
    )
    first, second = question.revisions.order_by("number")
    assert first.content["prompt"] == "Select all that apply."
    assert first.content["choices"][2]["text"] == "A deeper tree"
    assert second.content["choices"][2] == {
        "id": ids[2],
        "text": "Growing a deeper tree",
        "is_correct": False,
    }


def test_saving_the_form_without_changes_adds_no_revision(curator_client, taxonomy):
    question = QuestionFactory()
    change_url = f"{CHANGELIST}{question.pk}/change/"
    response = curator_client.post(change_url, _form_data(curator_client.get(change_url)))
    assert response.status_code == 302
    assert question.revisions.count() == 1


def test_the_change_form_refuses_a_multiple_choice_question_without_a_correct_choice(curator_client):
    data = _mcq_form(curator_client)
    del data["choices-0-is_correct"], data["choices-1-is_correct"]
    response = curator_client.post(ADD, data)
    assert response.status_code == 200
    assert "Mark at least one choice as correct." in response.content.decode()
    assert not Question.objects.exists()


def test_the_change_form_refuses_a_code_question_without_a_language(curator_client):
    data = _mcq_form(
        curator_client,
        kind="code",
        reference_answer="Use a heap.",
        explanation="",
        **{"choices-TOTAL_FORMS": 0},
    )
    response = curator_client.post(ADD, data)
    assert response.status_code == 200
    assert "A code question needs a language." in response.content.decode()
    assert not Question.objects.exists()


@pytest.mark.parametrize(
    ("rubric", "message"),
    [
        (
            '[{"key": "Bad Key", "name": "Depth"}]',
            "rubric criterion 1 needs a key in snake_case (got 'Bad Key')",
        ),
        (
            '[{"key": "depth", "name": "Depth", "weight": 0}]',
            "rubric criterion 1 needs a weight between 0 and 100",
        ),
        ('{"key": "depth"}', "a rubric is a non-empty list of criteria"),
        ("[{not json", "Enter a valid JSON."),
    ],
)
def test_the_change_form_validates_the_rubric_json(curator_client, rubric, message):
    response = curator_client.post(ADD, _mcq_form(curator_client, rubric=rubric))
    assert response.status_code == 200
    assert escape(message) in response.content.decode()
    assert not Question.objects.exists()


def test_the_change_form_stores_a_valid_rubric_in_normal_form(curator_client):
    anchors = '{"4": "d", "1": "a", "2": "b", "3": "c"}'
    rubric = f'[{{"key": "depth", "name": " Depth ", "weight": 2, "anchors": {anchors}}}]'
    response = curator_client.post(ADD, _mcq_form(curator_client, rubric=rubric))
    assert response.status_code == 302
    question = Question.objects.get()
    assert question.rubric == [
        {
            "key": "depth",
            "name": "Depth",
            "description": "",
            "weight": 2,
            "anchors": {"1": "a", "2": "b", "3": "c", "4": "d"},
        }
    ]
    assert question.revisions.get().content["rubric"] == question.rubric


def test_the_change_page_shows_revision_and_status_history(curator_client, curator, taxonomy):
    reviewer = UserFactory(role=Role.CURATOR, email="reviewer@example.com")
    question = QuestionFactory(title="First wording", status=Question.Status.DRAFT)
    question_transition(question=question, to_status=Question.Status.IN_REVIEW, user=curator)
    question_transition(question=question, to_status=Question.Status.PUBLISHED, user=reviewer)
    question.title = "Second wording"
    question.save()
    revision_record(question=question, user=reviewer)

    response = curator_client.get(f"{CHANGELIST}{question.pk}/change/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Revision history (what sessions keep as asked)" in page
    assert "Status history" in page
    assert "First wording" in page and "Second wording" in page
    assert "first version" in page
    assert "reviewer@example.com" in page
    assert "In review" in page
    history = response.context["inline_admin_formsets"]
    shown = {inline.opts.verbose_name_plural: len(inline.formset.forms) for inline in history}
    assert shown["status history"] == 2
    assert shown["revision history (what sessions keep as asked)"] == 2


# --- import and export -----------------------------------------------------------------------------


def test_importing_a_good_json_file_imports_it(curator_client, curator):
    text = json.dumps({"questions": [question_row("one"), question_row("two", status="in_review")]}, indent=2)
    upload = SimpleUploadedFile("bank.json", text.encode(), content_type="application/json")

    response = curator_client.post(IMPORT, {"file": upload}, follow=True)

    assert response.redirect_chain[-1][0] == CHANGELIST
    assert "Imported bank.json: 2 created, 0 updated, 0 unchanged." in _messages(response)
    assert dict(Question.objects.values_list("slug", "status")) == {"one": "draft", "two": "in_review"}
    assert {q.author for q in Question.objects.all()} == {curator}


def test_importing_a_csv_with_bad_rows_shows_each_error_and_imports_nothing(curator_client, taxonomy):
    existing = QuestionFactory(slug="existing", title="Kept as it was")
    out = io.StringIO()
    writer = csv.DictWriter(
        out,
        fieldnames=[
            "slug",
            "title",
            "kind",
            "category",
            "difficulty",
            "roles",
            "levels",
            "prompt",
            "reference_answer",
        ],
        lineterminator="\n",
    )
    writer.writeheader()
    writer.writerow({**question_row("existing", title="Renamed"), "roles": "ml-engineer", "levels": "mid"})
    writer.writerow(
        {**question_row("bad-role"), "roles": "astronaut", "levels": "mid", "prompt": "Two\nlines"}
    )
    writer.writerow({**question_row("fine"), "roles": "ml-engineer", "levels": "mid"})
    writer.writerow({**question_row("bad-level"), "roles": "ml-engineer", "levels": "principal"})
    upload = SimpleUploadedFile("bank.csv", out.getvalue().encode(), content_type="text/csv")

    response = curator_client.post(IMPORT, {"file": upload})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was imported" in page
    errors = response.context["errors"]
    assert len(errors) == 2
    assert errors[0].startswith("bank.csv line 3 (bad-role): unknown roles: astronaut")
    assert errors[1].startswith("bank.csv line 6 (bad-level): unknown levels: principal")
    for error in errors:
        assert escape(error) in page
    assert list(Question.objects.values_list("slug", "title")) == [("existing", "Kept as it was")]
    assert existing.revisions.count() == 1


def test_the_import_page_refuses_a_file_of_another_type(curator_client):
    upload = SimpleUploadedFile("bank.xlsx", b"PK\x03\x04", content_type="application/octet-stream")
    response = curator_client.post(IMPORT, {"file": upload})
    assert response.status_code == 200
    assert "Use a .json, .csv or .yaml file (got bank.xlsx)." in response.content.decode()


def test_the_changelist_links_to_import_and_both_exports(curator_client):
    page = curator_client.get(CHANGELIST).content.decode()
    for url in (IMPORT, EXPORT_JSON, EXPORT_CSV):
        assert f'href="{url}"' in page


def test_the_export_links_download_the_whole_bank(curator_client, taxonomy):
    QuestionFactory(slug="written-one", status=Question.Status.DRAFT)
    QuestionFactory(slug="choice-one", choices=[("Yes", True), ("No", False), ("Perhaps", False)])

    as_json = curator_client.get(EXPORT_JSON)
    as_csv = curator_client.get(EXPORT_CSV)

    assert as_json.status_code == as_csv.status_code == 200
    assert as_json["Content-Type"] == "application/json; charset=utf-8"
    assert as_csv["Content-Type"] == "text/csv; charset=utf-8"
    assert as_json["Content-Disposition"].startswith('attachment; filename="interviewnode-bank-')
    assert as_csv["Content-Disposition"].endswith('.csv"')
    assert as_json.content.decode() == bank.export(Question.objects.all(), "json")
    assert as_csv.content.decode() == bank.export(Question.objects.all(), "csv")
    assert {row["slug"] for row in json.loads(as_json.content)["questions"]} == {"written-one", "choice-one"}
    assert {row["slug"] for row in csv.DictReader(io.StringIO(as_csv.content.decode()))} == {
        "written-one",
        "choice-one",
    }


def test_an_unknown_export_format_goes_back_to_the_list(curator_client):
    response = curator_client.get("/admin/questions/question/export/xml/")
    assert response.status_code == 302
    assert response.url == CHANGELIST


# --- who may curate --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CANDIDATE, Role.COACH])
def test_candidates_and_coaches_cannot_reach_the_curation_views(client, taxonomy, role):
    question = QuestionFactory(title="Secret draft", status=Question.Status.DRAFT)
    client.force_login(UserFactory(role=role))

    for url in (CHANGELIST, ADD, f"{CHANGELIST}{question.pk}/change/", IMPORT, EXPORT_JSON, EXPORT_CSV):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/admin/login/"), url
        assert b"Secret draft" not in response.content

    upload = SimpleUploadedFile("bank.json", json.dumps([question_row("sneaky")]).encode())
    assert client.post(IMPORT, {"file": upload}).status_code == 302
    client.post(CHANGELIST, {"action": "make_retired", "_selected_action": [question.pk]})
    client.post(ADD, {"title": "Sneaky", "slug": "sneaky"})

    assert list(Question.objects.values_list("slug", "status")) == [(question.slug, "draft")]


def test_an_anonymous_visitor_cannot_download_the_bank(client, taxonomy):
    QuestionFactory(reference_answer="Only for curators.")
    response = client.get(EXPORT_JSON)
    assert response.status_code == 302
    assert b"Only for curators." not in response.content
