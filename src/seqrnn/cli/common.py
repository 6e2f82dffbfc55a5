"""Pieces shared by the CLI modules: logging/progress set-up, config merging, error display."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from typing import Any

import click
from tqdm import tqdm

from seqrnn.cli.types import NON_NEGATIVE, NON_NEGATIVE_INT, POSITIVE, POSITIVE_INT, SEED
from seqrnn.config import load_config_file
from seqrnn.errors import ConfigError, SeqrnnError
from seqrnn.train.callbacks import Callback
from seqrnn.train.signals import TrainingInterrupted


def setup_logging(verbose: bool) -> None:
    """Send library log records to stderr (the library itself never prints)."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def friendly_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn seqrnn's own errors, and file-system errors (full disk, no permission ...), into
    one clear line and exit status 1 (no traceback)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except SeqrnnError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:  # a file-system fault the library did not name: still one line
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(f"{where}{exc.strerror or exc}") from None

    return wrapper


#: ``--config FILE``: the same option on every verb that trains
CONFIG_OPTION = click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    help="TOML/YAML/JSON config; flags override it.",
)


#: the flags of :class:`seqrnn.train.config.TrainConfig` and of the run folder, one definition
#: for every verb that trains; a verb takes those it supports with :func:`train_options`
_TRAIN_OPTIONS: dict[str, Callable] = {
    "epochs": click.option("--epochs", "train__epochs", type=POSITIVE_INT),
    "batch_size": click.option("--batch-size", "train__batch_size", type=POSITIVE_INT),
    "lr": click.option("--lr", "train__learning_rate", type=POSITIVE),
    "clip": click.option("--clip", "train__grad_clip", type=NON_NEGATIVE, help="0 = no clipping."),
    "patience": click.option(
        "--patience", "train__patience", type=NON_NEGATIVE_INT, help="0 = no early stopping."
    ),
    "seed": click.option("--seed", "train__seed", type=SEED),
    "device": click.option("--device", "train__device", help="auto, cpu, cuda, cuda:1 ..."),
    "minutes": click.option(
        "--minutes", "train__minutes", type=POSITIVE, help="Training-time budget (minutes)."
    ),
    "precision": click.option(
        "--precision",
        "train__precision",
        type=click.Choice(["auto", "fp32", "bf16"]),
        help="auto (default): bf16 where the device has bfloat16 units, else fp32.",
    ),
    "runs_dir": click.option("--runs-dir", "runs_dir", type=click.Path(file_okay=False)),
    "name": click.option("--name", "name", help="Run folder name (default: a timestamp)."),
    "tensorboard": click.option(
        "--tensorboard",
        is_flag=True,
        expose_value=False,  # not a config key: read by train_callbacks
        callback=lambda ctx, _p, value: ctx.meta.__setitem__("seqrnn.tensorboard", value),
        help="Also log the curves for TensorBoard (RUN/tensorboard; extra 'tensorboard').",
    ),
}


def train_options(*names: str) -> list[Callable]:
    """The shared training / run-folder options called ``names`` (keys of the table above)."""
    return [_TRAIN_OPTIONS[name] for name in names]


def train_callbacks(progress: bool) -> list[Callback]:
    """The callbacks that the training flags ask for: the progress bar and, with
    ``--tensorboard``, TensorBoard logging (imported only then); none on the other ranks of
    a torchrun job, where rank 0 speaks for all."""
    from seqrnn.train.distributed import is_main_process

    if not is_main_process():
        return []
    callbacks: list[Callback] = [ProgressBar()] if progress else []
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.meta.get("seqrnn.tensorboard"):
        from seqrnn.report.tensorboard import TensorBoardLogger

        callbacks.append(TensorBoardLogger())
    return callbacks


def apply_options(fn: Callable[..., Any], options: list[Callable]) -> Callable[..., Any]:
    """Decorate ``fn`` with click ``options`` so that they show in the listed order."""
    for opt in reversed(options):
        fn = opt(fn)
    return fn


def merge_config(config_file: str | None, overrides: dict[str, Any]) -> dict[str, Any]:
    """Config file (TOML/YAML/JSON) first, then flags that were given.

    Flag destinations name the config key with ``__`` between levels
    (``model__encoder__hidden_size``), since click needs identifiers.
    """
    data: dict[str, Any] = load_config_file(config_file) if config_file else {}
    for dotted, value in overrides.items():
        if value is None:
            continue
        node = data
        *parents, leaf = dotted.split("__")
        for depth, key in enumerate(parents, start=1):
            node = node.setdefault(key, {})
            if not isinstance(node, dict):
                where = ".".join(parents[:depth])
                raise ConfigError(
                    f"{config_file}: {where}: expected a table of settings, got {node!r}"
                )
        node[leaf] = value
    return data


#: ``--resume RUN``: the same option on every verb that trains
RESUME_OPTION = click.option(
    "--resume",
    type=click.Path(file_okay=False, exists=True),
    help="Continue the run in this folder from its last checkpoint (its config.json is used).",
)


#: PyTorch's intra-op threads for a training verb. One by default: the thread count decides how
#: sums are split, so with more the weights (and every figure after them) move with the number
#: of cores. The CPU's kind still counts (PyTorch picks AVX2 or AVX-512 kernels, and oneDNN's
#: LSTM where it runs), so one thread gives the same figures on machines of the same CPU kind,
#: and figures that differ in the last digits on others.
THREADS_OPTION = click.option(
    "--threads",
    type=POSITIVE_INT,
    default=1,
    show_default=True,
    help="PyTorch threads. One gives the same figures on every machine with the same kind of "
    "CPU; more can be faster but split sums by the thread count, so the last digits move.",
)


def use_threads(threads: int | None) -> None:
    """Set PyTorch's intra-op thread count; ``None`` leaves PyTorch's own choice (imported
    here: ``seqrnn parse`` starts without PyTorch)."""
    if threads is None:
        return
    import torch

    torch.set_num_threads(threads)


def interruptible(verb: str, fn: Callable[[], Any]) -> Any:
    """Run a training call; on Ctrl-C or SIGTERM say where progress was saved and how to go
    on, and exit 130 (the shell's code for an interrupted command)."""
    try:
        return fn()
    except TrainingInterrupted as exc:
        if exc.path is None:  # e.g. an ensemble's members trained in memory before the run
            click.echo(
                "\ninterrupted before the run folder was written: nothing to resume", err=True
            )
            raise SystemExit(130) from None
        click.echo(f"\ninterrupted: progress saved in {exc.path}", err=True)
        if exc.run_dir is not None:
            click.echo(f"continue with: seqrnn {verb} --resume {exc.run_dir}", err=True)
        raise SystemExit(130) from None


class ProgressBar(Callback):
    """A tqdm bar per epoch on a terminal; when stderr is a file or a pipe, one line per epoch
    and nothing else (no carriage-return updates in logs). ``--no-progress`` leaves it out."""

    def __init__(self, stream: Any = None) -> None:
        self.bar: tqdm | None = None
        self.stream = stream or sys.stderr
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())

    def on_epoch_start(self, trainer: Any, epoch: int) -> None:
        if self.live:
            self.bar = tqdm(desc=f"epoch {epoch + 1}", unit="batch", leave=False, file=self.stream)

    def on_batch_end(self, trainer: Any, batch: int, loss: float) -> None:
        if self.bar is not None:
            self.bar.update(1)
            if batch % 20 == 0:
                self.bar.set_postfix(loss=f"{loss:.4f}")

    def on_epoch_end(self, trainer: Any, row: dict[str, Any]) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        parts = " ".join(
            f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()
        )
        click.echo(parts, file=self.stream)
