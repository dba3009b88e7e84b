# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""TensorFlow, imported without the notices its C++ core writes to stderr
on import: absl's "before InitializeLog" line, the oneDNN note and the
CPU-feature note, each twice. TF_CPP_MIN_LOG_LEVEL no longer silences them
(TF 2.21), and TF_ENABLE_ONEDNN_OPTS=0 would change numerics. Only the
import's own stderr writes are dropped: a failing import still raises, and
TF's messages after it (real warnings and errors) still print.

  from smcp_jax.data.quiet_tf import tf
"""

import os
import sys


def _import_quietly():
  sys.stderr.flush()
  saved = os.dup(2)
  devnull = os.open(os.devnull, os.O_WRONLY)
  os.dup2(devnull, 2)
  try:
    import tensorflow  # pylint: disable=g-import-not-at-top
  finally:
    os.dup2(saved, 2)
    os.close(saved)
    os.close(devnull)
  return tensorflow


tf = _import_quietly()
