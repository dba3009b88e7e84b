# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Training: the loop, state and step, optimizer, losses, checkpoints'
schedule, scalar logs (`python -m smcp_jax.train`)."""
