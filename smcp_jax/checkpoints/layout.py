# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The files of a params directory and of a training run, named without
importing JAX (the commands read them while parsing their flags)."""

import os

PARAMS_FILE = 'params.msgpack'
META_FILE = 'model.json'
EXPORT_SUBDIR = 'params'  # where a training run exports its final params
SAVED_CONFIG = 'config.json'  # a training run's resolved config


def holds_params(directory: str) -> bool:
  return any(os.path.exists(os.path.join(directory, name))
             for name in (PARAMS_FILE, META_FILE))
