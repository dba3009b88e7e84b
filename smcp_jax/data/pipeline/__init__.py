# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Episodes, their transforms and the input pipelines (tf.data for
training, arrays for test episodes)."""
