"""The service applies session-scope feedback as ``detect`` does: whole sessions
are forgiven only when one marked session holds all their flagged transitions, and a held
stream alert is returned late, to the request whose event released it. Transition-scope
feedback forgives each flagged event on its own and holds nothing."""

from __future__ import annotations

import numpy as np

from seqrnn.anomaly.detectors import TopG
from seqrnn.anomaly.feedback import FeedbackConfig, update_from_feedback
from seqrnn.anomaly.workflow import DetectConfig
from seqrnn.models.allow_list import FeedbackScope
from seqrnn.serve.backends import SessionInput, load_backend

MARKED = [[1, 2, 3, 4, 5, 6, 1, 2, 9, 4, 5, 6], [1, 2, 3, 4, 5, 6, 1, 2, 8, 4, 5, 6]]


def _served(cycle_markov, scope: FeedbackScope):
    """The service of a run updated with ``MARKED`` and ``scope`` (top-1)."""
    config = FeedbackConfig(scope=scope)
    marked = [np.array(s) for s in MARKED]
    run = update_from_feedback(cycle_markov(3), marked, TopG(1), config).run_dir
    backend = load_backend(run, detect=DetectConfig(g=1, min_length=0))
    assert backend.info.config["feedback_scope"] == scope.value
    return backend


def test_a_feedback_run_is_served_with_its_scope(cycle_markov):
    backend = _served(cycle_markov, FeedbackScope.SESSION)
    both = [1, 2, 3, 4, 5, 6, 1, 2, 9, 4, 5, 6, 1, 2, 8, 4, 5, 6]  # one of each marked's
    verdicts = backend.judge_sessions([SessionInput(list(map(str, s))) for s in [*MARKED, both]])
    assert [v["verdict"] for v in verdicts] == ["normal", "normal", "anomalous"]
    first = [("s", SessionInput([str(k)])) for k in both[:12]]  # all vouched for by MARKED[0]
    second = [("s", SessionInput([str(k)])) for k in both[12:]]
    alerts = backend.feed_events([first, second])
    assert alerts[0] == []  # held
    late = [a for a in alerts[1] if a.index < 12]
    assert late and all(a.held_until is not None for a in late)


def test_a_transition_scope_run_is_served_per_flagged_event(cycle_markov):
    backend = _served(cycle_markov, FeedbackScope.TRANSITION)
    both = [1, 2, 3, 4, 5, 6, 1, 2, 9, 4, 5, 6, 1, 2, 8, 4, 5, 6]  # one of each marked's
    new = [1, 2, 3, 4, 5, 6, 1, 2, 7, 4, 5, 6]  # 7 after 1 2: marked nowhere
    sessions = [SessionInput(list(map(str, s))) for s in [*MARKED, both, new]]
    verdicts = backend.judge_sessions(sessions)
    assert [v["verdict"] for v in verdicts] == ["normal", "normal", "normal", "anomalous"]
    events = [("s", SessionInput([str(k)])) for k in both] + [
        ("t", SessionInput([str(k)])) for k in new
    ]
    alerts = [a for batch in backend.feed_events([events]) for a in batch]
    assert [a.session for a in alerts] and {a.session for a in alerts} == {"t"}  # never held
    assert all(a.held_until is None for a in alerts) and 8 in [a.index for a in alerts]
