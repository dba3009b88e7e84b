# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Using a trained model on a user's images: the Predictor, the files of a
request, reading images and masks, the web app's page."""
