# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Joining a multi-host run, for the commands that run on several hosts
(train, label); kept apart from them so that joining imports only JAX."""

import os

import jax


def initialize() -> None:
  """jax.distributed from JAX_COORDINATOR_ADDRESS / JAX_NUM_PROCESSES /
  JAX_PROCESS_ID, or auto-detected on SLURM and TPU pods; else nothing."""
  if os.environ.get('JAX_COORDINATOR_ADDRESS'):
    jax.distributed.initialize(
        coordinator_address=os.environ['JAX_COORDINATOR_ADDRESS'],
        num_processes=int(os.environ['JAX_NUM_PROCESSES']),
        process_id=int(os.environ['JAX_PROCESS_ID']))
  elif os.environ.get('SLURM_JOB_ID') or os.environ.get(
      'TPU_WORKER_HOSTNAMES'):
    jax.distributed.initialize()  # finds the cluster itself
