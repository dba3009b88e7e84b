# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Labelling throughput and memory: images/s of `label` against the
network alone and against `predict`, and peak RSS against the collection's
size.

  python -m benchmarks.labelling [--width 0.25] [--sizes 129 417]
      [--batches 1 4 8] [--images 256] [--rss 1000 10000] [--out F]

On generated toy images (128 px), a width-`--width` network with random
weights (speed does not depend on them), one class, one support. Per
network size and batch size, after a warm-up pass that compiles:
- network: the same images' network inputs already on the device, through
  the encoder and head, the logits fetched (no reading, resizing,
  upsampling or writing);
- label: `labelling.label_shards` from the files (read, resize, network,
  upsample, RLE, shard commits; the merge timed apart);
- predict: the files read, then `Predictor.predict` (what the predict
  command does before writing its files).
`--images` images at sizes up to 129, a quarter of that above. Memory:
`python -m smcp_jax.label` as a fresh process on N copies of the toy
images, N each of `--rss`: its peak RSS, and the largest resident size
sampled while it streams.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image

from configs import toy as toy_config
from smcp_jax.checkpoints import model_io
from smcp_jax.checkpoints import params_io
from smcp_jax.config_lib import resolution
from smcp_jax.evaluation import batching
from smcp_jax.serving import image_io
from smcp_jax.serving import labelling
from smcp_jax.serving import predictor as predictor_lib
from smcp_jax.toy import generate

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def export_network(folder: str, width: float, size: int) -> str:
  """A random toy network of `width` exported as training exports one."""
  config = toy_config.get_config()
  config.model.width = width
  config.data.image_size = size
  config.train.init_from = ''
  config = resolution.resolve(config)
  params_io.save_params(
      folder, params_io.model_params(model_io.create_model(config)),
      model_config=config.model.to_dict(), scope='full', source='benchmark',
      inference=model_io.inference_settings(config))
  return folder


def toy_collection(tmp: str, count: int):
  """(image paths, a support image, its mask file) from a generated toy
  set of `count` images."""
  root = generate.generate(os.path.join(tmp, 'toy'), num_train=count - 1,
                           num_val=1, size=128)
  images = sorted(os.path.join(root, 'JPEGImages', f)
                  for f in os.listdir(os.path.join(root, 'JPEGImages')))
  labels = os.path.join(root, 'SegmentationClassAug')
  for path in images:
    label = np.asarray(Image.open(os.path.join(
        labels, os.path.basename(path)[:-4] + '.png')))
    if ((label > 0) & (label < 255)).sum() > 200:
      mask = os.path.join(tmp, 'support_mask.png')
      classes = np.unique(label[(label > 0) & (label < 255)])
      Image.fromarray(((label == classes[0]) * 255).astype(np.uint8)
                      ).save(mask)
      return [p for p in images if p != path], path, mask
  raise RuntimeError('no toy image with an object to use as support')


def _request(paths, support, mask, checkpoint, size) -> labelling.Request:
  return labelling.Request(
      checkpoint=checkpoint, classes={'object': ([support], [mask])},
      images=paths, root='', image_format='coco', prototype='fused',
      image_size=size)


def rates(checkpoint: str, paths, support, mask, size: int,
          batch: int, tmp: str) -> dict:
  """Images/s of the network alone, label and predict, and the merge's
  seconds, for one network size and batch size."""
  predictor = predictor_lib.Predictor(checkpoint, image_size=size,
                                      batch_size=batch)
  classes = {'object': ([image_io.read_image(support)],
                        [image_io.read_mask(mask)])}
  protos = predictor.class_prototypes(classes, size)
  inputs = [predictor.network_input(image_io.read_image(p), size)
            for p in paths]
  on_device = [(group, predictor.device_batch(group))
               for group in batching.batches(inputs, batch)]

  def network():
    for _ in predictor.stream_logits(protos, on_device, size, 'fused'):
      pass

  def label(name):
    out = os.path.join(tmp, f'label_{size}_{batch}_{name}')
    request = _request(paths, support, mask, checkpoint, size)
    labelling.claim(out, request)
    labelling.label_shards(predictor, request, out, progress=False)
    return out, request

  def predict():
    predictor.predict(*classes['object'],
                      [image_io.read_image(p) for p in paths])

  network(), label('warm'), predict()  # compiles, warms the file cache
  timed, outputs = {}, {}
  for name, run in (('network', network), ('label', lambda: label('timed')),
                    ('predict', predict)):
    start = time.perf_counter()
    outputs[name] = run()
    timed[name] = len(paths) / (time.perf_counter() - start)
  start = time.perf_counter()
  labelling.merge(*outputs['label'], review=24)
  merge_s = time.perf_counter() - start
  return {**{f'{k}_images_per_s': round(v, 2) for k, v in timed.items()},
          'label_vs_network': round(timed['label'] / timed['network'], 3),
          'label_vs_predict': round(timed['label'] / timed['predict'], 3),
          'merge_s': round(merge_s, 2)}


def _rss_mib(pid: int) -> float:
  """The process's resident memory now (Linux), MiB; 0 once it is exiting
  (its status then has no VmRSS line)."""
  with open(f'/proc/{pid}/status') as f:
    kib = next((int(line.split()[1]) for line in f
                if line.startswith('VmRSS')), 0)
  return kib / 1024


def peak_rss(checkpoint: str, paths, support, mask, count: int,
             tmp: str) -> dict:
  """Peak RSS (MiB) and wall time of `python -m smcp_jax.label` on `count`
  images (copies of `paths` under distinct names), as a fresh process:
  the whole run's (the compiler's peak included), and the largest resident
  size sampled while it streams (after its first shard is committed)."""
  folder = os.path.join(tmp, f'collection_{count}')
  for n in range(count):
    source = paths[n % len(paths)]
    target = os.path.join(folder, f'copy{n // len(paths):03d}',
                          os.path.basename(source))
    os.makedirs(os.path.dirname(target), exist_ok=True)
    os.link(source, target)
  out = os.path.join(tmp, f'rss_{count}')
  shards = os.path.join(out, labelling.SHARDS)
  start = time.perf_counter()
  process = subprocess.Popen(
      [sys.executable, '-m', 'smcp_jax.label', '--checkpoint', checkpoint,
       '--support', support, '--support_mask', mask, '--images', folder,
       '--out', out, '--batch_size', '8'], cwd=ROOT,
      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
  streaming = 0.0
  while True:
    pid, status, usage = os.wait4(process.pid, os.WNOHANG)
    if pid:
      break
    if os.path.isdir(shards) and os.listdir(shards):
      streaming = max(streaming, _rss_mib(process.pid))
    time.sleep(0.1)
  seconds = time.perf_counter() - start
  if status:
    raise RuntimeError(f'label on {count} images failed: {status}')
  shutil.rmtree(out)
  return {'peak_rss_mib': round(usage.ru_maxrss / 1024, 1),
          'streaming_peak_rss_mib': round(streaming, 1),
          'wall_s': round(seconds, 1)}


def main(argv=None):
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--width', type=float, default=0.25)
  parser.add_argument('--sizes', type=int, nargs='+', default=[129, 417])
  parser.add_argument('--batches', type=int, nargs='+', default=[1, 4, 8])
  parser.add_argument('--images', type=int, default=256)
  parser.add_argument('--rss', type=int, nargs='*', default=[1000, 10000])
  parser.add_argument('--out', default='benchmarks/labelling.json')
  args = parser.parse_args(argv)
  result = {'machine': f'{platform.machine()}, {os.cpu_count()} cores',
            'date': time.strftime('%Y-%m-%d'), 'width': args.width,
            'throughput': {}, 'memory': {}}
  with tempfile.TemporaryDirectory() as tmp:
    paths, support, mask = toy_collection(tmp, args.images + 1)
    for size in args.sizes:
      checkpoint = export_network(os.path.join(tmp, f'net{size}'),
                                  args.width, size)
      count = args.images if size <= 129 else args.images // 4
      for batch in args.batches:
        row = rates(checkpoint, paths[:count], support, mask, size, batch,
                    tmp)
        result['throughput'][f'{size}px batch {batch}'] = {
            'images': count, **row}
        print(f'{size} px, batch {batch}: {row}', flush=True)
    checkpoint = os.path.join(tmp, f'net{args.sizes[0]}')
    for count in args.rss:
      result['memory'][str(count)] = peak_rss(checkpoint, paths, support,
                                              mask, count, tmp)
      print(f'{count} images: {result["memory"][str(count)]}', flush=True)
  print(json.dumps(result, indent=2))
  with open(args.out, 'w') as f:
    json.dump(result, f, indent=2)


if __name__ == '__main__':
  main()
