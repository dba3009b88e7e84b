# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Scalars to a JSON-lines file and TensorBoard event files in the workdir."""

import json
import os

import tensorflow as tf


class MetricWriter:
  """Writes on process 0 only; the others get a no-op writer."""

  def __init__(self, workdir: str, enabled: bool = True):
    self.enabled = enabled
    if enabled:
      self._jsonl = open(os.path.join(workdir, 'metrics.jsonl'), 'a')
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
