# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The embedded default: the generated toy data set, its classes, its
FSS-1000 layout, the pretraining set and the encoder trained on it
(`python -m smcp_jax.toy`, `python -m smcp_jax.toy.encoder`)."""
