"""Log anomaly detection, DeepLog style: scorer -> detector -> session verdict.

* :mod:`~seqrnn.anomaly.sessions`: score each distinct session once with the shared scorer;
* :mod:`~seqrnn.anomaly.detectors`: top-g, ``-log p`` threshold, automatic thresholds, and the
  session aggregator;
* :mod:`~seqrnn.anomaly.evaluation`, :mod:`~seqrnn.anomaly.explain`,
  :mod:`~seqrnn.anomaly.report`, :mod:`~seqrnn.anomaly.plots`: labelled figures, explanations,
  the run folder;
* :mod:`~seqrnn.anomaly.parse` (drain3) and :mod:`~seqrnn.anomaly.stream` (``--follow``);
* :mod:`~seqrnn.anomaly.training`: training on distinct windows weighted by their counts.
"""
