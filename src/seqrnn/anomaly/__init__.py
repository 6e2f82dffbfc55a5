"""Log anomaly detection, DeepLog style: scorer -> detector -> session verdict.

* :mod:`~seqrnn.anomaly.sessions`: score each distinct session once with the shared scorer;
* :mod:`~seqrnn.anomaly.detectors`: top-g, ``-log p`` threshold, automatic thresholds, and the
  session aggregator;
* :mod:`~seqrnn.anomaly.evaluation`, :mod:`~seqrnn.anomaly.explain`,
  :mod:`~seqrnn.anomaly.report`, :mod:`~seqrnn.anomaly.plots`: labelled figures, explanations,
  the run folder;
* :mod:`~seqrnn.anomaly.parse` (drain3) and :mod:`~seqrnn.anomaly.stream` (``--follow``);
* :mod:`~seqrnn.anomaly.training`: training on distinct windows weighted by their counts.

Public API (see docs/api.md): :func:`train_detector` (a :class:`DetectorConfig` whose defaults
are the HDFS recipe), :func:`load_detector`, :func:`detect` (a :class:`DetectConfig` in, a
:class:`Detection` with verdicts, metrics and explanations out), the session readers and the
log parser, and the stream side: :func:`follow` (a live stream, chunk by chunk, in bounded
memory) and :func:`judge_stream` (one long recorded stream).
"""

from seqrnn.anomaly.inputs import SessionSet, read_labelled_csv, read_session_set, read_templates
from seqrnn.anomaly.parse import LogParser, ParseConfig, ParsedLog, parse_lines
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
from seqrnn.anomaly.training import train_distinct as train_detector
from seqrnn.anomaly.workflow import DetectConfig, Detection, build_detector, detect, load_detector

__all__ = [
    "Alert",
    "DetectConfig",
    "Detection",
    "DetectorConfig",
    "FollowStep",
    "LogParser",
    "ParseConfig",
    "ParsedLog",
    "SessionSet",
    "StreamDetector",
    "StreamVerdict",
    "build_detector",
    "detect",
    "detector_config_from_dict",
    "detector_resume_config",
    "follow",
    "follow_parser",
    "judge_stream",
    "load_detector",
    "parse_lines",
    "read_labelled_csv",
    "read_session_set",
    "read_templates",
    "train_detector",
    "write_report",
    "write_stream_report",
]
