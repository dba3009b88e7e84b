# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""A training run's saved config (WORKDIR/config.json) as a config file:

  --config smcp_jax/saved_run_config.py:WORKDIR

`evaluate --checkpoint WORKDIR` without --config passes it, so that
--config.x=y overrides still apply to the run's own settings.
"""

import os

from smcp_jax import config_lib


def get_config(workdir: str):
  path = os.path.join(workdir, 'config.json')
  if not os.path.isfile(path):
    raise config_lib.ConfigError(
        f'{workdir} has no config.json: give --config')
  return config_lib.read_saved_config(path)
