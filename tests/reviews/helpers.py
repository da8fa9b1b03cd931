from __future__ import annotations

FULL = {"accuracy": 4, "depth": 3, "judgement": 2, "communication": 1}


def full_review(publish: bool = False, **overrides) -> dict:
    """A complete review PUT body for the reviews conftest's session (positions 1 and 2 are written)."""
    return {
        "items": [
            {"position": 1, "scores": FULL, "comment": "Clear on the mechanism."},
            {"position": 2, "scores": dict.fromkeys(FULL, 4), "comment": "Excellent."},
        ],
        "summary": {"strengths": "Sound basics.", "improvements": "Depth.", "next_steps": "Read papers."},
        "recommendation": "hire",
        "publish": publish,
        **overrides,
    }
