# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Files shipped with the package.

toy_encoder/: the toy's pretrained encoder (width 0.25, conv1_1..conv5_3),
made by `python -m smcp_jax.toy.encoder` (docs/results.md, "The toy's pretrained
encoder"); configs/toy.py starts from it as the paper starts from ImageNet.
"""

import os

TOY_ENCODER = os.path.join(os.path.dirname(__file__), 'toy_encoder')
