"""Explanations of sessions with identifiers: the id is part of the per-session head, so
identical sessions still share one explanation in the report."""

from __future__ import annotations

import json

from seqrnn.report.detect import _explanations


def test_sessions_with_ids_share_their_explanation(tmp_path):
    body = {"length": 2, "reasons": ["x"], "positions": [{"key": "9", "template": "t <*>"}]}
    lines = [
        json.dumps({"session": s, "source": "a.csv", "line": s + 1, "id": f"blk_{s}", **body})
        for s in (0, 3)
    ]
    path = tmp_path / "explanations.jsonl"
    path.write_text("\n".join(lines) + "\n")
    found, templates = _explanations(path)
    assert len(found["distinct"]) == 1 and set(found["by_session"]) == {0, 3}
    assert templates == {"9": "t <*>"}
