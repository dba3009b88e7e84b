# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Configs: every field and its default, resolving a config once, a run's
saved config."""
