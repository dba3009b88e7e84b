# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Prints the SMCP network's parameters and times its forward passes.

  python -m smcp_jax.models.summary --width 0.25 --size 129 [--params DIR]

With --params, loads a params directory (e.g. a converted checkpoint of the
authors) and builds the network it was made for.
"""

import argparse
import time

from flax import nnx
import jax
import jax.numpy as jnp
import numpy as np

from smcp_jax import model_io
from smcp_jax import params_io
from smcp_jax.models import smcp


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


def main(argv=None):
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--width', type=float, default=0.25)
  parser.add_argument('--size', type=int, default=129, help='image side')
  parser.add_argument('--shots', type=int, default=1)
  parser.add_argument('--repeats', type=int, default=3)
  parser.add_argument('--params', help='params directory to load')
  args = parser.parse_args(argv)

  if args.params:
    params, meta = params_io.load_params(args.params)
    model = smcp.SMCP(**meta['model'], rngs=nnx.Rngs(0))
    params_io.assign_params(model, params, scope=meta['scope'])
  else:
    model = smcp.SMCP(width=args.width, rngs=nnx.Rngs(0))
  for name, count in parameter_table(model):
    print(f'{name:32s} {count:>12,d}')

  rng = np.random.default_rng(0)
  support = jnp.asarray(rng.normal(
      size=(1, args.shots, args.size, args.size, 3)), jnp.float32)
  masks = jnp.zeros((1, args.shots, args.size, args.size)).at[
      ..., args.size // 4:args.size // 2, args.size // 4:-args.size // 4
  ].set(1.0)
  query = jnp.asarray(rng.normal(size=(1, args.size, args.size, 3)),
                      jnp.float32)
  graphdef, state = nnx.split(model)
  for name, method, output in (
      ('one-shot inference (fused)', smcp.SMCP.infer, 'logits'),
      ('training forward', smcp.SMCP.__call__, 'query')):
    fn = model_io.jit_method(graphdef, method)
    first, steady = _time(fn, state, support, masks, query,
                          repeats=args.repeats)
    shape = fn(state, support, masks, query)[output].shape
    print(f'{name} at {args.size}x{args.size}, {args.shots} shot(s): '
          f'{steady * 1e3:.1f} ms/episode (first call {first:.1f} s), '
          f'output {shape}')


if __name__ == '__main__':
  main()
