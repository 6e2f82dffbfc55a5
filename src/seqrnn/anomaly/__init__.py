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
"""

from seqrnn.anomaly.calibration import Calibration, CalibrationConfig, read_calibration
from seqrnn.anomaly.feedback import FeedbackConfig, FeedbackResult, update_from_feedback
from seqrnn.anomaly.fit import train_detector
from seqrnn.anomaly.grouping import grouping_accuracy
from seqrnn.anomaly.inputs import SessionSet, read_labelled_csv, read_session_set, read_templates
from seqrnn.anomaly.parse import (
    HDFS_HEADER,
    MASKS,
    LogParser,
    ParseConfig,
    ParsedLog,
    masks_for,
    parse_files,
    parse_lines,
    write_parsed,
)
from seqrnn.anomaly.report import write_report, write_stream_report
from seqrnn.anomaly.stream import (
    Alert,
    FollowStep,
    StreamDetector,
    StreamVerdict,
    follow,
    follow_parser,
    judge_stream,
)
from seqrnn.anomaly.training import (
    DetectorConfig,
    detector_config_from_dict,
    detector_resume_config,
)
from seqrnn.anomaly.workflow import (
    DetectConfig,
    Detection,
    build_detector,
    detect,
    detect_config_for,
    load_detector,
)

__all__ = [
    "HDFS_HEADER",
    "MASKS",
    "Alert",
    "Calibration",
    "CalibrationConfig",
    "DetectConfig",
    "Detection",
    "DetectorConfig",
    "FeedbackConfig",
    "FeedbackResult",
    "FollowStep",
    "LogParser",
    "ParseConfig",
    "ParsedLog",
    "SessionSet",
    "StreamDetector",
    "StreamVerdict",
    "build_detector",
    "detect",
    "detect_config_for",
    "detector_config_from_dict",
    "detector_resume_config",
    "follow",
    "follow_parser",
    "grouping_accuracy",
    "judge_stream",
    "load_detector",
    "masks_for",
    "parse_files",
    "parse_lines",
    "read_calibration",
    "read_labelled_csv",
    "read_session_set",
    "read_templates",
    "train_detector",
    "update_from_feedback",
    "write_parsed",
    "write_report",
    "write_stream_report",
]
