# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Scalars to a JSON-lines file and TensorBoard event files in the workdir."""

import json
import os

from smcp_jax.data.quiet_tf import tf


def _step_of(row: str) -> float:
  """A row's step; a row cut short by a crash counts as superseded."""
  try:
    return json.loads(row)['step']
  except (ValueError, KeyError):
    return float('inf')


def _drop_rows_after(path: str, step: int) -> None:
  if not os.path.isfile(path):
    return
  with open(path) as f:
    rows = f.readlines()
  kept = [row for row in rows if _step_of(row) <= step]
  if len(kept) < len(rows):
    with open(path + '.tmp', 'w') as f:
      f.writelines(kept)
    os.replace(path + '.tmp', path)


class MetricWriter:
  """Writes on process 0 only; the others get a no-op writer."""

  def __init__(self, workdir: str, enabled: bool = True,
               resume_step: int = 0):
    """Appends to the workdir's logs; JSON lines of steps after
    `resume_step` (written before a resume from an older checkpoint) are
    dropped, as those steps run again."""
    self.enabled = enabled
    if enabled:
      path = os.path.join(workdir, 'metrics.jsonl')
      _drop_rows_after(path, resume_step)
      self._jsonl = open(path, 'a')
      self._tb = tf.summary.create_file_writer(os.path.join(workdir, 'tb'))

  def write(self, step: int, scalars: dict) -> None:
    if not self.enabled:
      return
    scalars = {k: float(v) for k, v in scalars.items()}
    self._jsonl.write(json.dumps({'step': step, **scalars}) + '\n')
    self._jsonl.flush()
    with self._tb.as_default(step=step):
      for name, value in scalars.items():
        tf.summary.scalar(name, value)
    self._tb.flush()

  def close(self) -> None:
    if self.enabled:
      self._jsonl.close()
      self._tb.close()
