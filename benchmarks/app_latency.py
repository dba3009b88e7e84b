# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Latency of the web app, measured through its API like a browser's
requests: time from start to the first answer (start, load, compile and
one request), then per-request p50 / p95 for 1 support + 4 queries.

  python -m benchmarks.app_latency [--requests 20] [--out FILE]

Networks: the toy demo's (runs/demo, or a random one of the same shape
when it is absent) at 65 px, and a full-width random network at 417 px.
"""

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image


def random_params(folder: str, width: float, size: int) -> str:
  """A random network's params directory (what a trained one would be)."""
  from configs import toy  # pylint: disable=g-import-not-at-top
  from smcp_jax.checkpoints import model_io  # pylint: disable=g-import-not-at-top
  from smcp_jax.checkpoints import params_io  # pylint: disable=g-import-not-at-top
  from smcp_jax.config_lib import resolution  # pylint: disable=g-import-not-at-top
  config = toy.get_config()
  config.model.width = width
  config.train.init_from = ''  # a random network
  config.data.image_size = size
  config = resolution.resolve(config)
  params_io.save_params(
      folder, params_io.model_params(model_io.create_model(config)),
      model_config=config.model.to_dict(), scope='full',
      source=f'random width {width}',
      inference=model_io.inference_settings(config))
  return folder


def _images(folder: str) -> list[str]:
  rng = np.random.default_rng(0)
  paths = []
  for i in range(5):
    image = rng.integers(0, 255, (240 + 10 * i, 320, 3), dtype=np.uint8)
    image[60:180, 80:240] = (230, 60, 40)
    paths.append(os.path.join(folder, f'image{i}.png'))
    Image.fromarray(image).save(paths[-1])
  return paths


def _free_port() -> int:
  with socket.socket() as s:
    s.bind(('127.0.0.1', 0))
    return s.getsockname()[1]


def measure(checkpoint: str, images: list[str], requests: int,
            size: int) -> dict:
  from gradio_client import Client  # pylint: disable=g-import-not-at-top
  from gradio_client import handle_file  # pylint: disable=g-import-not-at-top
  port = _free_port()
  start = time.perf_counter()
  app = subprocess.Popen([sys.executable, '-m', 'smcp_jax.app',
                          '--checkpoint', checkpoint, '--port', str(port)],
                         stdout=subprocess.DEVNULL)
  try:
    client = None
    while client is None:
      try:
        client = Client(f'http://127.0.0.1:{port}', verbose=False)
      except Exception:  # pylint: disable=broad-except
        time.sleep(0.2)
    empty = {'background': None, 'layers': [], 'composite': None, 'id': None}
    editor = {'background': handle_file(images[0]), 'layers': [],
              'composite': None, 'id': None}
    args = (editor, None, '80,60,240,180', empty, None, '', empty, None, '',
            [handle_file(p) for p in images[1:]], [], 'fused', '', size)
    client.predict(*args, api_name='/segment')
    first = time.perf_counter() - start
    times = []
    for _ in range(requests):
      begin = time.perf_counter()
      client.predict(*args, api_name='/segment')
      times.append(time.perf_counter() - begin)
  finally:
    app.terminate()
    app.wait()
  return {'first_answer_s': round(first, 2),
          'p50_s': round(float(np.percentile(times, 50)), 3),
          'p95_s': round(float(np.percentile(times, 95)), 3),
          'requests': requests}


def main(argv=None):
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--requests', type=int, default=20)
  parser.add_argument('--out', default='benchmarks/app_latency.json')
  args = parser.parse_args(argv)
  report = {'machine': f'{platform.machine()}, {os.cpu_count()} cores'}
  with tempfile.TemporaryDirectory() as tmp:
    images = _images(tmp)
    toy = ('runs/demo' if os.path.isdir('runs/demo')
           else random_params(os.path.join(tmp, 'toy'), 0.25, 65))
    report['toy (width 0.25, 65 px)'] = measure(toy, images, args.requests,
                                                65)
    print(json.dumps(report, indent=2), flush=True)
    full = random_params(os.path.join(tmp, 'full'), 1.0, 417)
    report['full width, 417 px'] = measure(full, images,
                                           max(5, args.requests // 2), 417)
  print(json.dumps(report, indent=2))
  with open(args.out, 'w') as f:
    json.dump(report, f, indent=2)


if __name__ == '__main__':
  main()
