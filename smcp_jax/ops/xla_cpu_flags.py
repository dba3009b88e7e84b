# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""XLA's CPU convolutions from Eigen rather than YNNPACK.

jaxlib 0.10's CPU compiler hands convolutions to YNNPACK, which ran most of
the toy network's convs (32-128 channels on 16-64 px maps) on one core of
two, where Eigen's use both: the toy's train step took 1.2x longer with
them (docs/performance.md, "Small inputs"). YNNPACK stays on for
reductions and matrix products, where it is the faster one. The results are
XLA's convolutions either way.

Importing smcp_jax applies this through XLA_FLAGS, which XLA reads when JAX
starts its CPU backend (at the first computation): a backend started before
the import keeps its flags, and a user's own setting of the option wins.
"""

import os

OPTION = '--xla_cpu_experimental_ynn_fusion_type'
# YNNPACK's fusions less its convolutions.
KEPT_FUSIONS = ('LIBRARY_FUSION_TYPE_REDUCE',
                'LIBRARY_FUSION_TYPE_INDIVIDUAL_DOT',
                'LIBRARY_FUSION_TYPE_DOT')
# The jaxlib versions whose XLA knows the option: XLA aborts the process on
# a flag it does not know, so any other version is left alone.
KNOWN_JAXLIB_PREFIXES = ('0.10.',)


def with_eigen_convolutions(xla_flags: str, jaxlib_version: str) -> str:
  """`xla_flags` with YNNPACK's convolutions turned off, unless they already
  set the option or this jaxlib may not know it."""
  if (OPTION in xla_flags
      or not jaxlib_version.startswith(KNOWN_JAXLIB_PREFIXES)):
    return xla_flags
  return f'{xla_flags} {OPTION}={",".join(KEPT_FUSIONS)}'.strip()


def eigen_convolutions(xla_flags: str) -> bool:
  """Whether XLA_FLAGS `xla_flags` keep convolutions from YNNPACK."""
  setting = xla_flags.partition(f'{OPTION}=')[2].split(' ')[0]
  return OPTION in xla_flags and 'CONVOLUTION' not in setting


def prefer_eigen_convolutions() -> None:
  """Sets XLA_FLAGS for this process and its children."""
  # jaxlib.version, not importlib.metadata: 5 ms against 26 at every start
  # of a command (jaxlib is imported by JAX anyway).
  from jaxlib import version  # pylint: disable=g-import-not-at-top
  os.environ['XLA_FLAGS'] = with_eigen_convolutions(
      os.environ.get('XLA_FLAGS', ''), version.__version__)
