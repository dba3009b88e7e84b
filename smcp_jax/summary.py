# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Prints the SMCP network's parameters and times its forward passes.

  python -m smcp_jax.summary --width 0.25 --size 129 [--params DIR]

With --params, loads a params directory (e.g. a converted checkpoint of the
authors) and builds the network it was made for.
"""

import time

from absl import flags
from flax import nnx
import jax
import jax.numpy as jnp
import numpy as np

from smcp_jax.checkpoints import model_io
from smcp_jax.checkpoints import params_io
from smcp_jax.cli import arguments
from smcp_jax.cli import launcher
from smcp_jax.models import smcp

FLAGS = flags.FlagValues()
flags.DEFINE_float('width', 0.25, 'network width', flag_values=FLAGS)
flags.DEFINE_integer('size', 129, 'image side', flag_values=FLAGS)
flags.DEFINE_integer('shots', 1, 'support images', flag_values=FLAGS)
flags.DEFINE_integer('repeats', 3, 'timed calls', flag_values=FLAGS)
flags.DEFINE_string('params', None, 'params directory to load',
                    flag_values=FLAGS)
arguments.add_hyphenated_aliases(FLAGS)


def parameter_table(model: nnx.Module) -> list[tuple[str, int]]:
  """(top-level module, parameter count) rows plus a total."""
  counts = {}
  for name, value in params_io.model_params(model).items():
    group = '/'.join(name.split('/')[:2])
    counts[group] = counts.get(group, 0) + int(np.prod(value.shape))
  rows = sorted(counts.items())
  return rows + [('total', sum(counts.values()))]


def _time(fn, *args, repeats: int) -> tuple[float, float]:
  """(first call incl. compile, median of later calls) in seconds."""
  start = time.perf_counter()
  jax.block_until_ready(fn(*args))
  first = time.perf_counter() - start
  times = []
  for _ in range(repeats):
    start = time.perf_counter()
    jax.block_until_ready(fn(*args))
    times.append(time.perf_counter() - start)
  return first, float(np.median(times))


def run(argv) -> None:
  del argv
  if FLAGS.params:
    params, meta = params_io.load_params(FLAGS.params)
    model = smcp.SMCP(**meta['model'], rngs=nnx.Rngs(0))
    params_io.assign_params(model, params, scope=meta['scope'])
  else:
    model = smcp.SMCP(width=FLAGS.width, rngs=nnx.Rngs(0))
  for name, count in parameter_table(model):
    print(f'{name:32s} {count:>12,d}')

  rng = np.random.default_rng(0)
  support = jnp.asarray(rng.normal(
      size=(1, FLAGS.shots, FLAGS.size, FLAGS.size, 3)), jnp.float32)
  masks = jnp.zeros((1, FLAGS.shots, FLAGS.size, FLAGS.size)).at[
      ..., FLAGS.size // 4:FLAGS.size // 2, FLAGS.size // 4:-FLAGS.size // 4
  ].set(1.0)
  query = jnp.asarray(rng.normal(size=(1, FLAGS.size, FLAGS.size, 3)),
                      jnp.float32)
  graphdef, state = nnx.split(model)
  for name, method, output in (
      ('one-shot inference (fused)', smcp.SMCP.infer, 'logits'),
      ('training forward', smcp.SMCP.__call__, 'query')):
    fn = model_io.jit_method(graphdef, method)
    first, steady = _time(fn, state, support, masks, query,
                          repeats=FLAGS.repeats)
    shape = fn(state, support, masks, query)[output].shape
    print(f'{name} at {FLAGS.size}x{FLAGS.size}, {FLAGS.shots} shot(s): '
          f'{steady * 1e3:.1f} ms/episode (first call {first:.1f} s), '
          f'output {shape}')


def main(argv=None):
  launcher.main(run, FLAGS, argv)


if __name__ == '__main__':
  main()
