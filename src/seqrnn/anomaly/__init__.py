"""Log anomaly detection, DeepLog style: scorer -> detector -> session verdict.

* :mod:`~seqrnn.anomaly.sessions`: score each distinct session once with the shared scorer;
* :mod:`~seqrnn.anomaly.detectors`: top-g, ``-log p`` threshold, automatic thresholds, and the
  session aggregator;
* :mod:`~seqrnn.anomaly.evaluation`, :mod:`~seqrnn.anomaly.explain`,
  :mod:`~seqrnn.anomaly.report`, :mod:`~seqrnn.anomaly.plots`: labelled figures, explanations,
  the run folder;
* :mod:`~seqrnn.anomaly.parse` (drain3; time or line windows, per-line labels, Loghub formats
  in :mod:`~seqrnn.anomaly.logformat`, :mod:`~seqrnn.anomaly.grouping` to grade a parse) and
  :mod:`~seqrnn.anomaly.stream` (``--follow``);
* :mod:`~seqrnn.anomaly.training`: training on distinct windows weighted by their counts.

Public API (see docs/api.md): :func:`train_detector` (a :class:`DetectorConfig` whose defaults
are the HDFS recipe, with restarts and an optional false-alarm budget: :mod:`~seqrnn.anomaly.fit`,
:mod:`~seqrnn.anomaly.restarts`, :mod:`~seqrnn.anomaly.calibration`), :func:`update_from_feedback`
(:mod:`~seqrnn.anomaly.feedback`), :func:`load_detector`, :func:`detect_config_for` (a run's
calibrated budget), :func:`detect` (a :class:`DetectConfig` in, a :class:`Detection` with
verdicts, metrics and explanations out), the session readers and the log parser, and the
stream side: :func:`follow` (a live stream, chunk by chunk, in bounded memory) and
:func:`judge_stream` (one long recorded stream).

The names below are imported on first use (:mod:`seqrnn.lazy`): ``seqrnn parse`` imports
:mod:`~seqrnn.anomaly.parse` without the detectors, and so without PyTorch.
"""

from seqrnn.lazy import lazy_exports

_EXPORTS = {
    "Calibration": "seqrnn.anomaly.calibration",
    "CalibrationConfig": "seqrnn.anomaly.calibration",
    "read_calibration": "seqrnn.anomaly.calibration",
    "FeedbackConfig": "seqrnn.anomaly.feedback",
    "FeedbackResult": "seqrnn.anomaly.feedback",
    "FeedbackScope": "seqrnn.anomaly.feedback",
    "update_from_feedback": "seqrnn.anomaly.feedback",
    "train_detector": "seqrnn.anomaly.fit",
    "grouping_accuracy": "seqrnn.anomaly.grouping",
    "SessionSet": "seqrnn.anomaly.inputs",
    "read_labelled_csv": "seqrnn.anomaly.inputs",
    "read_session_set": "seqrnn.anomaly.inputs",
    "read_templates": "seqrnn.anomaly.inputs",
    "HDFS_HEADER": "seqrnn.anomaly.parse",
    "MASKS": "seqrnn.anomaly.parse",
    "LogParser": "seqrnn.anomaly.parse",
    "ParseConfig": "seqrnn.anomaly.parse",
    "ParsedLog": "seqrnn.anomaly.parse",
    "masks_for": "seqrnn.anomaly.parse",
    "parse_files": "seqrnn.anomaly.parse",
    "parse_lines": "seqrnn.anomaly.parse",
    "write_parsed": "seqrnn.anomaly.parse",
    "write_report": "seqrnn.anomaly.report",
    "write_stream_report": "seqrnn.anomaly.report",
    "Alert": "seqrnn.anomaly.stream",
    "FollowStep": "seqrnn.anomaly.stream",
    "StreamDetector": "seqrnn.anomaly.stream",
    "StreamVerdict": "seqrnn.anomaly.stream",
    "follow": "seqrnn.anomaly.stream",
    "follow_parser": "seqrnn.anomaly.stream",
    "judge_stream": "seqrnn.anomaly.stream",
    "DetectorConfig": "seqrnn.anomaly.training",
    "detector_config_from_dict": "seqrnn.anomaly.training",
    "detector_resume_config": "seqrnn.anomaly.training",
    "DetectConfig": "seqrnn.anomaly.workflow",
    "Detection": "seqrnn.anomaly.workflow",
    "build_detector": "seqrnn.anomaly.workflow",
    "detect": "seqrnn.anomaly.workflow",
    "detect_config_for": "seqrnn.anomaly.workflow",
    "load_detector": "seqrnn.anomaly.workflow",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
