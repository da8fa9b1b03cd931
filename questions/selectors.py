"""Reads of the question bank shared by the pages and the API."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import F, JSONField, OuterRef, Q, QuerySet, Subquery
from django.utils.functional import cached_property
from redis.exceptions import RedisError

from .models import Category, Company, Level, Question, Role

logger = logging.getLogger(__name__)

TAG_FIELDS = ("roles", "levels", "companies", "topics")
SEARCH_RANK = "search_rank"  # the annotation question_search() orders by


def published_questions() -> QuerySet[Question]:
    """What candidates may see: published questions only, with their category and tags (detail views)."""
    return (
        Question.objects.filter(status=Question.Status.PUBLISHED)
        .select_related("category")
        .prefetch_related(*TAG_FIELDS)
    )


def published_question(*, question_id: int | None = None, slug: str | None = None) -> Question:
    """One published question with its choices; Question.DoesNotExist for drafts, retired and missing ones."""
    lookup = {"pk": question_id} if question_id is not None else {"slug": slug}
    return published_questions().prefetch_related("choices").get(**lookup)


class JSONListSubquery(Subquery):
    """The single column a subquery selects, as ``value``, returned as a Python list in its order.

    PostgreSQL keeps the order in ARRAY(); SQLite (the local default) aggregates a JSON array.
    """

    template = "to_jsonb(ARRAY(%(subquery)s))"
    output_field = JSONField()

    def as_sqlite(self, compiler, connection, **extra_context):
        template = "(SELECT json_group_array(value) FROM (%(subquery)s))"
        return self.as_sql(compiler, connection, template=template, **extra_context)


def _tag_ids() -> dict[str, JSONListSubquery]:
    tags = {}
    for name in TAG_FIELDS:
        field = Question._meta.get_field(name)
        links = field.remote_field.through.objects.filter(**{field.m2m_column_name(): OuterRef("pk")})
        tags[f"{name}_ids"] = JSONListSubquery(links.values(value=F(field.m2m_reverse_name())))
    return tags


# Built once, at import, and cloned for each use, as a DRF view's ``queryset`` is: resolving the four
# tag subqueries costs a few milliseconds, more than the database takes to run them.
_PUBLISHED_ROWS = Question.objects.filter(status=Question.Status.PUBLISHED).values(
    "id", "slug", "title", "kind", "difficulty", "time_budget_seconds", "category_id", **_tag_ids()
)


def published_question_rows() -> QuerySet[dict]:
    """Published questions as the lists show them: dicts with the category's and the tags' ids.

    One query per page, with no joins: the tags' ids come from the through tables' indexes, and
    question_list_rows() (the API) or question_page_rows() (the bank page) name them with the
    taxonomy index. Model instances and prefetches cost five queries and most of a request's time
    (bench/list_latency.py).
    """
    return _PUBLISHED_ROWS.all()


def question_list_rows(rows, taxonomy: TaxonomyIndex) -> list[dict]:
    """Rows of published_question_rows() as the API lists them: slugs for ids, in the taxonomy's order."""
    return _named(rows, taxonomy, _with_slugs)


def question_page_rows(rows, taxonomy: TaxonomyIndex) -> list[dict]:
    """Rows of published_question_rows() as the bank page shows them: names, labels and minutes."""
    return _named(rows, taxonomy, _with_tags)


def question_tags(question: Question) -> dict:
    """A question's badges, as questions/_tags.html shows them (the detail page; rows have their own)."""
    return {
        "category": question.category.name,
        "difficulty": question.difficulty,
        "difficulty_label": question.get_difficulty_display(),
        "kind_label": question.get_kind_display(),
        "levels": [level.name for level in question.levels.all()],
        "companies": [company.name for company in question.companies.all()],
    }


def _named(rows, taxonomy: TaxonomyIndex, convert) -> list[dict]:
    try:
        return [convert(row, taxonomy) for row in rows]
    except KeyError:
        # A tag committed after this request read the taxonomy, before the write's new version landed.
        taxonomy = TaxonomyIndex.load()
        return [convert(row, taxonomy) for row in rows]


def _with_slugs(row: dict, index: TaxonomyIndex) -> dict:
    tags = {name: index.slugs_of(name, row[f"{name}_ids"]) for name in TAG_FIELDS}
    return {**row, "category": index.slugs["category"][row["category_id"]], **tags}


def _with_tags(row: dict, index: TaxonomyIndex) -> dict:
    tags = {
        "category": index.names["category"][row["category_id"]],
        "difficulty": row["difficulty"],
        "difficulty_label": Question.Difficulty(row["difficulty"]).label,
        "kind_label": Question.Kind(row["kind"]).label,
        "levels": index.names_of("levels", row["levels_ids"]),
        "companies": index.names_of("companies", row["companies_ids"]),
    }
    return {**row, "time_minutes": round(row["time_budget_seconds"] / 60), "tags": tags}


# --- the bank's version ----------------------------------------------------------------------------
# The bank is read on every list page and written rarely. What the lists derive from it (the taxonomy
# index, counts, a search's ranked ids) is cached under the bank's version, which every write to the
# bank replaces (questions/apps.py): nothing stale is read back, and QUESTION_LIST_CACHE_SECONDS only
# bounds what the cache holds (and how long a write whose new version could not be stored goes
# unseen). While the cache cannot be reached, nothing is cached: the lists read the database, and
# writes to the bank go through.
_BANK_VERSION_KEY = "questions:bank-version"


def _cached(operation: str, *args, **kwargs):
    """A cache call, or None when the cache cannot be reached: the lists then read the database."""
    try:
        return getattr(cache, operation)(*args, **kwargs)
    except RedisError:
        logger.warning("The cache is unreachable: the bank's lists are read without it.", exc_info=True)
        return None


def _cached_or(key: str | None, compute):
    """The cached value under ``key``, or ``compute()`` (cached for next time); no key, no cache."""
    value = _cached("get", key) if key else None
    if value is None:
        value = compute()
        if key:
            _cached("set", key, value, timeout=settings.QUESTION_LIST_CACHE_SECONDS)
    return value


def bank_version() -> str | None:
    """The bank's current version; None when the cache cannot be reached (then nothing is cached)."""
    try:
        version = cache.get(_BANK_VERSION_KEY)
        if version is None:
            cache.add(_BANK_VERSION_KEY, uuid.uuid4().hex, timeout=None)  # unless another process did
            version = cache.get(_BANK_VERSION_KEY)
    except RedisError:
        logger.warning("The cache is unreachable: the bank's lists are read without it.", exc_info=True)
        return None
    return version


def bank_changed() -> None:
    """Forget everything cached from the bank: now, and again when the transaction commits.

    Now, so that this transaction's own reads are right; at commit, because another process may have
    read the old rows and cached them under the new version in between.
    """
    _bank_version_replace()
    transaction.on_commit(_bank_version_replace)


def _bank_version_replace() -> None:
    try:
        cache.set(_BANK_VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except RedisError:
        # The write stands; what was cached before it may be read until it expires.
        logger.error("The cache is unreachable: the bank's cached lists were not forgotten.", exc_info=True)


# --- the taxonomy index ----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class TaxonomyIndex:
    """Slugs and names by id for the category and each tag field of Question, in display order.

    A few hundred rows that every list request needs (to check filter values, to name tags), read
    from the cache once per request (taxonomy_index()) and passed along. ``version`` is the bank's
    version it was read under: the request's counts and searches are cached under it too.
    """

    version: str | None
    slugs: dict[str, dict[int, str]]
    names: dict[str, dict[int, str]]
    ids: dict[str, dict[str, int]]
    positions: dict[str, dict[int, int]]

    @classmethod
    def load(cls, version: str | None = None) -> TaxonomyIndex:
        models = {name: Question._meta.get_field(name).related_model for name in ("category", *TAG_FIELDS)}
        rows = {name: list(model.objects.values_list("id", "slug", "name")) for name, model in models.items()}
        return cls(
            version=version,
            slugs={name: {pk: slug for pk, slug, _ in entries} for name, entries in rows.items()},
            names={name: {pk: label for pk, _, label in entries} for name, entries in rows.items()},
            ids={name: {slug: pk for pk, slug, _ in entries} for name, entries in rows.items()},
            positions={name: {row[0]: n for n, row in enumerate(entries)} for name, entries in rows.items()},
        )

    def allowed(self, name: str) -> list[str]:
        return sorted(self.ids[name])

    def options(self, name: str) -> list[dict]:
        """``{slug, name}`` of every entry, in display order: the choices of a filter."""
        return [{"slug": self.slugs[name][pk], "name": label} for pk, label in self.names[name].items()]

    def slugs_of(self, name: str, ids: list[int]) -> list[str]:
        return [self.slugs[name][pk] for pk in self._ordered(name, ids)]

    def names_of(self, name: str, ids: list[int]) -> list[str]:
        return [self.names[name][pk] for pk in self._ordered(name, ids)]

    def _ordered(self, name: str, ids: list[int]) -> list[int]:
        return sorted(ids, key=self.positions[name].__getitem__)


def taxonomy_index() -> TaxonomyIndex:
    """The taxonomy under the bank's current version: two cache reads, or five small queries once
    after each write to the bank."""
    version = bank_version()
    if version is None:
        return TaxonomyIndex.load()
    return _cached_or(f"questions:taxonomy:{version}", lambda: TaxonomyIndex.load(version))


# --- cached counts and searches -------------------------------------------------------------------
# On 100,000 questions, counting the matches and ranking a search's matches cost more than the rest of
# a list request.
# A search matching at most this many questions is ranked once, all of it: its count and every page
# come from that one list of ids. A broader one is counted and paged by the database like any list.
SEARCH_IDS_MAX = 10_000
_TOO_MANY = "too many"


class QuestionList:
    """Rows of published_question_rows() matching a set of filters, for QuestionPaginator.

    ``filters`` are the cleaned values of QuestionFilter: their count, and a search's ranked ids, are
    cached under them and the bank's ``version``, so the same filters given in another order (in the
    URL, or the slugs of one filter) share one entry. No version, no cache.
    """

    def __init__(self, rows: QuerySet[dict], *, filters: dict, version: str | None):
        self.rows = rows
        self.search = bool(filters.get("q"))
        values = sorted(
            (name, sorted(set(value)) if isinstance(value, list) else value)
            for name, value in filters.items()
            if value
        )
        digest = hashlib.sha256(repr(values).encode()).hexdigest()
        self.key = f"questions:list:{version}:{digest}" if version else None

    def count(self) -> int:
        return _cached_or(self.key and f"{self.key}:count", self.rows.count)

    def search_ids(self) -> list[int] | None:
        """A search's matching ids in its order (best first); None past SEARCH_IDS_MAX matches.

        One scan of the matches gives the count and every page, where COUNT and a ranked page would scan
        them twice (and every page again).
        """

        def rank():
            ids = list(self.rows.values_list("pk", flat=True)[: SEARCH_IDS_MAX + 1])
            # Too many is remembered too: next time, straight to COUNT.
            return ids if len(ids) <= SEARCH_IDS_MAX else _TOO_MANY

        ids = _cached_or(self.key and f"{self.key}:search", rank)
        return None if ids == _TOO_MANY else ids


def questions_by_pk(ids: list[int]) -> list[dict]:
    """Published question rows with these ids, in this order.

    The ids were matched under this version of the bank, so the filters and the ranking need not run
    again: the rows are read by primary key alone.
    """
    rows = {row["id"]: row for row in published_question_rows().filter(pk__in=ids).order_by()}
    return [rows[pk] for pk in ids if pk in rows]


class QuestionPaginator(Paginator):
    """Pages of a QuestionList, whose count (and, for a search, contents) are cached."""

    @cached_property
    def _search_ids(self) -> list[int] | None:
        return self.object_list.search_ids() if self.object_list.search else None

    @cached_property
    def count(self) -> int:
        if self._search_ids is not None:
            return len(self._search_ids)
        return self.object_list.count()

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if self._search_ids is not None:
            rows = questions_by_pk(self._search_ids[bottom:top])
        else:
            rows = list(self.object_list.rows[bottom:top])
        return self._get_page(rows, number, self)


def question_search(queryset: QuerySet[Question], text: str) -> QuerySet[Question]:
    """Full-text search, best match first (PostgreSQL); a plain substring match on SQLite."""
    text = text.strip()
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        query = SearchQuery(text, search_type="websearch", config="english")
        return (
            queryset.filter(search_vector=query)
            .annotate(**{SEARCH_RANK: SearchRank(F("search_vector"), query)})
            .order_by(f"-{SEARCH_RANK}", "title", "id")
        )
    terms = Q()
    for word in text.split():
        terms &= Q(title__icontains=word) | Q(prompt__icontains=word)
    return queryset.filter(terms)


def taxonomy() -> dict[str, list]:
    return {
        "roles": list(Role.objects.all()),
        "levels": list(Level.objects.all()),
        "companies": list(Company.objects.all()),
        "categories": list(Category.objects.all()),
    }
