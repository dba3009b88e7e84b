# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Wall-clock time of `python -m smcp_jax.predict` (1 support, 1 query)
with an empty compilation cache, then again with the cache it filled.

  python -m benchmarks.compile_cache [--out FILE]

Networks: the toy demo's shape (width 0.25, 65 px) and the full width at
417 px, both random (a trained network compiles the same).
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image

from benchmarks import app_latency


def _start(checkpoint: str, image: str, cache: str, out: str) -> float:
  begin = time.perf_counter()
  subprocess.run([sys.executable, '-m', 'smcp_jax.predict', '--checkpoint',
                  checkpoint, '--support', image, '--support-box',
                  '40,40,200,160', '--query', image, '--out', out],
                 env=dict(os.environ, SMCP_JAX_CACHE_DIR=cache), check=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
  return round(time.perf_counter() - begin, 2)


def main(argv=None):
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--out', default='benchmarks/compile_cache.json')
  args = parser.parse_args(argv)
  report = {'machine': f'{platform.machine()}, {os.cpu_count()} cores'}
  with tempfile.TemporaryDirectory() as tmp:
    image = os.path.join(tmp, 'image.png')
    Image.fromarray(np.random.default_rng(0).integers(
        0, 255, (240, 320, 3), np.uint8)).save(image)
    for name, width, size in (('toy shape (width 0.25, 65 px)', 0.25, 65),
                              ('full width, 417 px', 1.0, 417)):
      checkpoint = app_latency.random_params(
          os.path.join(tmp, name.split()[0]), width, size)
      cache = os.path.join(tmp, f'cache-{size}')
      report[name] = {
          'first_start_s': _start(checkpoint, image, cache,
                                  os.path.join(tmp, f'o1-{size}')),
          'second_start_s': _start(checkpoint, image, cache,
                                   os.path.join(tmp, f'o2-{size}'))}
      print(json.dumps(report, indent=2), flush=True)
  with open(args.out, 'w') as f:
    json.dump(report, f, indent=2)


if __name__ == '__main__':
  main()
