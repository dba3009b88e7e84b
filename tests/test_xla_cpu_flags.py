# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Importing smcp_jax moves XLA's CPU convolutions from YNNPACK to Eigen."""

import json
import os
import subprocess
import sys

import pytest

from smcp_jax.ops import xla_cpu_flags

OPTION = xla_cpu_flags.OPTION
KEPT = ','.join(xla_cpu_flags.KEPT_FUSIONS)

# Compiles a conv, a channel sum and a matrix product on a fresh CPU
# backend; prints which of them YNNPACK fusions take.
_PROBE = """
import json, re, sys
if sys.argv[1] == 'smcp_jax':
  import smcp_jax
import jax, jax.numpy as jnp
x, w, a = jnp.ones((4, 16, 16, 32)), jnp.ones((3, 3, 32, 32)), jnp.ones((64, 64))
def f(x, w, a):
  y = jax.lax.conv_general_dilated(x, w, (1, 1), 'SAME',
                                   dimension_numbers=('NHWC', 'HWIO', 'NHWC'))
  return jax.nn.relu(y), jnp.sum(x, axis=(0, 1, 2)), a @ a
hlo = jax.jit(f).lower(x, w, a).compile().as_text()
bodies = re.findall(r'\\n%?(fused_computation[.\\d]*) [^\\n]*\\n(.*?)\\n}', hlo, re.S)
ynn_callees = set(re.findall(r'ynn_fusion[.\\d]* = .*?calls=%?([\\w.]+)', hlo))
ops = sorted({op for name, body in bodies if name in ynn_callees
              for op in ('convolution', 'reduce', 'dot') if f' {op}(' in body})
print(json.dumps(ops))
"""


def _ynn_ops(import_first: str, xla_flags: str = '') -> list[str]:
  env = {k: v for k, v in os.environ.items() if k != 'XLA_FLAGS'}
  if xla_flags:
    env['XLA_FLAGS'] = xla_flags
  out = subprocess.run([sys.executable, '-c', _PROBE, import_first],
                       env=env, capture_output=True, text=True, check=True)
  return json.loads(out.stdout.splitlines()[-1])


@pytest.mark.parametrize('flags, version, expected', [
    ('', '0.10.2', f'{OPTION}={KEPT}'),
    ('--xla_force_host_platform_device_count=2', '0.10.0',
     f'--xla_force_host_platform_device_count=2 {OPTION}={KEPT}'),
    # The user's own choice wins.
    (f'{OPTION}=LIBRARY_FUSION_TYPE_REDUCE', '0.10.2',
     f'{OPTION}=LIBRARY_FUSION_TYPE_REDUCE'),
    # A jaxlib whose XLA may not know the option is left alone.
    ('--xla_force_host_platform_device_count=2', '0.11.0',
     '--xla_force_host_platform_device_count=2'),
])
def test_flags_added_once_and_only_where_known(flags, version, expected):
  assert xla_cpu_flags.with_eigen_convolutions(flags, version) == expected


@pytest.mark.parametrize('flags, eigen', [
    ('', False),
    ('--xla_force_host_platform_device_count=2', False),
    (f'{OPTION}={KEPT}', True),
    (f'{OPTION}= --xla_force_host_platform_device_count=2', True),
    (f'{OPTION}=LIBRARY_FUSION_TYPE_INDIVIDUAL_CONVOLUTION', False),
])
def test_which_flags_keep_convolutions_from_ynnpack(flags, eigen):
  assert xla_cpu_flags.eigen_convolutions(flags) is eigen


def test_import_takes_convolutions_from_ynnpack_and_keeps_the_rest():
  # Plain JAX: YNNPACK takes all three.
  assert _ynn_ops('jax') == ['convolution', 'dot', 'reduce']
  # After importing smcp_jax: the conv is XLA's, the sum and product stay.
  assert _ynn_ops('smcp_jax') == ['dot', 'reduce']
  # A user's own setting is kept.
  assert _ynn_ops('smcp_jax', f'{OPTION}=LIBRARY_FUSION_TYPE_REDUCE') == [
      'reduce']
