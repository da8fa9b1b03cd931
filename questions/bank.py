"""Import and export of the question bank (YAML data files, JSON, CSV).

Every format parses into rows of the same shape (see docs/question-format.md). Import validates all
rows first and writes nothing unless every row is valid; a row whose content equals the stored
question is left alone, so loading the same file twice changes nothing.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from interviewnode.errors import ApplicationError

from .models import Category, Choice, Company, Level, Question, Role, StatusChange, Topic
from .rubric import validate_rubric
from .services import revision_record

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FIELDS = [
    "slug", "title", "kind", "category", "difficulty", "status", "roles", "levels", "companies", "topics",
    "time_minutes", "weight", "provenance", "prompt", "reference_answer", "explanation", "language",
    "starter_code", "choices", "rubric",
]  # fmt: skip
LIST_FIELDS = ("roles", "levels", "companies", "topics")
TEXT_FIELDS = ("provenance", "prompt", "reference_answer", "explanation", "starter_code")
MAX_TEXT = 20_000
FORMATS = ("json", "csv", "yaml")
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection). The CSV export
# quotes such a cell with a leading apostrophe, which spreadsheets show as text and the import removes;
# a cell that already starts with apostrophes before such a character gets one more, so it round-trips.
_FORMULA_CELL = re.compile(r"'*[=+\-@\t\r]")


@dataclass
class Row:
    source: str
    line: int
    data: dict

    @property
    def where(self) -> str:
        slug = self.data.get("slug") if isinstance(self.data, dict) else None
        return f"{self.source} line {self.line}" + (f" ({slug})" if slug else "")


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{len(self.created)} created, {len(self.updated)} updated, {len(self.unchanged)} unchanged"


class BankImportError(ApplicationError):
    """The file was refused; ``errors`` names every bad row with its line and reason."""

    def __init__(self, errors: list[str]):
        super().__init__(
            f"Nothing was imported: {len(errors)} problem(s) found.",
            code="invalid",
            extra={"errors": errors},
        )
        self.errors = errors


# --- parsing ---------------------------------------------------------------------------------------


def parse(text: str, fmt: str, *, source: str = "file") -> list[Row]:
    if fmt not in FORMATS:
        raise BankImportError([f"{source}: unknown format {fmt!r}; use one of {', '.join(FORMATS)}"])
    return {"json": _parse_json, "csv": _parse_csv, "yaml": _parse_yaml}[fmt](text, source)


def format_for(filename: str) -> str:
    suffix = Path(filename).suffix.lower().lstrip(".")
    return {"yml": "yaml"}.get(suffix, suffix)


def _parse_yaml(text: str, source: str) -> list[Row]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)  # where the parser gave up, as JSON errors say
        where = f"{source} line {mark.line + 1}" if mark else source
        raise BankImportError([f"{where}: not valid YAML: {error}"]) from None
    if isinstance(data, dict):
        items = data.get("questions")
        node = next((v for k, v in node.value if k.value == "questions"), None)
    else:
        items = data
    if not isinstance(items, list):
        raise BankImportError([f"{source}: expected a list of questions under “questions:”"])
    return [
        Row(source, item_node.start_mark.line + 1, item)
        for item, item_node in zip(items, node.value, strict=True)
    ]


def _parse_json(text: str, source: str) -> list[Row]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise BankImportError([f"{source} line {error.lineno}: not valid JSON: {error.msg}"]) from None
    items = data.get("questions") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise BankImportError([f"{source}: expected a list of questions, or an object with “questions”"])
    lines = _json_item_lines(text, is_object=isinstance(data, dict))
    if len(lines) != len(items):
        lines = list(range(1, len(items) + 1))  # unusual layout: fall back to item numbers
    return [Row(source, line, item) for line, item in zip(lines, items, strict=True)]


def _json_item_lines(text: str, *, is_object: bool) -> list[int]:
    """The line on which each element of the questions array starts."""
    match = re.search(r'"questions"\s*:\s*\[' if is_object else r"\[", text)
    if not match:
        return []
    decoder, position, lines = json.JSONDecoder(), match.end(), []
    while True:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        if position >= len(text) or text[position] == "]":
            return lines
        try:
            _, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError:
            return []
        lines.append(text.count("\n", 0, position) + 1)
        position = end


def _csv_cell_quoted(value):
    return f"'{value}" if isinstance(value, str) and _FORMULA_CELL.match(value) else value


def _csv_cell_unquoted(value: str) -> str:
    return value[1:] if value.startswith("'") and _FORMULA_CELL.match(value, 1) else value


def _parse_csv(text: str, source: str) -> list[Row]:
    reader = csv.DictReader(io.StringIO(text))
    unknown = set(reader.fieldnames or []) - set(FIELDS)
    if not reader.fieldnames or unknown:
        raise BankImportError([f"{source} line 1: unknown columns: {', '.join(sorted(unknown)) or '(none)'}"])
    rows = []
    for record in reader:
        data: dict = {}
        for key, value in record.items():
            if key is None:
                data["__extra__"] = value
            elif value not in (None, ""):
                data[key] = _csv_cell_unquoted(value)
        for key in LIST_FIELDS:
            data[key] = [part.strip() for part in data.get(key, "").split(",") if part.strip()]
        for key in ("choices", "rubric"):
            if key in data:
                try:
                    data[key] = json.loads(data[key])
                except json.JSONDecodeError:
                    data[key] = ValueError(f"{key} is not valid JSON")
        # The record ends on line_num and starts as many lines earlier as its cells hold line breaks
        # (counting back, not on from the previous record, so skipped blank lines do not shift it).
        cells = [v for k, v in record.items() if k is not None] + (record.get(None) or [])
        line = reader.line_num - sum(v.count("\n") for v in cells if isinstance(v, str))
        rows.append(Row(source, line, data))
    return rows


# --- validation ------------------------------------------------------------------------------------


class _Taxonomy:
    def __init__(self):
        self.categories = {c.slug: c for c in Category.objects.all()}
        self.roles = {r.slug: r for r in Role.objects.all()}
        self.levels = {lv.slug: lv for lv in Level.objects.all()}
        self.companies = {c.slug: c for c in Company.objects.all()}


def _clean(data, taxonomy: _Taxonomy, default_status: str) -> tuple[dict, list[str]]:
    """Check one row; return its normalised form (the same shape ``export_row`` gives)."""
    if not isinstance(data, dict):
        return {}, ["a question must be an object of fields"]
    errors: list[str] = []
    if "__extra__" in data:
        errors.append("the row has more cells than the header")
    unknown = set(data) - set(FIELDS) - {"__extra__"}
    if unknown:
        errors.append(f"unknown fields: {', '.join(sorted(unknown))}")

    def text(key: str, *, required: bool = False, max_length: int = MAX_TEXT) -> str:
        value = data.get(key)
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors.append(f"{key} must be text")
            return ""
        value = value.strip()
        if required and not value:
            errors.append(f"{key} is required")
        if len(value) > max_length:
            errors.append(f"{key} is longer than {max_length} characters")
        return value

    def choice(key: str, allowed, *, default: str | None = None) -> str:
        value = data.get(key, default)
        if value not in allowed:
            errors.append(f"{key} must be one of {', '.join(allowed)} (got {value!r})")
        return value

    def slugs(key: str, known: dict | None, *, required: bool) -> list[str]:
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            errors.append(f"{key} must be a list of slugs")
            return []
        value = sorted({v.strip() for v in value})
        if required and not value:
            errors.append(f"{key} needs at least one value")
        if known is None:
            bad = [v for v in value if not SLUG_PATTERN.match(v) or len(v) > 60]
            if bad:
                errors.append(f"{key}: not kebab-case slugs: {', '.join(bad)}")
        else:
            bad = [v for v in value if v not in known]
            if bad:
                errors.append(f"unknown {key}: {', '.join(bad)} (known: {', '.join(sorted(known))})")
        return value

    def number(key: str, low: float, high: float, default) -> int | float:
        value = data.get(key, default)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = float(value)
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            errors.append(f"{key} must be a number from {low:g} to {high:g} (got {data.get(key)!r})")
            return default
        return int(value) if float(value).is_integer() else value

    row = {"slug": text("slug", required=True, max_length=80)}
    if row["slug"] and not SLUG_PATTERN.match(row["slug"]):
        errors.append(f"slug must be kebab-case (got {row['slug']!r})")
    row["title"] = text("title", required=True, max_length=200)
    row["kind"] = choice("kind", Question.Kind.values)
    row["category"] = choice("category", sorted(taxonomy.categories))
    row["difficulty"] = choice("difficulty", Question.Difficulty.values)
    row["status"] = choice("status", Question.Status.values, default=default_status)
    row["roles"] = slugs("roles", taxonomy.roles, required=True)
    row["levels"] = slugs("levels", taxonomy.levels, required=True)
    row["companies"] = slugs("companies", taxonomy.companies, required=False)
    row["topics"] = slugs("topics", None, required=False)
    row["time_minutes"] = number("time_minutes", 1, 180, 15)
    row["weight"] = number("weight", 1, 100, 1)
    if not isinstance(row["weight"], int):
        errors.append("weight must be a whole number")
    for key in TEXT_FIELDS:
        row[key] = text(key, required=key == "prompt")
    row["language"] = text("language", max_length=20)
    row["choices"] = []
    row["rubric"] = None

    kind = row["kind"]
    if kind == Question.Kind.MULTIPLE_CHOICE:
        row["choices"] = _clean_choices(data.get("choices"), errors)
        if not row["explanation"]:
            errors.append("a multiple-choice question needs an explanation")
    elif data.get("choices"):
        errors.append("only multiple-choice questions have choices")
    if kind in (Question.Kind.WRITTEN, Question.Kind.CODE) and not row["reference_answer"]:
        errors.append(f"a {kind} question needs a reference answer")
    if kind == Question.Kind.CODE:
        if row["language"] not in Question.Language.values:
            errors.append(f"a code question needs a language: one of {', '.join(Question.Language.values)}")
    elif row["language"] or row["starter_code"]:
        errors.append("only code questions have a language and starter code")

    raw_rubric = data.get("rubric")
    if isinstance(raw_rubric, ValueError):
        errors.append(str(raw_rubric))
    elif raw_rubric not in (None, []):
        row["rubric"], rubric_errors = validate_rubric(raw_rubric)
        errors.extend(rubric_errors)
    return row, errors


def _clean_choices(raw, errors: list[str]) -> list[dict]:
    if isinstance(raw, ValueError):
        errors.append(str(raw))
        return []
    if not isinstance(raw, list) or not 2 <= len(raw) <= 6:
        errors.append("a multiple-choice question needs 2 to 6 choices")
        return []
    choices = []
    for number, item in enumerate(raw, 1):
        if (
            not isinstance(item, dict)
            or set(item) - {"text", "correct"}
            or not isinstance(item.get("text"), str)
            or not item["text"].strip()
            or not isinstance(item.get("correct", False), bool)
        ):
            errors.append(f"choice {number} must have a text and correct: true/false")
            continue
        if len(item["text"]) > 500:
            errors.append(f"choice {number} is longer than 500 characters")
        choices.append({"text": item["text"].strip(), "correct": item.get("correct", False)})
    if choices and not any(c["correct"] for c in choices):
        errors.append("a multiple-choice question needs at least one correct choice")
    return choices


def validate(rows: list[Row], *, default_status: str) -> list[tuple[Row, dict]]:
    """Clean every row; raise BankImportError naming each bad one (and duplicate slugs)."""
    taxonomy = _Taxonomy()
    cleaned, errors, first_seen = [], [], {}
    for row in rows:
        clean, row_errors = _clean(row.data, taxonomy, default_status)
        slug = clean.get("slug")
        if slug and slug in first_seen:
            row_errors.append(f"the slug {slug!r} is used again (first at {first_seen[slug]})")
        elif slug:
            first_seen[slug] = f"{row.source} line {row.line}"
        errors.extend(f"{row.where}: {message}" for message in row_errors)
        cleaned.append((row, clean))
    if errors:
        raise BankImportError(errors)
    return cleaned


# --- writing ---------------------------------------------------------------------------------------


def export_row(question: Question) -> dict:
    """A question as a row; ``import_rows`` of this row gives the same question back."""
    minutes = question.time_budget_seconds / 60
    return {
        "slug": question.slug,
        "title": question.title,
        "kind": question.kind,
        "category": question.category.slug,
        "difficulty": question.difficulty,
        "status": question.status,
        "roles": sorted(r.slug for r in question.roles.all()),
        "levels": sorted(lv.slug for lv in question.levels.all()),
        "companies": sorted(c.slug for c in question.companies.all()),
        "topics": sorted(t.slug for t in question.topics.all()),
        "time_minutes": int(minutes) if minutes.is_integer() else minutes,
        "weight": question.weight,
        "provenance": question.provenance,
        "prompt": question.prompt,
        "reference_answer": question.reference_answer,
        "explanation": question.explanation,
        "language": question.language,
        "starter_code": question.starter_code,
        "choices": [{"text": c.text, "correct": c.is_correct} for c in question.choices.all()],
        "rubric": question.rubric or None,
    }


def export_queryset(queryset=None):
    queryset = Question.objects.all() if queryset is None else queryset
    return (
        queryset.select_related("category")
        .prefetch_related("roles", "levels", "companies", "topics", "choices")
        .order_by("category__order", "slug")
    )


def export(queryset, fmt: str) -> str:
    rows = [export_row(q) for q in export_queryset(queryset)]
    if fmt == "json":
        return json.dumps({"questions": rows}, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            cells = {
                **row,
                **{key: ", ".join(row[key]) for key in LIST_FIELDS},
                "choices": json.dumps(row["choices"], ensure_ascii=False) if row["choices"] else "",
                "rubric": json.dumps(row["rubric"], ensure_ascii=False) if row["rubric"] else "",
            }
            writer.writerow({key: _csv_cell_quoted(value) for key, value in cells.items()})
        return out.getvalue()
    if fmt == "yaml":
        return yaml.safe_dump({"questions": rows}, sort_keys=False, allow_unicode=True, width=110)
    raise BankImportError([f"unknown format {fmt!r}"])


@transaction.atomic
def import_rows(
    rows: list[Row], *, user: AbstractBaseUser | None, default_status: str = Question.Status.DRAFT
) -> ImportReport:
    """Validate every row, then create or update questions by slug in one transaction."""
    cleaned = validate(rows, default_status=default_status)
    taxonomy = _Taxonomy()
    existing = {
        q.slug: q for q in export_queryset(Question.objects.filter(slug__in=[c["slug"] for _, c in cleaned]))
    }
    topics = {t.slug: t for t in Topic.objects.all()}
    report = ImportReport()
    for source, row in cleaned:
        question = existing.get(row["slug"])
        if question is not None and not source.data.get("status"):
            # A row without a status never moves an existing question through the workflow:
            # re-loading the shipped bank keeps a retired question retired.
            row["status"] = question.status
        if question is not None and export_row(question) == row:
            report.unchanged.append(row["slug"])
            continue
        for slug in row["topics"]:
            if slug not in topics:
                topics[slug] = Topic.objects.create(slug=slug, name=slug.replace("-", " "))
        _write(question, row, taxonomy, topics, user)
        (report.updated if question else report.created).append(row["slug"])
    return report


def _write(
    question: Question | None, row: dict, taxonomy: _Taxonomy, topics: dict, user: AbstractBaseUser | None
) -> None:
    created = question is None
    previous_status = "" if created else question.status
    question = question or Question(slug=row["slug"], author=user)
    question.title = row["title"]
    question.kind = row["kind"]
    question.category = taxonomy.categories[row["category"]]
    question.difficulty = row["difficulty"]
    question.time_budget_seconds = round(row["time_minutes"] * 60)
    question.weight = row["weight"]
    question.language = row["language"]
    question.rubric = row["rubric"]
    for key in TEXT_FIELDS:
        setattr(question, key, row[key])
    if row["status"] != previous_status:
        question.status = row["status"]
        question.status_changed_at = timezone.now()
        question.status_changed_by = user
    question.save()
    if row["status"] != previous_status:
        StatusChange.objects.create(
            question=question, from_status=previous_status, to_status=row["status"], changed_by=user
        )
    question.roles.set([taxonomy.roles[s] for s in row["roles"]])
    question.levels.set([taxonomy.levels[s] for s in row["levels"]])
    question.companies.set([taxonomy.companies[s] for s in row["companies"]])
    question.topics.set([topics[s] for s in row["topics"]])
    _write_choices(question, row["choices"])
    revision_record(question=question, user=user)


def _write_choices(question: Question, choices: list[dict]) -> None:
    """Update choices in place by position so that ids (which answers refer to) survive edits."""
    current = list(question.choices.order_by("position", "id"))
    for position, (choice, wanted) in enumerate(zip(current, choices, strict=False), 1):
        if (choice.position, choice.text, choice.is_correct) != (position, wanted["text"], wanted["correct"]):
            choice.position, choice.text, choice.is_correct = position, wanted["text"], wanted["correct"]
            choice.save()
    Choice.objects.filter(pk__in=[c.pk for c in current[len(choices) :]]).delete()
    Choice.objects.bulk_create(
        Choice(question=question, position=position, text=c["text"], is_correct=c["correct"])
        for position, c in enumerate(choices[len(current) :], len(current) + 1)
    )
    question._prefetched_objects_cache = {}


# --- taxonomy --------------------------------------------------------------------------------------


@transaction.atomic
def taxonomy_load(taxonomy: dict, companies: list[dict]) -> None:
    """Create or update the taxonomy from the shipped data (matching on slug)."""
    errors = []
    for order, item in enumerate(taxonomy["levels"]):
        split = item["split"]
        Level.objects.update_or_create(
            slug=item["slug"],
            defaults={
                "name": item["name"],
                "short_name": item["short_name"],
                "description": item.get("description", ""),
                "order": order,
                "prep_coding": split["coding"],
                "prep_ml": split["ml"],
                "prep_system_design": split["system_design"],
                "prep_behavioral": split["behavioral"],
            },
        )
    for item in taxonomy["roles"]:
        Role.objects.update_or_create(
            slug=item["slug"], defaults={"name": item["name"], "description": item.get("description", "")}
        )
    for order, item in enumerate(taxonomy["categories"]):
        rubric, rubric_errors = validate_rubric(item["default_rubric"])
        errors.extend(f"category {item['slug']}: {e}" for e in rubric_errors)
        Category.objects.update_or_create(
            slug=item["slug"],
            defaults={
                "name": item["name"],
                "description": item.get("description", ""),
                "order": order,
                "prep_area": item["prep_area"],
                "default_rubric": rubric,
            },
        )
    for item in companies:
        Company.objects.update_or_create(
            slug=item["slug"],
            defaults={
                "name": item["name"],
                "stages": item["stages"].strip(),
                "weighs": item["weighs"].strip(),
            },
        )
    if errors:
        raise BankImportError(errors)


DATA_DIR = Path(__file__).resolve().parent / "data"


def load_shipped_bank(data_dir: Path = DATA_DIR) -> ImportReport:
    """Load the taxonomy and every bank file shipped with the code; idempotent."""
    taxonomy = yaml.safe_load((data_dir / "taxonomy.yaml").read_text())
    companies = yaml.safe_load((data_dir / "companies.yaml").read_text())["companies"]
    taxonomy_load(taxonomy, companies)
    rows: list[Row] = []
    for path in sorted((data_dir / "bank").glob("*.yaml")):
        rows.extend(parse(path.read_text(), "yaml", source=f"bank/{path.name}"))
    return import_rows(rows, user=None, default_status=Question.Status.PUBLISHED)
