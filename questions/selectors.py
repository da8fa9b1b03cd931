"""Reads of the question bank shared by the pages and the API."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import logging
import threading
import time
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


def published_question_rows() -> QuerySet[dict]:
    """Published questions as the lists show them: dicts with the category's and the tags' ids.

    One query per page, with no joins: the tags' ids come from the through tables' indexes, and
    question_list_rows() (the API) or question_page_rows() (the bank page) name them with the
    taxonomy index. Model instances and prefetches cost five queries and most of a request's time
    (bench/list_latency.py).
    """
    return _published_question_rows().all()


@functools.cache
def _published_question_rows() -> QuerySet[dict]:
    # Built once per process and cloned: resolving the subqueries costs more than running them.
    tags = {}
    for name in TAG_FIELDS:
        field = Question._meta.get_field(name)
        links = field.remote_field.through.objects.filter(**{field.m2m_column_name(): OuterRef("pk")})
        tags[f"{name}_ids"] = JSONListSubquery(links.values(value=F(field.m2m_reverse_name())))
    return Question.objects.filter(status=Question.Status.PUBLISHED).values(
        "id", "slug", "title", "kind", "difficulty", "time_budget_seconds", "category_id", **tags
    )


def question_list_rows(rows) -> list[dict]:
    """Rows of published_question_rows() as the API lists them: slugs for ids, in the taxonomy's order."""
    return _named(rows, _with_slugs)


def question_page_rows(rows) -> list[dict]:
    """Rows of published_question_rows() as the bank page shows them: names, labels and minutes."""
    return _named(rows, _with_tags)


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


def _named(rows, convert) -> list[dict]:
    try:
        return [convert(row, taxonomy_index()) for row in rows]
    except KeyError:  # a tag created since this request read the index: read the taxonomy again
        index = TaxonomyIndex.load()
        return [convert(row, index) for row in rows]


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
# The bank is read on every list page and written rarely. What is derived from it (the taxonomy
# index, counts, a search's ranked ids) is cached under the bank's version, which every write to the
# bank replaces (questions/apps.py): nothing stale is read back, and the TTLs only bound what the
# cache holds. While the cache cannot be reached, nothing is cached: the lists read the database, and
# writes to the bank go through.
_BANK_VERSION_KEY = "questions:bank-version"
_pinned = threading.local()
_UNAVAILABLE = "unavailable"  # a pinned request whose cache could not be reached


def _cached(operation: str, *args, **kwargs):
    """A cache call, or None when the cache cannot be reached: the lists then read the database."""
    try:
        return getattr(cache, operation)(*args, **kwargs)
    except RedisError:
        logger.warning("The cache is unreachable: the bank's lists are read without it.", exc_info=True)
        return None


@contextlib.contextmanager
def bank_version_pinned():
    """Read the version once for everything inside (a request: see BankVersionMiddleware)."""
    _pinned.version = None
    _pinned.active = True
    try:
        yield
    finally:
        _pinned.active = False
        _pinned.version = None


def bank_version() -> str | None:
    """The bank's current version; None when the cache cannot be reached (then nothing is cached)."""
    pinned = getattr(_pinned, "active", False)
    if pinned and _pinned.version is not None:
        return None if _pinned.version == _UNAVAILABLE else _pinned.version
    try:
        version = cache.get(_BANK_VERSION_KEY)
        if version is None:
            cache.add(_BANK_VERSION_KEY, uuid.uuid4().hex, timeout=None)  # unless another process did
            version = cache.get(_BANK_VERSION_KEY)
    except RedisError:
        logger.warning("The cache is unreachable: the bank's lists are read without it.", exc_info=True)
        version = None
    if pinned:
        _pinned.version = version or _UNAVAILABLE
    return version


def bank_changed() -> None:
    """Forget everything cached from the bank: now, and again when the transaction commits.

    Now, so that this transaction's own reads are right; at commit, because another process may have
    read the old rows and cached them under the new version in between.
    """
    _bank_version_replace()
    transaction.on_commit(_bank_version_replace)


def _bank_version_replace() -> None:
    version = uuid.uuid4().hex
    try:
        cache.set(_BANK_VERSION_KEY, version, timeout=None)
    except RedisError:
        # The write stands; what was cached before it may be read until it expires.
        logger.error("The cache is unreachable: the bank's cached lists were not forgotten.", exc_info=True)
        return
    if getattr(_pinned, "active", False):
        _pinned.version = version


# --- the taxonomy index ----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class TaxonomyIndex:
    """Slugs and names by id for the category and each tag field of Question, in display order.

    A few hundred rows that every list request needs (to check filter values, to name tags): each
    process reads them once per bank version instead of once per request.
    """

    slugs: dict[str, dict[int, str]]
    names: dict[str, dict[int, str]]
    ids: dict[str, dict[str, int]]
    positions: dict[str, dict[int, int]]

    @classmethod
    def load(cls) -> TaxonomyIndex:
        models = {name: Question._meta.get_field(name).related_model for name in ("category", *TAG_FIELDS)}
        rows = {name: list(model.objects.values_list("id", "slug", "name")) for name, model in models.items()}
        return cls(
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


_taxonomy_indexes: dict[str, tuple[TaxonomyIndex, float]] = {}  # version → (index, when it was read)
# An index is read again after this long even if the version has not changed: a version that a write
# failed to replace (the cache was unreachable then) does not keep an old taxonomy for good.
TAXONOMY_INDEX_SECONDS = 600


def taxonomy_index() -> TaxonomyIndex:
    version = bank_version()
    if version is None:
        return TaxonomyIndex.load()
    index, read_at = _taxonomy_indexes.get(version, (None, 0.0))
    if index is None or time.monotonic() - read_at > TAXONOMY_INDEX_SECONDS:
        index = TaxonomyIndex.load()
        _taxonomy_indexes.clear()
        _taxonomy_indexes[version] = (index, time.monotonic())
    return index


# --- cached counts and searches -------------------------------------------------------------------
# On 100,000 questions, counting the matches and ranking a search's matches cost more than the rest of
# a list request.
# A search matching at most this many questions is ranked once, all of it: its count and every page
# come from that one list of ids. A broader one is counted and paged by the database like any list.
SEARCH_IDS_MAX = 10_000
_TOO_MANY = "too many"


def _list_key(kind: str, queryset: QuerySet, *extra) -> str | None:
    # The WHERE clause (plus the order, for a search) says which questions a list holds; the columns
    # selected do not matter, and compiling the whole SELECT just for a key would cost as much as the
    # rest of a cached page.
    version = bank_version()
    if version is None:
        return None
    query = queryset.query
    sql, params = query.get_compiler(queryset.db).compile(query.where)
    digest = hashlib.sha256(repr((sql, params, *extra)).encode()).hexdigest()
    return f"questions:{kind}:{version}:{digest}"


def _cached_or(key: str | None, compute):
    """The cached value under ``key``, or ``compute()`` (cached for next time); no key, no cache."""
    value = _cached("get", key) if key else None
    if value is None:
        value = compute()
        if key:
            _cached("set", key, value, timeout=settings.QUESTION_LIST_CACHE_SECONDS)
    return value


def question_count(queryset: QuerySet) -> int:
    """``queryset.count()``, from the cache while the bank is unchanged."""
    return _cached_or(_list_key("count", queryset), queryset.count)


def question_search_ids(queryset: QuerySet) -> list[int] | None:
    """A ranked search's matching ids, best first, from the cache while the bank is unchanged.

    One scan of the matches gives the count and every page, where COUNT and a ranked page would scan
    them twice (and every page again). None for anything but a search (question_search() on
    PostgreSQL), or for a search matching more than SEARCH_IDS_MAX questions.
    """
    if SEARCH_RANK not in queryset.query.annotations:
        return None

    def rank():
        ids = list(queryset.prefetch_related(None).values_list("pk", flat=True)[: SEARCH_IDS_MAX + 1])
        return ids if len(ids) <= SEARCH_IDS_MAX else _TOO_MANY  # remembered: next time, straight to COUNT

    ids = _cached_or(_list_key("search", queryset, queryset.query.order_by), rank)
    return None if ids == _TOO_MANY else ids


def questions_by_pk(queryset: QuerySet[dict], ids: list[int]) -> list[dict]:
    """The rows of ``queryset`` (published_question_rows()) with these ids, in this order.

    The ids were matched under this version of the bank, so the filters and the ranking need not run
    again: the rows are read by primary key alone, with the queryset's columns and tag subqueries.
    """
    by_pk = queryset.all()
    by_pk.query.clear_where()
    by_pk.query.clear_ordering(force=True)
    rows = {row["id"]: row for row in by_pk.filter(pk__in=ids)}
    return [rows[pk] for pk in ids if pk in rows]


class QuestionPaginator(Paginator):
    """Pages of published_question_rows(), whose count (and, for a search, contents) are cached."""

    @cached_property
    def _search_ids(self) -> list[int] | None:
        return question_search_ids(self.object_list)

    @cached_property
    def count(self) -> int:
        if self._search_ids is not None:
            return len(self._search_ids)
        return question_count(self.object_list)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if self._search_ids is not None:
            rows = questions_by_pk(self.object_list, self._search_ids[bottom:top])
        else:
            rows = list(self.object_list[bottom:top])
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
