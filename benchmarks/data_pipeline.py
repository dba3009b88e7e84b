# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Episodes per second of the data pipeline (training tf.data and test path).

  python -m benchmarks.data_pipeline [--root DIR] [--size 417] [--out FILE]

Without --root it generates the toy set in a temp folder (--toy-size 480
is about VOC-sized: ~500x375 JPEGs).
"""

import argparse
import json
import os
import platform
import tempfile
import time

from configs import toy as toy_config
from smcp_jax import config_lib
from smcp_jax.data import builder
from smcp_jax.data import toy


def _rate(iterator, episodes_per_item, warmup, repeats):
  for _ in range(warmup):
    next(iterator)
  start = time.perf_counter()
  for _ in range(repeats):
    next(iterator)
  return repeats * episodes_per_item / (time.perf_counter() - start)


def main(argv=None):
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--root', help='VOC2012 folder (default: toy set)')
  parser.add_argument('--size', type=int, default=417)
  parser.add_argument('--toy-size', type=int, default=128,
                      help='toy image side (480 is about VOC-sized)')
  parser.add_argument('--batch', type=int, default=8)
  parser.add_argument('--steps', type=int, default=40)
  parser.add_argument('--out', default='benchmarks/data_pipeline.json')
  args = parser.parse_args(argv)

  with tempfile.TemporaryDirectory() as tmp:
    root = args.root or toy.generate(tmp, num_train=600, num_val=200,
                                     size=args.toy_size)
    config = toy_config.get_config()
    config.data.root = root
    config.data.image_size = args.size
    config.data.class_index_cache = os.path.join(tmp, 'cache')
    config.train.global_batch = args.batch
    config = config_lib.resolve(config)
    train = builder.train_dataset(config)
    train_rate = _rate(train.as_numpy_iterator(), args.batch, 5, args.steps)
    episodes = builder.test_episodes(config, run=0)
    loader = builder.test_loader(config)
    test_rate = _rate(iter(loader(e) for e in episodes), 1, 5, 100)

  result = {
      'machine': f'{platform.machine()}, {os.cpu_count()} cores',
      'image_size': args.size,
      'data': args.root or f'toy ({args.toy_size}x{args.toy_size} images)',
      'train_episodes_per_s': round(train_rate, 1),
      'test_episodes_per_s (numpy/PIL, one thread)': round(test_rate, 1),
  }
  print(json.dumps(result, indent=2))
  with open(args.out, 'w') as f:
    json.dump(result, f, indent=2)


if __name__ == '__main__':
  main()
