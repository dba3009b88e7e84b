# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The network's test-time choices, importable without JAX (the commands
list them in --help before they load the network)."""

from typing import Literal

PrototypeMode = Literal['support', 'pseudo', 'fused']
EmptyPseudoMask = Literal['zero', 'support']
# The query segmented with the support prototype, its own pseudo-prototype,
# or their mean (fused, the paper's: Table VI).
PROTOTYPE_MODES = ('support', 'pseudo', 'fused')
EMPTY_PSEUDO_MASK_OPTIONS = ('zero', 'support')
