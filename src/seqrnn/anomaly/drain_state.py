"""The drain3 miner's state as plain, validated JSON (never jsonpickle).

drain3 persists its miner with jsonpickle, which rebuilds whatever objects a file names: a
crafted state file runs any command the moment it is loaded. This module writes the same
information as plain data and rebuilds the miner from it by hand, checking every field first::

    {"format": "seqrnn-drain3-state", "version": 1,
     "drain": {"similarity": 0.5, "depth": 4, "max_children": 100,
               "extra_delimiters": [], "parametrize_numeric_tokens": true},
     "masks": ["regex", ...],                          # masking, applied in order, mask "<*>"
     "clusters_counter": 3,                            # last key handed out
     "clusters": [{"id": 1, "template": ["Receiving", "block", "blk_<*>"], "size": 2}, ...],
     "tree": {"children": {"3": {"children": {...}, "clusters": []}}, "clusters": []}}

The prefix tree is kept as it was rather than rebuilt from the templates: drain3 files a cluster
under the tokens of its *first* message, so a rebuilt tree could route later lines elsewhere and
change their keys. A file in drain3's own format (base64 of zlib'd jsonpickle) is refused.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from pathlib import Path
from typing import Any

from drain3 import TemplateMiner
from drain3.drain import LogCluster, Node
from drain3.masking import MaskingInstruction
from drain3.template_miner_config import TemplateMinerConfig

from seqrnn.errors import InputError
from seqrnn.io.atomic import atomic_write_text

FORMAT = "seqrnn-drain3-state"
VERSION = 1
_MAX_TREE_DEPTH = 64  # far beyond drain's useful depth; stops a crafted file from recursing


def new_miner(similarity: float, depth: int, masks: list[str] | tuple[str, ...]) -> TemplateMiner:
    """An empty miner with these settings and no persistence handler (so nothing unpickles)."""
    config = TemplateMinerConfig()
    config.drain_sim_th = similarity
    config.drain_depth = depth
    config.masking_instructions = [MaskingInstruction(m, "*") for m in masks]
    return TemplateMiner(None, config)


def settings(miner: TemplateMiner) -> dict[str, Any]:
    """The settings that decide the keys: drain's and the masks."""
    d = miner.drain
    return {
        "drain": {
            "similarity": d.sim_th,
            "depth": d.log_cluster_depth,
            "max_children": d.max_children,
            "extra_delimiters": list(d.extra_delimiters),
            "parametrize_numeric_tokens": d.parametrize_numeric_tokens,
        },
        "masks": [m.pattern for m in miner.config.masking_instructions],
    }


def save_state(path: str | Path, miner: TemplateMiner) -> None:
    """Write the miner's state to ``path`` as JSON, atomically."""
    d = miner.drain
    doc = {
        "format": FORMAT,
        "version": VERSION,
        **settings(miner),
        "clusters_counter": d.clusters_counter,
        "clusters": [
            {"id": c.cluster_id, "template": list(c.log_template_tokens), "size": c.size}
            for c in sorted(d.id_to_cluster.values(), key=lambda c: c.cluster_id)
        ],
        "tree": _tree_to_json(d.root_node),
    }
    atomic_write_text(path, json.dumps(doc, allow_nan=False) + "\n")


def load_state(path: str | Path) -> TemplateMiner:
    """Rebuild a miner from a state file written by :func:`save_state`; any other content
    (drain3's jsonpickle state included) is refused with an :class:`InputError`."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the drain3 state ({exc.strerror})", path) from None
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        if _is_jsonpickle_state(raw):
            raise InputError(
                "an old drain3 state (jsonpickle, which can run code) that this seqrnn no longer "
                "reads; parse the logs again into a new folder",
                path,
            ) from None
        raise InputError(
            "not a drain3 state file written by seqrnn parse (not JSON)", path
        ) from None
    try:
        return _rebuild(doc)
    except _Bad as exc:
        raise InputError(f"not a valid drain3 state file: {exc}", path) from None


class _Bad(Exception):
    """A field of the state document that is missing or has the wrong type/value."""


def _is_jsonpickle_state(raw: bytes) -> bool:
    """drain3's own format: base64 text of (zlib'd) jsonpickle; recognised, never decoded."""
    try:
        base64.b64decode(raw.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    return bool(raw.strip())


def _rebuild(doc: Any) -> TemplateMiner:
    _expect(isinstance(doc, dict), "the top level must be an object")
    _expect(doc.get("format") == FORMAT, f"'format' must be {FORMAT!r}")
    _expect(doc.get("version") == VERSION, f"'version' {doc.get('version')!r}, expected {VERSION}")
    drain = _field(doc, "drain", dict)
    sim = _field(drain, "similarity", float)
    _expect(math.isfinite(sim) and 0 <= sim <= 1, "'similarity' must be in [0, 1]")
    depth = _field(drain, "depth", int)
    _expect(3 <= depth <= _MAX_TREE_DEPTH, f"'depth' must be in [3, {_MAX_TREE_DEPTH}]")
    masks = _field(doc, "masks", list)
    _expect(all(isinstance(m, str) for m in masks), "'masks' must be a list of strings")
    for m in masks:
        try:
            re.compile(m)
        except re.error as exc:
            raise _Bad(f"mask {m!r} is not a valid regex ({exc})") from None
    miner = new_miner(sim, depth, masks)
    d = miner.drain
    d.max_children = _field(drain, "max_children", int)
    _expect(d.max_children >= 1, "'max_children' must be positive")
    delimiters = _field(drain, "extra_delimiters", list)
    _expect(all(isinstance(x, str) and x for x in delimiters), "bad 'extra_delimiters'")
    d.extra_delimiters = tuple(delimiters)
    d.parametrize_numeric_tokens = _field(drain, "parametrize_numeric_tokens", bool)
    d.id_to_cluster = _clusters(_field(doc, "clusters", list))
    d.clusters_counter = _field(doc, "clusters_counter", int)
    _expect(d.clusters_counter >= max(d.id_to_cluster, default=0), "'clusters_counter' too small")
    d.root_node = _tree_from_json(_field(doc, "tree", dict), set(d.id_to_cluster), 0)
    return miner


def _clusters(items: list[Any]) -> dict[int, LogCluster]:
    out: dict[int, LogCluster] = {}
    for item in items:
        _expect(isinstance(item, dict), "each cluster must be an object")
        cid = _field(item, "id", int)
        tokens = _field(item, "template", list)
        _expect(cid >= 1 and cid not in out, f"cluster id {cid} is not positive or repeated")
        _expect(all(isinstance(t, str) for t in tokens), f"cluster {cid}: tokens not strings")
        cluster = LogCluster(tokens, cid)
        cluster.size = _field(item, "size", int)
        _expect(cluster.size >= 1, f"cluster {cid}: 'size' must be positive")
        out[cid] = cluster
    return out


def _tree_to_json(node: Node) -> dict[str, Any]:
    return {
        "children": {k: _tree_to_json(v) for k, v in node.key_to_child_node.items()},
        "clusters": list(node.cluster_ids),
    }


def _tree_from_json(doc: dict[str, Any], ids: set[int], level: int) -> Node:
    _expect(level <= _MAX_TREE_DEPTH, "the prefix tree is too deep")
    node = Node()
    node.cluster_ids = _field(doc, "clusters", list)
    _expect(all(isinstance(c, int) and c in ids for c in node.cluster_ids), "unknown cluster id")
    for key, child in _field(doc, "children", dict).items():
        _expect(isinstance(child, dict), "each tree node must be an object")
        node.key_to_child_node[key] = _tree_from_json(child, ids, level + 1)
    return node


def _field(doc: dict[str, Any], name: str, kind: type) -> Any:
    value = doc.get(name)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    ok = isinstance(value, kind) and (kind is bool or not isinstance(value, bool))
    _expect(ok, f"{name!r} must be a JSON {kind.__name__}, got {value!r:.40}")
    return value


def _expect(condition: bool, problem: str) -> None:
    if not condition:
        raise _Bad(problem)
