# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Commands and tiny trainings in fresh processes (the device count is set
per process through XLA_FLAGS)."""

import json
import os
import subprocess
import sys

from smcp_jax.checkpoints import params_io

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def run_python(args, devices=1, env_extra=None, **kwargs):
  env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2',
             XLA_FLAGS=f'--xla_force_host_platform_device_count={devices}',
             **(env_extra or {}))
  return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, **kwargs)


def train_toy(toy_root, workdir, steps, devices=1, *overrides):
  proc = run_python(['-m', 'tests.helpers.train_script', toy_root, str(workdir),
                     str(steps), *overrides], devices=devices)
  out, _ = proc.communicate(timeout=600)
  assert proc.returncode == 0, out[-3000:]
  assert f'devices {devices}' in out
  return params_io.load_params(str(workdir / 'params'))[0]


def train_losses(workdir):
  with open(workdir / 'metrics.jsonl') as f:
    return [json.loads(line)['train_loss'] for line in f]
