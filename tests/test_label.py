# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Labelling a collection (python -m smcp_jax.label): the COCO masks are
Predictor's pixel for pixel and score as predict's; a run killed in a
shard resumes to the same bytes; another request is refused; two
processes merge to one process's file; broken files are listed; the VOC
and mask outputs read back."""

import json
import os
import shutil
import socket
import subprocess
import sys

import numpy as np
from PIL import Image
from pycocotools import coco as coco_api
from pycocotools import mask as mask_utils
import pytest

from smcp_jax.evaluation import metrics
from smcp_jax.serving import image_io
from smcp_jax.serving import labelling
from smcp_jax.serving import predictor as predictor_lib
from tests.helpers import images as test_images

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLASS = 1  # the toy class the support shows


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
  return test_images.tiny_params(tmp_path_factory.mktemp('label') / 'params',
                                 33)


@pytest.fixture(scope='module')
def collection(toy_root, tmp_path_factory):
  """200 toy images in a folder tree, a support of class 1 and its mask,
  and the images' labels."""
  folder = tmp_path_factory.mktemp('photos')
  ids = sorted(f[:-4] for f in os.listdir(os.path.join(toy_root,
                                                       'JPEGImages')))
  label_of = lambda n, image_id: np.asarray(Image.open(os.path.join(
      toy_root, 'SegmentationClassAug' if n < 160 else 'SegmentationClass',
      image_id + '.png')))
  support_n = next(n for n in range(160, len(ids))
                   if (label_of(n, ids[n]) == CLASS).sum() > 100)
  support = os.path.join(toy_root, 'JPEGImages', ids[support_n] + '.jpg')
  mask = folder.parent / 'support_mask.png'
  Image.fromarray(((label_of(support_n, ids[support_n]) == CLASS) * 255
                   ).astype(np.uint8)).save(mask)
  labels = {}
  for n in [n for n in range(len(ids)) if n != support_n][:200]:
    sub = folder / f'part{n % 3}'
    sub.mkdir(exist_ok=True)
    shutil.copy(os.path.join(toy_root, 'JPEGImages', ids[n] + '.jpg'),
                sub / f'{ids[n]}.jpg')
    labels[str(sub / f'{ids[n]}.jpg')] = label_of(n, ids[n])
  return str(folder), support, str(mask), labels


def _label(checkpoint, collection, out, *extra, env=None, check=True):
  folder, support, mask, _ = collection
  done = subprocess.run(
      [sys.executable, '-m', 'tests.helpers.label_script', '--checkpoint',
       checkpoint, '--support', support, '--support_mask', mask,
       '--images', folder, '--out', str(out), '--batch_size', '4', *extra],
      cwd=ROOT, capture_output=True, text=True, timeout=600,
      env=dict(os.environ, **(env or {})), check=False)
  if check:
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
  return done


@pytest.fixture(scope='module')
def whole(checkpoint, collection, tmp_path_factory):
  """The collection labelled by one uninterrupted process."""
  out = tmp_path_factory.mktemp('whole') / 'out'
  _label(checkpoint, collection, out)
  return out


def _outputs(out) -> dict[str, bytes]:
  """Every file of OUT but the shards, by relative path."""
  found = {}
  for folder, _, names in os.walk(out):
    for name in names:
      path = os.path.join(folder, name)
      if os.sep + labelling.SHARDS + os.sep not in path + os.sep:
        with open(path, 'rb') as f:
          found[os.path.relpath(path, out)] = f.read()
  return found


def test_coco_masks_are_the_predictors_and_score_as_predict(
    checkpoint, collection, whole):
  folder, support, mask, labels = collection
  out = whole
  coco = coco_api.COCO(str(out / 'annotations.json'))
  assert [c['name'] for c in coco.loadCats(coco.getCatIds())] == ['object']
  assert len(coco.getImgIds()) == len(labels) == 200
  predictor = predictor_lib.Predictor(checkpoint, batch_size=4)
  paths = sorted(labels)
  expected = predictor.predict([image_io.read_image(support)],
                               [image_io.read_mask(mask)],
                               [image_io.read_image(p) for p in paths])
  meter_label, meter_predict = (metrics.RunMeter([CLASS]),
                                metrics.RunMeter([CLASS]))
  for info in coco.loadImgs(coco.getImgIds()):
    path = os.path.join(folder, info['file_name'])
    result = expected[paths.index(path)]
    got = np.zeros((info['height'], info['width']), bool)
    for ann in coco.loadAnns(coco.getAnnIds(imgIds=info['id'])):
      got |= coco.annToMask(ann).astype(bool)
      assert ann['score'] == pytest.approx(
          float(result.probability[result.mask].mean()), abs=1e-6)
    np.testing.assert_array_equal(got, result.mask, err_msg=path)
    truth = (labels[path] == CLASS).astype(np.uint8)
    truth[labels[path] == 255] = 255
    meter_label.add(CLASS, got.astype(np.uint8), truth)
    meter_predict.add(CLASS, result.mask.astype(np.uint8), truth)
  assert meter_label.result()['miou'] == meter_predict.result()['miou']
  review = (out / 'review.html').read_text()
  assert review.count('<img') == 24
  confidences = [float(part.split('<br>confidence ')[1].split(',')[0])
                 for part in review.split('<figcaption>')[1:]]
  assert confidences == sorted(confidences)  # the worst first


def test_a_killed_run_resumes_to_the_same_bytes(checkpoint, collection,
                                                whole, tmp_path):
  killed = tmp_path / 'killed'
  died = _label(checkpoint, collection, killed,
                env={'SMCP_TEST_KILL_AT_SHARD': '4'}, check=False)
  assert died.returncode == -9
  assert len(os.listdir(killed / labelling.SHARDS)) == 3 + 1  # + a torn tmp
  _label(checkpoint, collection, killed)
  assert _outputs(killed) == _outputs(whole)
  for number in range(7):
    assert (killed / labelling.SHARDS / f'shard_{number:06d}.json'
            ).read_bytes() == (whole / labelling.SHARDS /
                               f'shard_{number:06d}.json').read_bytes()
  # Another support on the same OUT: refused, with what differs.
  folder, support, mask, labels = collection
  other = str(tmp_path / 'other_mask.png')
  Image.fromarray(np.asarray(Image.open(mask))[::-1]).save(other)
  refused = _label(checkpoint, (folder, support, other, labels), killed,
                   check=False)
  assert refused.returncode == 1
  assert 'holds the labels of another request (it differs in: classes)' in (
      refused.stderr)


def _free_port() -> int:
  with socket.socket() as s:
    s.bind(('127.0.0.1', 0))
    return s.getsockname()[1]


def test_two_processes_merge_to_one_processs_file(checkpoint, collection,
                                                  whole, tmp_path):
  single, double = whole, tmp_path / 'double'
  folder, support, mask, _ = collection
  port = _free_port()
  procs = [subprocess.Popen(
      [sys.executable, '-m', 'smcp_jax.label', '--checkpoint', checkpoint,
       '--support', support, '--support_mask', mask, '--images', folder,
       '--out', str(double), '--batch_size', '4'], cwd=ROOT,
      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
      env=dict(os.environ, JAX_COORDINATOR_ADDRESS=f'127.0.0.1:{port}',
               JAX_NUM_PROCESSES='2', JAX_PROCESS_ID=str(i)))
           for i in range(2)]
  outs = [p.communicate(timeout=600)[0] for p in procs]
  for proc, out in zip(procs, outs):
    assert proc.returncode == 0, out[-3000:]
  assert 'process 0: 104 images' in outs[0]  # shards 0, 2, 4, 6
  assert 'process 1: 96 images' in outs[1]  # shards 1, 3, 5
  assert (double / 'annotations.json').read_bytes() == (
      single / 'annotations.json').read_bytes()
  # --merge checks the shards are this request's.
  other = str(tmp_path / 'other_mask.png')
  Image.fromarray(np.asarray(Image.open(mask))[:, ::-1]).save(other)
  refused = _label(checkpoint, (folder, support, other, None), double,
                   '--merge', check=False)
  assert refused.returncode == 1
  assert 'another request (it differs in: classes)' in refused.stderr


def test_local_devices_split_the_batch(checkpoint, collection, whole,
                                       tmp_path):
  """Two local devices (forced on the CPU) each take half of every batch:
  the same masks as one device."""
  folder, support, mask, _ = collection
  listed = tmp_path / 'first.txt'
  paths = labelling.list_images(folder)[0][:40]
  listed.write_text(''.join(f'{p}\n' for p in paths))
  out = tmp_path / 'two'
  done = _label(checkpoint, (str(listed), support, mask, None), out,
                '--batch_size', '8',  # 4 per device; 40 = 5 batches
                env={'XLA_FLAGS': '--xla_force_host_platform_device_count=2'})
  assert 'process 0: 40 images' in done.stdout
  assert '2 device(s)' in done.stdout
  one = coco_api.COCO(str(whole / 'annotations.json'))
  two = coco_api.COCO(str(out / 'annotations.json'))
  assert len(two.getImgIds()) == 40  # every image of every batch
  by_file = {i['file_name']: i['id'] for i in one.loadImgs(one.getImgIds())}
  for info in two.loadImgs(two.getImgIds()):
    expected = one.loadAnns(one.getAnnIds(
        imgIds=by_file[os.path.relpath(info['file_name'], folder)]))
    got = two.loadAnns(two.getAnnIds(imgIds=info['id']))
    assert len(got) == len(expected)
    for a, b in zip(got, expected):
      np.testing.assert_array_equal(two.annToMask(a), one.annToMask(b))
      assert a['score'] == pytest.approx(b['score'], abs=1e-5)


def test_broken_files_are_listed_and_the_run_completes(checkpoint, collection,
                                                       tmp_path):
  folder = tmp_path / 'mixed'
  shutil.copytree(collection[0], folder)
  good = sorted(os.listdir(folder / 'part0'))[0]
  data = (folder / 'part0' / good).read_bytes()
  (folder / 'corrupt.jpg').write_bytes(b'not an image at all')
  (folder / 'truncated.jpg').write_bytes(data[:len(data) // 3])
  Image.new('RGB', (1, 1), (200, 10, 10)).save(folder / 'tiny.png')
  Image.fromarray(np.arange(64 * 48, dtype=np.uint16).reshape(48, 64)
                  * 20).save(folder / 'deep.png')
  Image.new('RGBA', (40, 30), (10, 200, 10, 128)).save(folder / 'alpha.png')
  (folder / 'notes.txt').write_text('not listed: not an image name')
  (folder / 'fake.png').write_text('text with an image name')
  out = tmp_path / 'out'
  _label(checkpoint, (str(folder),) + collection[1:], out)
  unreadable = json.loads((out / 'unreadable.json').read_text())
  assert sorted(os.path.basename(u['file']) for u in unreadable) == [
      'corrupt.jpg', 'fake.png', 'truncated.jpg']
  assert all(u['reason'] for u in unreadable)
  summary = json.loads((out / 'summary.json').read_text())
  assert (summary['images'], summary['labelled'], summary['unreadable']) == (
      206, 203, 3)


@pytest.mark.parametrize('image_format', ['voc', 'masks'])
def test_voc_and_mask_outputs_read_back(checkpoint, collection, whole,
                                        tmp_path, image_format):
  """The same shards merged as VOC palette PNGs or per-class masks: each
  reads back as the COCO file's masks."""
  out = tmp_path / image_format
  shutil.copytree(whole / labelling.SHARDS, out / labelling.SHARDS)
  shutil.copy(whole / labelling.REQUEST, out / labelling.REQUEST)
  folder, support, mask, _ = collection
  images, root = labelling.list_images(folder)
  labelling.merge(str(out), labelling.Request(
      checkpoint=checkpoint, classes={'object': ([support], [mask])},
      images=images, root=root, image_format=image_format,
      prototype='fused', image_size=0), review=0)
  coco = coco_api.COCO(str(whole / 'annotations.json'))
  if image_format == 'voc':
    assert (out / 'classes.txt').read_text() == 'object\n'
  for info in coco.loadImgs(coco.getImgIds()):
    expected = np.zeros((info['height'], info['width']), np.uint8)
    for ann in coco.loadAnns(coco.getAnnIds(imgIds=info['id'])):
      expected[mask_utils.decode(ann['segmentation']) > 0] = 1
    stem = info['file_name'][:-4]
    if image_format == 'voc':
      voc = Image.open(out / 'SegmentationClass' / f'{stem}.png')
      assert voc.mode == 'P'
      np.testing.assert_array_equal(np.asarray(voc), expected)
    else:
      np.testing.assert_array_equal(np.asarray(Image.open(
          out / 'masks' / f'{stem}_object.png')), expected * 255)


@pytest.mark.parametrize('case, words', [
    ('missing support', '--support /nowhere/s.jpg does not exist'),
    ('missing images', '--images /nowhere is neither a folder'),
    ('two class names', '1 --support but 2 --support_class'),
])
def test_bad_requests_are_one_line(checkpoint, collection, tmp_path, case,
                                   words):
  folder, support, mask, _ = collection
  if case == 'missing support':
    support, mask = '/nowhere/s.jpg', '/nowhere/m.png'
  if case == 'missing images':
    folder = '/nowhere'
  extra = (['--support_class', 'a', '--support_class', 'b']
           if case == 'two class names' else [])
  done = subprocess.run(
      [sys.executable, '-m', 'smcp_jax.label', '--checkpoint', checkpoint,
       '--support', support, '--support_mask', mask, '--images', folder,
       '--out', str(tmp_path / 'out'), *extra], cwd=ROOT,
      capture_output=True, text=True, timeout=300, check=False)
  assert done.returncode == 1
  assert done.stderr.startswith('error: ') and words in done.stderr, (
      done.stderr)
  assert not (tmp_path / 'out').exists()
