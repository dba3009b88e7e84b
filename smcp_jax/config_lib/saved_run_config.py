# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""A training run's saved config (WORKDIR/config.json) as a config file:

  --config smcp_jax/config_lib/saved_run_config.py:WORKDIR

`evaluate --checkpoint WORKDIR` without --config passes it, so that
--config.x=y overrides still apply to the run's own settings.
"""

import os

from smcp_jax import errors
from smcp_jax.config_lib import saved_runs


def get_config(workdir: str):
  path = os.path.join(workdir, 'config.json')
  if not os.path.isfile(path):
    raise errors.ConfigError(
        f'{workdir} has no config.json: give --config')
  return saved_runs.read_saved_config(path)
