# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Evaluation throughput: episodes/s of evaluator.evaluate end to end
(loading, batched fused inference, upsampling, scoring).

  python -m benchmarks.evaluation [--size 417] [--width 1.0] [--episodes 24]
      [--batches 1 8] [--out F]

On the generated toy set (128 px images, as the data pipeline benchmark),
the network at full width with random weights (speed does not depend on
them); each batch size compiles first, then is timed on a second pass.
"""

import argparse
import json
import os
import platform
import tempfile
import time

from flax import nnx

from configs import toy as toy_config
from smcp_jax.checkpoints import model_io
from smcp_jax.config_lib import resolution
from smcp_jax.evaluation import evaluator
from smcp_jax.toy import generate


def measure(size: int, width: float, episodes: int, batches) -> dict:
  """{batch size: episodes/s} of one evaluation run of `episodes`."""
  with tempfile.TemporaryDirectory() as tmp:
    config = toy_config.get_config()
    config.data.root = generate.generate(tmp, num_train=200, num_val=100,
                                         size=128)
    config.data.image_size = size
    config.data.class_index_cache = os.path.join(tmp, 'cache')
    config.model.width = width
    config.train.init_from = ''
    config.test.episodes = episodes
    config.test.runs = 1
    config = resolution.resolve(config)
    graphdef, params = nnx.split(model_io.create_model(config), nnx.Param)
    runs = evaluator.protocol_episodes(config.data, config.test)
    rates = {}
    for batch in batches:
      evaluate = lambda: evaluator.evaluate(config, graphdef, params, runs,
                                            batch_size=batch, progress=False)
      evaluate()  # compiles for this batch size
      start = time.perf_counter()
      evaluate()
      rates[batch] = episodes / (time.perf_counter() - start)
  return rates


def main(argv=None):
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--size', type=int, default=417)
  parser.add_argument('--width', type=float, default=1.0)
  parser.add_argument('--episodes', type=int, default=24)
  parser.add_argument('--batches', type=int, nargs='+', default=[1, 8])
  parser.add_argument('--out', default='benchmarks/evaluation.json')
  args = parser.parse_args(argv)
  rates = measure(args.size, args.width, args.episodes, args.batches)
  result = {'machine': f'{platform.machine()}, {os.cpu_count()} cores',
            'image_size': args.size, 'width': args.width,
            'episodes': args.episodes,
            'episodes_per_s': {str(b): round(r, 2) for b, r in rates.items()}}
  print(json.dumps(result, indent=2))
  with open(args.out, 'w') as f:
    json.dump(result, f, indent=2)


if __name__ == '__main__':
  main()
