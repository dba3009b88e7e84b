# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""smcp-jax: SMCP one-shot segmentation in JAX and Flax."""

from smcp_jax.ops import xla_cpu_flags

xla_cpu_flags.prefer_eigen_convolutions()
