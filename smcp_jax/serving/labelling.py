# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Labelling a whole collection from a few examples (`python -m
smcp_jax.label`): streamed, resumable, shared between processes, written
in the formats annotation tools import.

The images are listed once (sorted), and process p of P takes images
p, p + P, p + 2P, ... in shards of SHARD images. Each shard is decoded in a
background thread while the one before it runs through the network, and
is committed as one JSON file (its images' RLE masks and confidences)
written under a temporary name and renamed, so a run killed at any point
and started again redoes at most the shard in flight; a shard's content
depends only on its images and the request, so the outputs are the same
bytes as an uninterrupted run's. OUT/request.json records what was asked
(checkpoint, supports, settings, as digests); another request on the same
OUT is refused with what differs. The merge (automatic when one process
did everything, else `--merge`) writes the format's files from the shards.
"""

import concurrent.futures
import dataclasses
import hashlib
import heapq
import html
import json
import os

import numpy as np
from PIL import Image
from pycocotools import mask as mask_utils
import tqdm

from smcp_jax.errors import DataError
from smcp_jax.evaluation import batching
from smcp_jax.evaluation import visualize
from smcp_jax.serving import image_io

FORMATS = ('coco', 'voc', 'masks')
IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif', '.tiff')
SHARD = 32  # images per committed shard
UNCERTAIN = (0.3, 0.7)  # a pixel's probability between these is uncertain
REQUEST = 'request.json'
SHARDS = 'shards'


@dataclasses.dataclass(frozen=True)
class Request:
  """What a labelling run is asked: the classes' supports (name -> (image
  paths, mask paths)), the images to label, and the settings."""
  checkpoint: str
  classes: dict[str, tuple[list[str], list[str]]]
  images: list[str]  # the listing, sorted, as given
  root: str  # the folder the images are listed from ('' for a list file)
  image_format: str
  prototype: str
  image_size: int
  compute_dtype: str = 'float32'


def list_images(source: str) -> tuple[list[str], str]:
  """(the images of a folder, recursively, or of a text file of paths,
  sorted; the folder, or '' for a list file)."""
  if os.path.isdir(source):
    found = sorted(
        os.path.join(folder, name)
        for folder, _, names in os.walk(source) for name in names
        if name.lower().endswith(IMAGE_SUFFIXES))
    if not found:
      raise DataError(f'no image ({", ".join(IMAGE_SUFFIXES)}) in {source} '
                      'or its subfolders')
    return found, source
  if not os.path.isfile(source):
    raise DataError(f'--images {source} is neither a folder nor a list file')
  with open(source, encoding='utf-8') as f:
    found = sorted({line.strip() for line in f if line.strip()})
  if not found:
    raise DataError(f'the list file {source} names no image')
  return found, ''


def _file_digest(path: str) -> str:
  digest = hashlib.sha256()
  with open(path, 'rb') as f:
    for block in iter(lambda: f.read(1 << 20), b''):
      digest.update(block)
  return digest.hexdigest()


def _checkpoint_digest(checkpoint: str) -> str:
  """A digest of the checkpoint's parameters file(s)."""
  files = sorted(
      os.path.join(folder, name) for folder, _, names in os.walk(checkpoint)
      for name in names if name.endswith(('.npz', '.json', '.safetensors'))
  ) if os.path.isdir(checkpoint) else [checkpoint]
  return hashlib.sha256(''.join(
      f'{os.path.relpath(f, checkpoint)}:{_file_digest(f)};'
      for f in files).encode()).hexdigest()


def describe(request: Request) -> dict:
  """What request.json records: every input that changes the shards, as
  digests, and the settings. The output format is not one: the same
  shards merge to any format."""
  return {
      'checkpoint': _checkpoint_digest(request.checkpoint),
      'classes': {name: [[_file_digest(p) for p in images],
                         [_file_digest(p) for p in masks]]
                  for name, (images, masks) in request.classes.items()},
      'images': hashlib.sha256('\n'.join(request.images).encode()
                               ).hexdigest(),
      'prototype': request.prototype, 'image_size': request.image_size,
      'compute_dtype': request.compute_dtype, 'shard': SHARD,
  }


def claim(out: str, request: Request) -> None:
  """Records the request in OUT, or checks it is the one recorded there."""
  os.makedirs(os.path.join(out, SHARDS), exist_ok=True)
  path = os.path.join(out, REQUEST)
  if os.path.exists(path):
    check_recorded(out, request)
    return
  tmp = path + '.tmp'
  with open(tmp, 'w') as f:
    json.dump(describe(request), f, indent=2, sort_keys=True)
  os.replace(tmp, path)


def check_recorded(out: str, request: Request) -> None:
  """Raises unless OUT records this request. An `image_size` of 0 (a merge
  not told the size) takes the recorded one."""
  path = os.path.join(out, REQUEST)
  if not os.path.exists(path):
    raise DataError(f'{out} holds no labelling run ({REQUEST} missing): '
                    'label the images into it first')
  with open(path) as f:
    recorded = json.load(f)
  wanted = describe(request)
  if not request.image_size:
    wanted['image_size'] = recorded.get('image_size')
  differ = [key for key in wanted if recorded.get(key) != wanted[key]]
  if differ:
    raise DataError(
        f'{out} holds the labels of another request (it differs in: '
        f'{", ".join(differ)}); give another --out, or remove it to start '
        'over')


def shard_path(out: str, number: int) -> str:
  return os.path.join(out, SHARDS, f'shard_{number:06d}.json')


def shards_of(num_images: int, process_index: int, process_count: int):
  """This process's shards: (shard number, image indices), image i in
  shard i // SHARD, shard n done by process n % process_count."""
  for number in range(process_index, -(-num_images // SHARD), process_count):
    yield number, range(number * SHARD, min((number + 1) * SHARD,
                                            num_images))


def _read(path: str, predictor, size: int):
  """(the image's (height, width), its network input) or (None, the
  reason it cannot be read). Only the input is kept: memory holds a
  shard's network inputs, whatever the photos' sizes."""
  try:
    image = image_io.read_image(path)
  except (DataError, OSError) as e:
    return None, str(e)
  return image.shape[:2], predictor.network_input(image, size)


def _record(index: int, path: str, root: str, result, names) -> dict:
  """One image's entry in a shard: its masks as RLE, with scores."""
  labels, probabilities = result.labels, result.probabilities
  height, width = labels.shape
  uncertain = ((probabilities.max(0) > UNCERTAIN[0])
               & (probabilities.max(0) < UNCERTAIN[1]))
  classes = []
  for j, name in enumerate(names):
    mask = labels == j + 1
    if not mask.any():
      continue
    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    classes.append({
        'class': name, 'counts': rle['counts'].decode(),
        'area': int(mask.sum()),
        'bbox': [float(v) for v in mask_utils.toBbox(rle)],
        'score': round(float(probabilities[j][mask].mean()), 6)})
  foreground = labels > 0
  return {
      'index': index, 'file': os.path.relpath(path, root) if root else path,
      'height': height, 'width': width, 'classes': classes,
      'confidence': round(float(
          probabilities.max(0)[foreground].mean()) if foreground.any()
                          else float(1 - probabilities.max(0).mean()), 6),
      'uncertain': round(float(uncertain.mean()), 6)}


def label_shards(predictor, request: Request, out: str, *,
                 process_index: int = 0, process_count: int = 1,
                 progress: bool = True) -> dict:
  """Labels this process's shards not yet committed in OUT; returns counts
  (images, unreadable, shards done now).

  Three stages overlap: a thread pool reads and resizes the next shard's
  images, the devices run one batch, and this thread turns the batch
  before into RLE masks and commits finished shards."""
  names = tuple(request.classes)
  size = request.image_size
  protos = predictor.class_prototypes(
      {name: ([image_io.read_image(p) for p in images],
              [image_io.read_mask(p) for p in masks])
       for name, (images, masks) in request.classes.items()}, size)
  todo = [(n, indices) for n, indices in shards_of(
      len(request.images), process_index, process_count)
          if not os.path.exists(shard_path(out, n))]
  counts = {'images': 0, 'unreadable': 0, 'shards': 0}
  bar = tqdm.tqdm(total=sum(len(indices) for _, indices in todo),
                  desc='label', unit='img', disable=not progress)
  with concurrent.futures.ThreadPoolExecutor(4) as pool:
    batches = _shard_batches(pool, request, todo, predictor)
    shard = {'images': [], 'unreadable': []}
    for (number, items, unreadable, last), logits in predictor.stream_logits(
        protos, batches, size, request.prototype):
      shard['unreadable'] += unreadable
      shard['images'] += [
          _record(i, request.images[i], request.root,
                  predictor.classes_at(image_logits, shape, names), names)
          for (i, shape), image_logits in zip(
              items, logits if logits is not None else [])]
      bar.update(len(items) + len(unreadable))  # per batch: a steady rate
      if last:
        _commit(shard_path(out, number), shard)
        counts['images'] += len(shard['images']) + len(shard['unreadable'])
        counts['unreadable'] += len(shard['unreadable'])
        counts['shards'] += 1
        shard = {'images': [], 'unreadable': []}
  bar.close()
  return counts


def _shard_batches(pool, request: Request, todo, predictor):
  """For `stream_logits`: ((shard number, [(index, shape)], the shard's
  unreadable images, whether the shard ends here), device batch or None)
  per batch of each shard, the next shard read while this one runs."""
  load = lambda indices: list(pool.map(
      lambda i: _read(request.images[i], predictor, request.image_size),
      indices))
  pending = pool.submit(load, todo[0][1]) if todo else None
  for position, (number, indices) in enumerate(todo):
    loaded = pending.result()
    if position + 1 < len(todo):
      pending = pool.submit(load, todo[position + 1][1])
    unreadable = [{'index': i, 'file': request.images[i], 'reason': reason}
                  for i, (shape, reason) in zip(indices, loaded)
                  if shape is None]
    readable = [(i, shape, inputs) for i, (shape, inputs)
                in zip(indices, loaded) if shape is not None]
    groups = batching.batches(readable, predictor.batch_size) or [[]]
    for n, group in enumerate(groups):
      yield ((number, [(i, shape) for i, shape, _ in group],
              unreadable if n == 0 else [], n == len(groups) - 1),
             predictor.device_batch([inputs for _, _, inputs in group])
             if group else None)


def _commit(path: str, content: dict) -> None:
  tmp = path + '.tmp'
  with open(tmp, 'w') as f:
    json.dump(content, f, sort_keys=True, separators=(',', ':'))
  os.replace(tmp, path)


def missing_shards(out: str, num_images: int) -> list[int]:
  return [n for n, _ in shards_of(num_images, 0, 1)
          if not os.path.exists(shard_path(out, n))]


def _shards(out: str, num_images: int):
  for number, _ in shards_of(num_images, 0, 1):
    with open(shard_path(out, number)) as f:
      yield json.load(f)


def merge(out: str, request: Request, *, review: int = 24) -> dict:
  """Writes the format's files from every shard (all must be there, of
  this request); returns the summary (also OUT/summary.json)."""
  check_recorded(out, request)
  missing = missing_shards(out, len(request.images))
  if missing:
    raise DataError(f'{len(missing)} shard(s) of {out} are not labelled yet '
                    f'(first: {missing[0]}): run the labelling (every '
                    'process) before merging')
  names = tuple(request.classes)
  # Each pass reads the shards again: memory stays flat however many
  # images there are.
  records = lambda: (record for shard in _shards(out, len(request.images))
                     for record in shard['images'])
  if request.image_format == 'coco':
    labelled = _write_coco(out, names, records)
  else:
    labelled = _write_label_files(out, names, records(),
                                  request.image_format)
  unreadable = [entry for shard in _shards(out, len(request.images))
                for entry in shard['unreadable']]
  with open(os.path.join(out, 'unreadable.json'), 'w') as f:
    json.dump(unreadable, f, indent=2)
  _write_review(out, request, records(), names, review, labelled)
  summary = {'images': len(request.images), 'labelled': labelled,
             'unreadable': len(unreadable), 'classes': list(names),
             'format': request.image_format}
  with open(os.path.join(out, 'summary.json'), 'w') as f:
    json.dump(summary, f, indent=2)
  return summary


def _rle(record: dict, entry: dict) -> dict:
  return {'size': [record['height'], record['width']],
          'counts': entry['counts']}


def _write_coco(out: str, names, records) -> int:
  """OUT/annotations.json: COCO instances, one annotation per (image,
  class), RLE masks, `score`; images carry smcp_confidence and
  smcp_uncertain for review. Written as it goes, in two passes (the
  images, then their annotations) over `records()`; returns the number of
  images."""
  dump = lambda value: json.dumps(value, separators=(',', ':'))
  categories = [{'id': j + 1, 'name': name, 'supercategory': 'object'}
                for j, name in enumerate(names)]
  count = annotations = 0
  with open(os.path.join(out, 'annotations.json'), 'w') as f:
    f.write('{"info":' + dump({'description': 'labelled by smcp-jax'})
            + ',"images":[')
    for record in records():
      f.write((',' if count else '') + dump({
          'id': record['index'] + 1, 'file_name': record['file'],
          'height': record['height'], 'width': record['width'],
          'smcp_confidence': record['confidence'],
          'smcp_uncertain': record['uncertain']}))
      count += 1
    f.write('],"annotations":[')
    for record in records():
      for entry in record['classes']:
        annotations += 1
        f.write((',' if annotations > 1 else '') + dump({
            'id': annotations, 'image_id': record['index'] + 1,
            'category_id': names.index(entry['class']) + 1,
            'segmentation': _rle(record, entry), 'area': entry['area'],
            'bbox': entry['bbox'], 'iscrowd': 0, 'score': entry['score']}))
    f.write('],"categories":' + dump(categories) + '}')
  return count


def _label_map(record: dict, names) -> np.ndarray:
  labels = np.zeros((record['height'], record['width']), np.uint8)
  for entry in record['classes']:
    labels[mask_utils.decode(_rle(record, entry)).astype(bool)] = (
        names.index(entry['class']) + 1)
  return labels


def _stem(record: dict) -> str:
  return os.path.splitext(record['file'].lstrip('/'))[0]


def _write_label_files(out: str, names, records, image_format: str) -> int:
  """voc: palette PNGs in SegmentationClass/ and classes.txt; masks: one
  grey PNG per image and class (255 = the class). Returns the number of
  images."""
  # Imported here: it brings TensorFlow (for gs:// paths), which the
  # command's checks of its request should not wait for.
  from smcp_jax.data.readers import voc_format  # pylint: disable=g-import-not-at-top
  count = 0
  for count, record in enumerate(records, 1):
    labels = _label_map(record, names)
    if image_format == 'voc':
      path = os.path.join(out, voc_format.VAL_LABEL_DIR,
                          _stem(record) + '.png')
      os.makedirs(os.path.dirname(path), exist_ok=True)
      voc_format.write_label_png(path, labels)
      continue
    for j, name in enumerate(names):
      path = os.path.join(out, 'masks', f'{_stem(record)}_{name}.png')
      os.makedirs(os.path.dirname(path), exist_ok=True)
      Image.fromarray(((labels == j + 1) * 255).astype(np.uint8)).save(path)
  if image_format == 'voc':
    with open(os.path.join(out, 'classes.txt'), 'w') as f:
      f.write(''.join(f'{name}\n' for name in names))
  return count


def _write_review(out: str, request: Request, records, names, count: int,
                  labelled: int) -> None:
  """OUT/review.html: the `count` least confident of the `labelled`
  images' overlays, worst first, to check and correct those first."""
  worst = heapq.nsmallest(count, records,
                          key=lambda r: (r['confidence'], r['index']))
  folder = os.path.join(out, 'review')
  os.makedirs(folder, exist_ok=True)
  cells = []
  for record in worst:
    image = image_io.read_image(request.images[record['index']])
    overlay = visualize.label_overlay(image, _label_map(record, names))
    name = f'{record["index"]:06d}.jpg'
    Image.fromarray(overlay).save(os.path.join(folder, name), quality=90)
    cells.append(
        f'<figure><img src="review/{name}" loading="lazy"><figcaption>'
        f'{html.escape(record["file"])}<br>confidence '
        f'{record["confidence"]:.3f}, uncertain '
        f'{100 * record["uncertain"]:.1f}%</figcaption></figure>')
  legend = ', '.join(html.escape(n) for n in names)
  with open(os.path.join(out, 'review.html'), 'w') as f:
    f.write(
        '<!doctype html><meta charset="utf-8"><title>smcp-jax: review'
        '</title><style>body{font-family:sans-serif}figure{display:'
        'inline-block;margin:6px;width:260px;vertical-align:top}img{'
        'width:256px}figcaption{font-size:12px;overflow-wrap:anywhere}'
        '</style>'
        f'<h1>The {len(worst)} least confident of {labelled} labelled '
        f'images</h1><p>classes: {legend}</p>' + ''.join(cells))
