# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The label convention every data set, loss and metric shares."""

BACKGROUND = 0
# VOC's void value: object boundaries, COCO crowds, novel classes in the
# multi-class targets. Losses and metrics skip these pixels.
IGNORE_LABEL = 255
