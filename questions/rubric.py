"""Rubrics: lists of criteria scored on the shared 1–4 scale.

Stored form (question.rubric, category.default_rubric): a list of
``{"key", "name", "description", "weight", "anchors": {"1": …, "2": …, "3": …, "4": …}}``
where ``anchors`` is optional. Served form (``effective_rubric``): the same with ``anchors`` as a list
of ``{"score", "label", "description"}``, filled in with the scale's labels where a criterion has none.
"""

from __future__ import annotations

import re

SCALE = {1: "Strong no hire", 2: "Lean no hire", 3: "Lean hire", 4: "Strong hire"}
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def validate_rubric(raw) -> tuple[list[dict], list[str]]:
    """Check a rubric given by a curator or a file; return its stored form and the problems found."""
    if not isinstance(raw, list) or not raw:
        return [], ["a rubric is a non-empty list of criteria"]
    errors: list[str] = []
    criteria: list[dict] = []
    seen: set[str] = set()
    for number, item in enumerate(raw, 1):
        where = f"rubric criterion {number}"
        if not isinstance(item, dict):
            errors.append(f"{where} is not an object")
            continue
        unknown = set(item) - {"key", "name", "description", "weight", "anchors"}
        if unknown:
            errors.append(f"{where} has unknown fields: {', '.join(sorted(unknown))}")
        key = item.get("key")
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            errors.append(f"{where} needs a key in snake_case (got {key!r})")
        elif key in seen:
            errors.append(f"{where} repeats the key {key!r}")
        seen.add(key)
        name, description = item.get("name"), item.get("description", "")
        if not isinstance(name, str) or not name.strip():
            errors.append(f"{where} needs a name")
        if not isinstance(description, str):
            errors.append(f"{where} has a description that is not text")
        weight = item.get("weight", 1)
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 100:
            errors.append(f"{where} needs a weight between 0 and 100 (got {weight!r})")
        anchors = item.get("anchors")
        stored_anchors = None
        if anchors is not None:
            if not isinstance(anchors, dict) or sorted(str(k) for k in anchors) != ["1", "2", "3", "4"]:
                errors.append(f"{where} needs anchors for exactly 1, 2, 3 and 4")
            elif not all(isinstance(v, str) and v.strip() for v in anchors.values()):
                errors.append(f"{where} has an empty anchor")
            else:
                stored_anchors = {
                    str(k): v.strip() for k, v in sorted(anchors.items(), key=lambda kv: str(kv[0]))
                }
        criterion = {
            "key": key,
            "name": name.strip() if isinstance(name, str) else name,
            "description": description.strip() if isinstance(description, str) else description,
            "weight": weight,
        }
        if stored_anchors:
            criterion["anchors"] = stored_anchors
        criteria.append(criterion)
    return criteria, errors


def effective_rubric(stored: list[dict]) -> list[dict]:
    return [
        {
            "key": c["key"],
            "name": c["name"],
            "description": c.get("description", ""),
            "weight": c.get("weight", 1),
            "anchors": [
                {"score": score, "label": label, "description": (c.get("anchors") or {}).get(str(score), "")}
                for score, label in SCALE.items()
            ],
        }
        for c in stored
    ]
