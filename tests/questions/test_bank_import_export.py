"""Bank import and export (questions/bank.py) and the load_bank, import_bank, export_bank commands."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from questions import bank
from questions.models import (
    Category,
    Choice,
    Company,
    Level,
    Question,
    QuestionRevision,
    Role,
    StatusChange,
    Topic,
)
from questions.rubric import validate_rubric
from tests.factories import QuestionFactory, category, question_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hasher")]

OWN_RUBRIC, _ = validate_rubric(
    [
        {
            "key": "framing",
            "name": "Problem framing",
            "description": "Turns the ask into a measurable objective.",
            "weight": 2,
            "anchors": {
                "1": "No objective.",
                "2": "A vague one.",
                "3": "A clear metric.",
                "4": "Metric and guardrails.",
            },
        },
        {
            "key": "trade_offs",
            "name": "Trade-offs",
            "description": "Weighs latency against quality.",
            "weight": 1.5,
        },
    ]
)


@pytest.fixture
def varied_bank(taxonomy):
    """Questions of every kind and shape the formats must carry: choices, code, own rubric, odd text."""
    QuestionFactory(
        slug="mc-bias-variance",
        title="Bias, variance and “regularisation”",
        category=category("ml-theory"),
        difficulty=Question.Difficulty.EASY,
        status=Question.Status.IN_REVIEW,
        time_budget_seconds=450,
        roles=["ml-engineer", "data-scientist"],
        levels=["entry", "mid"],
        companies=["google", "meta"],
        topics=["bias-variance", "regularization"],
        provenance="In the style of a Google ML screen.",
        choices=[
            ("More data lowers *variance*", True),
            ('A deeper tree, "all else equal", raises bias', False),
            ("L2 shrinks weights, trading variance for bias", True),
        ],
    )
    QuestionFactory(
        slug="code-top-k",
        title="Top-k frequent items",
        kind=Question.Kind.CODE,
        category=category("coding"),
        difficulty=Question.Difficulty.HARD,
        status=Question.Status.DRAFT,
        language=Question.Language.PYTHON,
        starter_code="def top_k(items: list[str], k: int) -> list[str]:\n    ...",
        time_budget_seconds=30 * 60,
        weight=2,
        roles=["ml-engineer"],
        levels=["senior"],
        topics=["heaps", "hashing"],
        prompt="Return the `k` most frequent items.\n\n```python\ntop_k(['a', 'b', 'a'], 1) == ['a']\n```",
        reference_answer="Count with a dict, then a heap of size k: O(n log k).",
    )
    QuestionFactory(
        slug="sd-churn",
        title="Design churn prediction — naïve café edition",
        category=category("ml-system-design"),
        difficulty=Question.Difficulty.HARD,
        status=Question.Status.RETIRED,
        time_budget_seconds=45 * 60,
        rubric=OWN_RUBRIC,
        roles=["applied-scientist", "data-scientist", "ml-engineer"],
        levels=["senior", "staff"],
        companies=["netflix", "amazon", "apple"],
        topics=["churn", "retention", "metrics"],
        provenance="Reported: onsite, 2024, a streaming company.",
        prompt='Design a system that predicts churn.\nLines, commas, and "quotes" survive;\n\n- a list item',
        reference_answer="Requirements, label definition, features, model, serving, monitoring.",
    )
    QuestionFactory(slug="beh-conflict", title="A disagreement", category=category("behavioral"))


def _export_then_reimport(fmt: str, user) -> tuple[str, str]:
    first = bank.export(Question.objects.all(), fmt)
    Question.objects.all().delete()
    assert not Choice.objects.exists()
    bank.import_rows(bank.parse(first, fmt, source=f"bank.{fmt}"), user=user)
    return first, bank.export(Question.objects.all(), fmt)


@pytest.mark.parametrize("fmt", ["json", "csv", "yaml"])
def test_an_export_imported_into_an_empty_bank_gives_the_same_bank_back(varied_bank, curator, fmt):
    first, second = _export_then_reimport(fmt, curator)

    assert second == first
    assert Question.objects.count() == 4
    mcq = Question.objects.get(slug="mc-bias-variance")
    assert [(c.text, c.is_correct) for c in mcq.choices.all()] == [
        ("More data lowers *variance*", True),
        ('A deeper tree, "all else equal", raises bias', False),
        ("L2 shrinks weights, trading variance for bias", True),
    ]
    assert (mcq.status, mcq.time_budget_seconds) == (Question.Status.IN_REVIEW, 450)
    code = Question.objects.get(slug="code-top-k")
    assert (code.language, code.starter_code, code.weight) == (
        "python",
        "def top_k(items: list[str], k: int) -> list[str]:\n    ...",
        2,
    )
    design = Question.objects.get(slug="sd-churn")
    assert design.rubric == OWN_RUBRIC
    assert design.status == Question.Status.RETIRED
    assert sorted(design.companies.values_list("slug", flat=True)) == ["amazon", "apple", "netflix"]
    assert "naïve café" in design.title
    assert design.prompt.splitlines()[1] == 'Lines, commas, and "quotes" survive;'


def test_a_reimported_bank_records_its_first_revision_and_status(varied_bank, curator):
    _export_then_reimport("json", curator)
    design = Question.objects.get(slug="sd-churn")
    assert list(design.revisions.values_list("number", "created_by")) == [(1, curator.pk)]
    assert design.revisions.get().content["rubric"] == OWN_RUBRIC
    assert list(design.status_changes.values_list("from_status", "to_status", "changed_by")) == [
        ("", Question.Status.RETIRED, curator.pk)
    ]
    assert design.author == curator


# --- the all-or-nothing rule and line numbers --------------------------------------------------------


def _to_text(rows: list[dict], fmt: str) -> str:
    """A file as a person would write it (pretty JSON, a spreadsheet's CSV, block YAML)."""
    if fmt == "json":
        return json.dumps({"questions": rows}, indent=2, ensure_ascii=False)
    if fmt == "yaml":
        return yaml.safe_dump({"questions": rows}, sort_keys=False, allow_unicode=True)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=bank.FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        cells = {}
        for key, value in row.items():
            if isinstance(value, list) and key in bank.LIST_FIELDS:
                value = ", ".join(value)
            elif isinstance(value, list | dict):
                value = json.dumps(value) if value else ""
            cells[key] = "" if value is None else value
        writer.writerow(cells)
    return out.getvalue()


def _item_lines(text: str, fmt: str) -> list[int]:
    """Where each question starts, read off the text itself."""
    lines = text.splitlines()
    if fmt == "json":
        return [n for n, line in enumerate(lines, 1) if line == "    {"]
    if fmt == "yaml":
        return [n for n, line in enumerate(lines, 1) if line.startswith("- ")]
    # CSV: each record takes one line plus one per line break inside its cells.
    starts, line = [], 2
    for record in csv.DictReader(io.StringIO(text)):
        starts.append(line)
        line += 1 + sum(v.count("\n") for v in record.values())
    return starts


def _state() -> dict:
    """Everything an import could touch."""
    return {
        "questions": list(Question.objects.order_by("slug").values()),
        "choices": list(Choice.objects.order_by("id").values()),
        "tags": [
            (q.slug, [sorted(getattr(q, f).values_list("slug", flat=True)) for f in bank.LIST_FIELDS])
            for q in Question.objects.order_by("slug")
        ],
        "topics": sorted(Topic.objects.values_list("slug", flat=True)),
        "revisions": sorted(QuestionRevision.objects.values_list("question__slug", "number")),
        "status_changes": StatusChange.objects.count(),
    }


@pytest.fixture
def existing(taxonomy):
    question = QuestionFactory(
        slug="existing-question",
        title="Original title",
        status=Question.Status.PUBLISHED,
        choices=[("Right", True), ("Wrong", False), ("Also wrong", False)],
    )
    return Question.objects.get(pk=question.pk)  # as stored: plain strings, not the factory's enum values


BAD_THIRD_ROWS = {
    "unknown role": ({"roles": ["ml-engineer", "astronaut"]}, "unknown roles: astronaut"),
    "unknown company": ({"companies": ["google", "initech"]}, "unknown companies: initech"),
    "unknown level": ({"levels": ["principal"]}, "unknown levels: principal"),
    "invalid rubric": (
        {"rubric": [{"key": "Clarity", "name": "Clarity", "weight": 1}]},
        "rubric criterion 1 needs a key in snake_case (got 'Clarity')",
    ),
    "rubric with partial anchors": (
        {"rubric": [{"key": "clarity", "name": "Clarity", "anchors": {"1": "a", "2": "b", "3": "c"}}]},
        "rubric criterion 1 needs anchors for exactly 1, 2, 3 and 4",
    ),
    "multiple choice without a correct choice": (
        {
            "kind": "multiple_choice",
            "explanation": "None of them.",
            "choices": [{"text": "A", "correct": False}, {"text": "B", "correct": False}, {"text": "C"}],
        },
        "a multiple-choice question needs at least one correct choice",
    ),
    "code without a language": ({"kind": "code", "category": "coding"}, "a code question needs a language"),
    "duplicate slug": ({"slug": "new-question"}, "the slug 'new-question' is used again (first at {second})"),
}


@pytest.mark.parametrize("fmt", ["json", "csv", "yaml"])
@pytest.mark.parametrize("case", BAD_THIRD_ROWS)
def test_a_bad_third_row_names_its_line_and_reason_and_nothing_is_written(existing, curator, fmt, case):
    changes, reason = BAD_THIRD_ROWS[case]
    rows = [
        # a valid update of a stored question, spread over several lines
        {
            **bank.export_row(existing),
            "title": "Renamed by the import",
            "prompt": "Line one.\nLine two.\nLine three.",
            "topics": ["brand-new-topic"],
            "choices": [{"text": "Right", "correct": True}, {"text": "Changed", "correct": False}],
        },
        question_row("new-question", prompt="Alpha.\nBeta."),  # a valid new question
        {**question_row("third-question"), **changes},
    ]
    text = _to_text(rows, fmt)
    lines = _item_lines(text, fmt)
    assert len(lines) == 3
    before = _state()

    with pytest.raises(bank.BankImportError) as refused:
        bank.import_rows(bank.parse(text, fmt, source=f"bank.{fmt}"), user=curator)

    slug = rows[2]["slug"]
    expected = reason.format(second=f"bank.{fmt} line {lines[1]}")
    [error] = refused.value.errors
    assert error.startswith(f"bank.{fmt} line {lines[2]} ({slug}): {expected}")
    assert _state() == before
    existing.refresh_from_db()
    assert existing.title == "Original title"


def test_csv_line_numbers_count_the_lines_inside_quoted_cells(existing, curator):
    rows = [
        question_row("first", prompt="One\ntwo\nthree"),
        question_row("second", prompt="Four\nfive", reference_answer="Six\nseven"),
        question_row("third", roles=["astronaut"]),
    ]
    text = _to_text(rows, "csv")

    with pytest.raises(bank.BankImportError) as refused:
        bank.import_rows(bank.parse(text, "csv", source="bank.csv"), user=curator)

    # header 1, first 2–4, second 5–7 (prompt and answer each break one or two lines), third 8
    assert refused.value.errors[0].startswith("bank.csv line 8 (third): unknown roles: astronaut")


def test_csv_line_numbers_skip_blank_lines(taxonomy, curator):
    text = _to_text([question_row("first"), question_row("second", roles=["astronaut"])], "csv")
    header, first, second = text.splitlines()
    text = f"{header}\n{first}\n\n\n{second}\n"

    with pytest.raises(bank.BankImportError) as refused:
        bank.import_rows(bank.parse(text, "csv", source="bank.csv"), user=curator)

    assert refused.value.errors[0].startswith("bank.csv line 5 (second): ")


def test_every_bad_row_is_reported_not_only_the_first(existing, curator):
    rows = [
        question_row("bad-role", roles=["astronaut"]),
        question_row("fine"),
        question_row("bad-kind", kind="essay"),
        question_row("no-prompt", prompt=""),
    ]
    text = _to_text(rows, "json")
    lines = _item_lines(text, "json")

    with pytest.raises(bank.BankImportError) as refused:
        bank.import_rows(bank.parse(text, "json", source="bank.json"), user=curator)

    errors = refused.value.errors
    assert len(errors) == 3
    assert errors[0].startswith(f"bank.json line {lines[0]} (bad-role): unknown roles: astronaut")
    assert errors[1].startswith(f"bank.json line {lines[2]} (bad-kind): kind must be one of")
    assert errors[2] == f"bank.json line {lines[3]} (no-prompt): prompt is required"
    assert refused.value.detail == "Nothing was imported: 3 problem(s) found."
    assert list(Question.objects.values_list("slug", flat=True)) == ["existing-question"]


def test_unknown_fields_are_reported(taxonomy, curator):
    text = _to_text([question_row("a"), question_row("b", colour="blue", answer="x")], "json")
    with pytest.raises(bank.BankImportError) as refused:
        bank.import_rows(bank.parse(text, "json", source="bank.json"), user=curator)
    line = _item_lines(text, "json")[1]
    assert refused.value.errors == [f"bank.json line {line} (b): unknown fields: answer, colour"]
    assert not Question.objects.exists()


def test_unknown_csv_columns_are_reported_on_the_header_line(taxonomy):
    text = "slug,title,colour,kind\nx,X,blue,written\n"
    with pytest.raises(bank.BankImportError) as refused:
        bank.parse(text, "csv", source="bank.csv")
    assert refused.value.errors == ["bank.csv line 1: unknown columns: colour"]


def test_a_csv_row_with_more_cells_than_the_header_is_refused(taxonomy, curator):
    text = _to_text([question_row("a")], "csv").rstrip("\n") + ",surplus\n"
    with pytest.raises(bank.BankImportError) as refused:
        bank.import_rows(bank.parse(text, "csv", source="bank.csv"), user=curator)
    assert refused.value.errors == ["bank.csv line 2 (a): the row has more cells than the header"]


def test_malformed_json_reports_the_line(taxonomy):
    text = '{\n  "questions": [\n    {\n      "slug": "a"\n      "title": "x"\n    }\n  ]\n}\n'
    with pytest.raises(bank.BankImportError) as refused:
        bank.parse(text, "json", source="bank.json")
    assert refused.value.errors == ["bank.json line 5: not valid JSON: Expecting ',' delimiter"]


def test_malformed_yaml_reports_the_line(taxonomy):
    text = "questions:\n  - slug: a\n    title: ok\n  - slug: b\n   kind: badly-indented\n"
    with pytest.raises(bank.BankImportError) as refused:
        bank.parse(text, "yaml", source="bank.yaml")
    [error] = refused.value.errors
    assert error.startswith("bank.yaml line 5: not valid YAML")


def test_a_bad_json_cell_in_a_csv_file_names_the_column(taxonomy, curator):
    header = ",".join(bank.FIELDS)
    cells = {
        **dict.fromkeys(bank.FIELDS, ""),
        **{k: v for k, v in question_row("a").items() if isinstance(v, str)},
    }
    cells |= {"roles": "ml-engineer", "levels": "mid", "rubric": "[{not json"}
    out = io.StringIO()
    csv.DictWriter(out, fieldnames=bank.FIELDS, lineterminator="\n").writerow(cells)
    text = f"{header}\n{out.getvalue()}"

    with pytest.raises(bank.BankImportError) as refused:
        bank.import_rows(bank.parse(text, "csv", source="bank.csv"), user=curator)

    assert refused.value.errors == ["bank.csv line 2 (a): rubric is not valid JSON"]


def test_yaml_line_numbers_point_at_each_question(taxonomy, curator):
    text = (
        "# a comment\n"
        "questions:\n"
        "  - slug: first\n"
        "    title: First\n"
        "    kind: written\n"
        "    category: ml-theory\n"
        "    difficulty: easy\n"
        "    roles: [ml-engineer]\n"
        "    levels: [mid]\n"
        "    prompt: |\n"
        "      Several\n"
        "      lines.\n"
        "    reference_answer: Yes.\n"
        "\n"
        "  - slug: second\n"
        "    title: Second\n"
        "    kind: written\n"
        "    category: ml-theory\n"
        "    difficulty: easy\n"
        "    roles: [astronaut]\n"
        "    levels: [mid]\n"
        "    prompt: Why?\n"
        "    reference_answer: Because.\n"
    )
    with pytest.raises(bank.BankImportError) as refused:
        bank.import_rows(bank.parse(text, "yaml", source="bank.yaml"), user=curator)
    assert refused.value.errors[0].startswith("bank.yaml line 15 (second): unknown roles: astronaut")


def test_a_good_import_creates_and_updates_by_slug(existing, curator):
    rows = [
        {**bank.export_row(existing), "title": "Renamed by the import", "topics": ["brand-new-topic"]},
        question_row("new-question", status="in_review"),
    ]
    report = bank.import_rows(bank.parse(_to_text(rows, "json"), "json"), user=curator)

    assert (report.created, report.updated, report.unchanged) == (["new-question"], ["existing-question"], [])
    existing.refresh_from_db()
    assert existing.title == "Renamed by the import"
    assert list(existing.topics.values_list("slug", flat=True)) == ["brand-new-topic"]
    assert existing.status == Question.Status.PUBLISHED  # stays as the row says
    new = Question.objects.get(slug="new-question")
    assert (new.status, new.author, new.status_changed_by) == (Question.Status.IN_REVIEW, curator, curator)


def test_a_row_without_a_status_gets_the_default_status(taxonomy, curator):
    bank.import_rows([bank.Row("f", 1, question_row("plain"))], user=curator)
    assert Question.objects.get(slug="plain").status == Question.Status.DRAFT


# --- management commands ---------------------------------------------------------------------------


def _shipped_slugs() -> set[str]:
    return {
        item["slug"]
        for path in (bank.DATA_DIR / "bank").glob("*.yaml")
        for item in yaml.safe_load(path.read_text())["questions"]
    }


def _bank_state() -> dict:
    return {
        "questions": dict(Question.objects.values_list("slug", "updated_at")),
        "statuses": dict(Question.objects.values_list("slug", "status")),
        "choices": sorted(Choice.objects.values_list("id", "question_id", "position", "text", "is_correct")),
        "revisions": sorted(QuestionRevision.objects.values_list("id", "question_id", "number")),
        "status_changes": sorted(StatusChange.objects.values_list("id", "question_id", "to_status")),
        "taxonomy": [
            sorted(model.objects.values_list("id", "slug"))
            for model in (Level, Category, Role, Company, Topic)
        ],
    }


def test_load_bank_loads_the_shipped_taxonomy_and_bank_into_an_empty_database():
    assert not Question.objects.exists() and not Level.objects.exists()
    out = io.StringIO()

    call_command("load_bank", stdout=out)

    slugs = _shipped_slugs()
    assert set(Question.objects.values_list("slug", flat=True)) == slugs
    assert f"{len(slugs)} created, 0 updated, 0 unchanged" in out.getvalue()
    assert set(Question.objects.values_list("status", flat=True)) == {Question.Status.PUBLISHED}
    assert [
        Level.objects.count(),
        Category.objects.count(),
        Role.objects.count(),
        Company.objects.count(),
    ] == [
        4,
        6,
        10,
        11,
    ]
    assert QuestionRevision.objects.count() == len(slugs)  # one first revision each
    assert StatusChange.objects.filter(from_status="", to_status="published").count() == len(slugs)


def test_load_bank_twice_changes_nothing():
    call_command("load_bank", stdout=io.StringIO())
    before = _bank_state()
    out = io.StringIO()

    call_command("load_bank", stdout=out)

    assert f"0 created, 0 updated, {len(_shipped_slugs())} unchanged" in out.getvalue()
    assert _bank_state() == before


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_bank_with_bad_rows_fails_listing_them_and_writes_nothing(existing, tmp_path):
    rows = [
        {**bank.export_row(existing), "title": "Renamed"},
        question_row("bad-role", roles=["astronaut"]),
        question_row("fine"),
        question_row("bad-code", kind="code"),
    ]
    path = _write(tmp_path, "bank.csv", _to_text(rows, "csv"))
    lines = _item_lines(path.read_text(), "csv")
    before = _state()

    with pytest.raises(CommandError) as failed:
        call_command("import_bank", str(path), stdout=io.StringIO())

    message = str(failed.value)
    assert message.splitlines()[0] == "Nothing was imported: 2 problem(s) found."
    assert f"bank.csv line {lines[1]} (bad-role): unknown roles: astronaut" in message
    assert f"bank.csv line {lines[3]} (bad-code): a code question needs a language" in message
    assert _state() == before


def test_import_bank_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_bank", str(tmp_path / "nope.json"))


def test_import_bank_refuses_an_unknown_format(taxonomy, tmp_path):
    path = _write(tmp_path, "bank.txt", "slug: x\n")
    with pytest.raises(CommandError, match="unknown format 'txt'"):
        call_command("import_bank", str(path))


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_bank_writes_what_import_bank_reads_back(varied_bank, tmp_path, fmt):
    first = tmp_path / f"first.{fmt}"
    call_command("export_bank", "--format", fmt, "--output", str(first), stderr=io.StringIO())
    Question.objects.all().delete()

    out = io.StringIO()
    call_command("import_bank", str(first), stdout=out)

    assert f"Imported first.{fmt}: 4 created, 0 updated, 0 unchanged." in out.getvalue()
    second = io.StringIO()
    call_command("export_bank", "--format", fmt, stdout=second)
    assert second.getvalue() == first.read_text(encoding="utf-8")
    assert dict(Question.objects.values_list("slug", "status")) == {
        "mc-bias-variance": "in_review",
        "code-top-k": "draft",
        "sd-churn": "retired",
        "beh-conflict": "published",
    }


def test_export_bank_can_export_one_status(varied_bank):
    out = io.StringIO()
    call_command("export_bank", "--format", "json", "--status", "retired", stdout=out)
    assert [row["slug"] for row in json.loads(out.getvalue())["questions"]] == ["sd-churn"]


def test_import_bank_reads_a_utf8_file_with_a_byte_order_mark(taxonomy, tmp_path):
    path = tmp_path / "bank.csv"
    path.write_bytes(
        "\ufeff".encode() + _to_text([question_row("bom-file", title="Crème brûlée")], "csv").encode()
    )
    call_command("import_bank", str(path), stdout=io.StringIO())
    assert Question.objects.get(slug="bom-file").title == "Crème brûlée"


def test_a_csv_export_never_hands_a_spreadsheet_a_formula_and_still_round_trips(taxonomy, curator):
    QuestionFactory(
        slug="formulas",
        title='=HYPERLINK("http://evil.example","Click")',
        prompt="- a Markdown list item\n- and another",
        provenance="@import of a rumour",
        reference_answer="'=already quoted by hand",
        explanation="+1 for the cell that starts with a plus",
    )
    exported = bank.export(Question.objects.all(), "csv")

    (cells,) = csv.DictReader(io.StringIO(exported))
    risky = ("title", "prompt", "provenance", "reference_answer", "explanation")
    assert {key: cells[key][:3] for key in risky} == {
        "title": "'=H",
        "prompt": "'- ",
        "provenance": "'@i",
        "reference_answer": "''=",
        "explanation": "'+1",
    }
    assert cells["slug"] == "formulas"  # ordinary cells are left alone

    Question.objects.all().delete()
    bank.import_rows(bank.parse(exported, "csv", source="bank.csv"), user=curator)
    question = Question.objects.get(slug="formulas")
    assert question.title == '=HYPERLINK("http://evil.example","Click")'
    assert question.prompt == "- a Markdown list item\n- and another"
    assert question.reference_answer == "'=already quoted by hand"
    assert bank.export(Question.objects.all(), "csv") == exported
