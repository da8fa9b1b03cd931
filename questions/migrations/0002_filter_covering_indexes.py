"""Indexes that let the bank's filters count their matches from indexes alone (PostgreSQL).

bench/list_latency.py on 100,000 questions showed COUNT(*) dominating the filtered list requests: the
EXISTS filters read every matching row of the through table from its heap (Django indexes only
``role_id`` or ``question_id`` alone), and the category/difficulty/kind filters read every matching
question from the heap because ``question.id`` was in none of their indexes. With (taxonomy id,
question id) and (status, column, id) both sides are index-only scans that come out ordered by
question id, so PostgreSQL can merge them instead of hashing.

The through tables are auto-created, so they have no Meta to declare indexes in: plain SQL, PostgreSQL
only like the search trigger; the SQLite default does without.
"""

from django.db import migrations

import interviewnode.db

INDEXES = [
    ("questions_question_roles", "question_roles_role_question", "role_id, question_id"),
    ("questions_question_levels", "question_levels_level_question", "level_id, question_id"),
    ("questions_question_companies", "question_companies_company_question", "company_id, question_id"),
    ("questions_question_topics", "question_topics_topic_question", "topic_id, question_id"),
    ("questions_question", "question_status_category_id", "status, category_id, id"),
    ("questions_question", "question_status_difficulty_id", "status, difficulty, id"),
    ("questions_question", "question_status_kind_id", "status, kind, id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("questions", "0001_initial"),
    ]

    operations = [
        interviewnode.db.RunSQLOnPostgres(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns});",
            f"DROP INDEX IF EXISTS {name};",
        )
        for table, name, columns in INDEXES
    ]
