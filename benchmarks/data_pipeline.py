# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Episodes per second of the data pipeline, `files` and `tfds` side by
side: the training tf.data path and the test path, and what each holds in
memory.

  python -m benchmarks.data_pipeline [--toy-sizes 128 480] [--size 417]
      [--out FILE]

For each toy image side (480 is about VOC-sized: ~500x375 JPEGs) it
generates the toy set as a folder, builds the same set as TFDS (the pascal
builder from the SegmentationClassAug folder), then measures each source in
a process of its own: episodes/s, the memory the reader holds once set up
(RSS after setting up minus RSS after the imports), and the process's peak
RSS.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time


def _rss_mb(field: str = 'VmRSS') -> float:
  with open('/proc/self/status') as f:
    for line in f:
      if line.startswith(field + ':'):
        return int(line.split()[1]) / 1024
  raise RuntimeError(field)


def _rate(iterator, episodes_per_item, warmup, repeats):
  for _ in range(warmup):
    next(iterator)
  start = time.perf_counter()
  for _ in range(repeats):
    next(iterator)
  return repeats * episodes_per_item / (time.perf_counter() - start)


def measure(source: str, root: str, tfds_dir: str, size: int, batch: int,
            steps: int, cache: str) -> dict:
  """One source's numbers, in this process."""
  # pylint: disable=g-import-not-at-top
  from configs import toy as toy_config
  from smcp_jax.config_lib import resolution
  from smcp_jax.data import builder
  config = toy_config.get_config()
  config.data.root = root
  config.data.source = source
  config.data.dataset = 'pascal'
  config.data.tfds_data_dir = tfds_dir
  config.data.image_size = size
  config.data.class_index_cache = cache
  config.train.global_batch = batch
  config = resolution.resolve(config)
  from smcp_jax.data.tfds import builders as tfds_builders  # imports TFDS
  del tfds_builders
  start_rss = _rss_mb()
  reader = builder.make_source(config.data)
  split = config.data.train_split
  reader.class_index(split, cache_dir=cache)
  reader.load_pair(reader.image_ids(split)[0], split)  # opens the shards
  held = _rss_mb() - start_rss
  sampler = builder.train_sampler(config.data, seed=config.seed,
                                  hold_out=False)
  train = builder.train_dataset(config.data, sampler,
                                global_batch=config.train.global_batch)
  train_rate = _rate(train.as_numpy_iterator(), batch, 5, steps)
  episodes = builder.test_episodes(config.data, config.test, run=0)
  loader = builder.test_loader(config.data, config.test)
  test_rate = _rate(iter(loader(e) for e in episodes), 1, 5, 100)
  return {'train_episodes_per_s': round(train_rate, 1),
          'test_episodes_per_s': round(test_rate, 1),
          'reader_memory_mb': round(held, 1),
          'peak_rss_mb': round(_rss_mb('VmHWM'), 1)}


def _child(args) -> dict:
  command = [sys.executable, '-m', 'benchmarks.data_pipeline', '--child',
             json.dumps(args)]
  out = subprocess.run(command, capture_output=True, text=True)
  if out.returncode:
    raise RuntimeError(f'{args["source"]} failed:\n{out.stderr[-2000:]}')
  return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--toy-sizes', type=int, nargs='+', default=[128, 480])
  parser.add_argument('--size', type=int, default=417)
  parser.add_argument('--batch', type=int, default=8)
  parser.add_argument('--steps', type=int, default=40)
  parser.add_argument('--images', type=int, default=600,
                      help='training images of the generated set')
  parser.add_argument('--out', default='benchmarks/data_pipeline.json')
  parser.add_argument('--child', help=argparse.SUPPRESS)
  args = parser.parse_args(argv)
  if args.child:
    print(json.dumps(measure(**json.loads(args.child))))
    return
  # pylint: disable=g-import-not-at-top
  from smcp_jax.data.tfds import build
  from smcp_jax.toy import generate
  rows = []
  for toy_size in args.toy_sizes:
    with tempfile.TemporaryDirectory() as tmp:
      manual = os.path.join(tmp, 'manual')
      root = generate.generate(manual, num_train=args.images,
                               num_val=args.images // 3, size=toy_size)
      tfds_dir = os.path.join(tmp, 'tfds')
      build.prepare('pascal', tfds_dir, manual)
      for source in ('files', 'tfds'):
        numbers = _child({'source': source, 'root': root,
                          'tfds_dir': tfds_dir, 'size': args.size,
                          'batch': args.batch, 'steps': args.steps,
                          'cache': os.path.join(tmp, 'cache')})
        rows.append({'images': f'toy {toy_size}x{toy_size}',
                     'source': source, **numbers})
        print(json.dumps(rows[-1]), flush=True)
  result = {
      'machine': f'{platform.machine()}, {os.cpu_count()} cores',
      'image_size': args.size, 'global_batch': args.batch,
      'training_images': args.images, 'rows': rows,
      'note': 'train: tf.data episodes/s; test: the numpy/PIL test path, '
              'one thread; reader_memory_mb: RSS a reader adds once it has '
              'its ids and class lists and has read one image (the TFDS '
              'metadata and the open shards); peak_rss_mb: the whole '
              'process.',
  }
  with open(args.out, 'w') as f:
    json.dump(result, f, indent=2)


if __name__ == '__main__':
  main()
