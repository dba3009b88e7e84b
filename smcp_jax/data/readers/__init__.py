# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Readers of the data sets' folders: VOC layout, COCO json, FSS-1000."""
