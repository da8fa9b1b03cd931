#!/usr/bin/env python3
"""Find near-duplicate questions in the shipped bank (questions/data/bank/*.yaml).

Runs without Django: ``.venv/bin/python scripts/bank_similarity.py [--top N] [--threshold T]``.

Each question's title and prompt are normalised (Markdown, code fences' markers, links and
punctuation removed, lowercased, stopwords dropped, a light plural/-ing stemming) and every pair
is compared in two ways:

- **cosine**: TF-IDF cosine similarity over words and word pairs (bigrams), with the title counted
  twice so that two questions with the same title and different prompts still score high. IDF is
  computed over the bank, so words every question shares ("model", "data") count for little and the
  score is driven by what a question is specifically about.
- **shingles**: Jaccard overlap of the sets of three-word shingles, which catches copied or lightly
  reworded passages (the same sentence with one word changed still shares most of its shingles).

The script prints the closest pairs and exits with status 1 when any pair reaches the threshold.

Why the thresholds (``--threshold``, default 0.5 cosine; ``--shingles``, default 0.3 overlap),
measured on the shipped bank (about 300 questions, some 45,000 pairs):

- Distinct questions on a shared theme (IoU/NMS as code and as multiple choice, federated learning
  in theory and in a system design, two CUPED questions) are the closest real pairs: cosine at most
  0.36, shingle overlap at most 0.11.
- A lightly edited copy of a bank question (10% of the prompt's words replaced at random, its
  sentences shuffled) scores cosine 0.64–0.89 against its original; with 20% of the words replaced
  cosine is still 0.61 or more, and with 30% about 0.5. An unshuffled copy keeps most shingles.

0.5 cosine sits in the gap with room on both sides: well above what topical overlap produces
(word pairs and rare words only coincide that much when one text is derived from the other) and
at or below what a reworded copy keeps. 0.3 shingle overlap catches a copied passage even when the
rest of the prompt was rewritten: no two real questions share even half that many shingles.
A slug used twice also fails the check.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections import Counter
from itertools import combinations
from pathlib import Path

import yaml

BANK_DIR = Path(__file__).resolve().parent.parent / "questions" / "data" / "bank"
DEFAULT_COSINE = 0.5
DEFAULT_SHINGLES = 0.3

STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its itself
    just me more most my myself no nor not now of off on once only or other our ours ourselves out
    over own same she should so some such than that the their theirs them themselves then there
    these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours yourself yourselves e g eg ie etc one two use
    using used given give may might must also let s t
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def normalise(text: str) -> list[str]:
    """Words of a Markdown text, lowercased, without markup, punctuation and stopwords."""
    text = text.lower()
    text = re.sub(r"```[a-z0-9_+-]*", " ", text)  # fence markers (the code inside is kept as words)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [text](url) → text
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)  # punctuation, emphasis, headings, list markers, backticks
    return [_stem(word) for word in text.split() if word not in STOPWORDS and len(word) > 1]


def _stem(word: str) -> str:
    """A deliberately light stemmer: plurals and -ing, enough to match "models" with "model"."""
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def load_questions(bank_dir: Path = BANK_DIR) -> list[dict]:
    questions = []
    for path in sorted(bank_dir.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        items = data.get("questions", []) if isinstance(data, dict) else data
        for item in items or []:
            questions.append(
                {
                    "slug": item.get("slug", "?"),
                    "file": path.name,
                    "title": str(item.get("title", "")),
                    "prompt": str(item.get("prompt", "")),
                }
            )
    return questions


def _features(words: list[str]) -> Counter:
    return Counter(words) + Counter(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))


def _shingles(words: list[str], size: int = 3) -> set[tuple[str, ...]]:
    if len(words) < size:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def similarities(questions: list[dict]) -> list[tuple[float, float, dict, dict]]:
    """(cosine, shingle overlap, question, question) for every pair, closest first."""
    words = [normalise(q["title"]) * 2 + normalise(q["prompt"]) for q in questions]
    features = [_features(w) for w in words]
    document_frequency = Counter(term for f in features for term in f)
    n = len(questions)
    vectors = []
    for f in features:
        idf = {t: math.log((1 + n) / (1 + document_frequency[t])) for t in f}
        vector = {t: (1 + math.log(c)) * idf[t] for t, c in f.items()}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        vectors.append({t: v / norm for t, v in vector.items()})
    shingles = [_shingles(normalise(q["title"]) + normalise(q["prompt"])) for q in questions]

    pairs = []
    for i, j in combinations(range(n), 2):
        small, large = sorted((vectors[i], vectors[j]), key=len)
        cosine = sum(v * large.get(t, 0.0) for t, v in small.items())
        union = shingles[i] | shingles[j]
        jaccard = len(shingles[i] & shingles[j]) / len(union) if union else 0.0
        pairs.append((cosine, jaccard, questions[i], questions[j]))
    pairs.sort(key=lambda p: (max(p[0], p[1]), p[0]), reverse=True)
    return pairs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=15, help="how many of the closest pairs to print")
    parser.add_argument("--threshold", type=float, default=DEFAULT_COSINE, help="cosine of a near-duplicate")
    parser.add_argument("--shingles", type=float, default=DEFAULT_SHINGLES, help="shingle overlap of one")
    parser.add_argument("--bank", type=Path, default=BANK_DIR, help="folder of bank YAML files")
    args = parser.parse_args(argv)

    questions = load_questions(args.bank)
    if len(questions) < 2:
        print(f"Fewer than two questions in {args.bank}; nothing to compare.")
        return 0
    slugs = Counter(q["slug"] for q in questions)
    pairs = similarities(questions)
    print(f"{len(questions)} questions, {len(pairs)} pairs; the {min(args.top, len(pairs))} closest pairs:")
    print(f"{'cosine':>7} {'shingle':>7}  pair")
    for cosine, jaccard, a, b in pairs[: args.top]:
        print(f"{cosine:7.3f} {jaccard:7.3f}  {a['slug']} ({a['file']})  ~  {b['slug']} ({b['file']})")

    duplicates = [p for p in pairs if p[0] >= args.threshold or p[1] >= args.shingles]
    repeated = sorted(slug for slug, count in slugs.items() if count > 1)
    if repeated:
        print(f"\nSlugs used more than once: {', '.join(repeated)}")
    if duplicates:
        print(
            f"\n{len(duplicates)} pair(s) at or above the near-duplicate threshold "
            f"(cosine {args.threshold}, shingles {args.shingles}):"
        )
        for cosine, jaccard, a, b in duplicates:
            print(f"  {a['slug']} ~ {b['slug']}: cosine {cosine:.3f}, shingles {jaccard:.3f}")
    if duplicates or repeated:
        return 1
    print(f"\nNo near-duplicates (cosine < {args.threshold}, shingles < {args.shingles}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
