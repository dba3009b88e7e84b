# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Data: the toy set, readers, episodes, the tf.data pipeline, weak labels."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
from PIL import Image
import pytest
import tensorflow as tf

from configs import toy as toy_config
from smcp_jax import config_lib
from smcp_jax.data import builder
from smcp_jax.data import coco
from smcp_jax.data import episodes
from smcp_jax.data import folds
from smcp_jax.data import pascal
from smcp_jax.data import tf_ops
from smcp_jax.data import toy
from smcp_jax.data import toy_classes
from smcp_jax.data import transforms
from smcp_jax.data import voc_format
from smcp_jax.data import weak
from smcp_jax.data.errors import DataError


def _config(root, tmp_path, **data):
  config = toy_config.get_config()
  config.data.root = root
  config.data.image_size = 65
  config.data.class_index_cache = str(tmp_path / 'cache')
  config.test.episodes = 40
  for key, value in data.items():
    setattr(config.data, key, value)
  return config


def _batches(config, global_batch, **kwargs):
  config.train.global_batch = global_batch
  return builder.train_dataset(config_lib.resolve(config), **kwargs)


def _test_episodes(config, run):
  """(episodes, loader) of test run `run`."""
  config = config_lib.resolve(config)
  return builder.test_episodes(config, run=run), builder.test_loader(config)


# --- the toy set --------------------------------------------------------------


def test_toy_classes_are_distinct_and_share_parts_across_folds():
  designs = {c: toy_classes.class_design(c) for c in range(1, 21)}
  assert len(set(designs.values())) == 20
  for fold in range(4):
    train = [designs[c] for c in folds.train_classes('toy', fold)]
    for c in folds.novel_classes('toy', fold):
      shape, appearance = designs[c]
      assert any(s == shape for s, _ in train)
      assert any(a == appearance for _, a in train)


def test_toy_images_are_deterministic_and_labelled(toy_root):
  a, b = toy.make_image(7, seed=0, size=64), toy.make_image(7, seed=0, size=64)
  for x, y in zip(a, b):
    np.testing.assert_array_equal(x, y)
  assert not np.array_equal(a[0], toy.make_image(7, seed=1, size=64)[0])
  image, semantic, instances = a
  assert image.shape == (64, 64, 3) and image.dtype == np.uint8
  assert 7 % 20 + 1 in semantic  # the first object's class cycles
  assert 255 in semantic and set(np.unique(semantic)) <= set(range(21)) | {255}
  source = pascal.PascalVOC(toy_root)
  ids = source.image_ids('trainaug')
  assert len(ids) == 160 and len(source.image_ids('val')) == 60
  np.testing.assert_array_equal(
      source.load_label('toy_000007', 'trainaug'),
      toy.make_image(7, seed=0, size=64)[1])


def test_tf_label_decoding_matches_pil(toy_root, tmp_path):
  source = pascal.PascalVOC(toy_root)
  path = source.label_path('toy_000003', 'trainaug')
  pil = source.load_label('toy_000003', 'trainaug')
  np.testing.assert_array_equal(tf_ops.decode_label(tf.io.read_file(path)), pil)
  grey = str(tmp_path / 'grey.png')
  Image.fromarray(pil, 'L').save(grey)  # SBD-style grey labels
  np.testing.assert_array_equal(tf_ops.decode_label(tf.io.read_file(grey)), pil)


@pytest.mark.parametrize('height,width,quality', [
    (17, 24, 50), (64, 64, 75), (123, 130, 92), (300, 211, 95)])
def test_tf_jpeg_decoding_equals_pil_bit_for_bit(tmp_path, height, width,
                                                 quality):
  rng = np.random.default_rng(height)
  noise = (rng.random((height // 4 + 1, width // 4 + 1, 3)) * 255)
  image = Image.fromarray(noise.astype(np.uint8)).resize((width, height))
  path = str(tmp_path / 'image.jpg')
  image.save(path, quality=quality)
  ours = tf_ops.decode_image(tf.io.read_file(path)).numpy()
  np.testing.assert_array_equal(ours, np.asarray(Image.open(path)))
  png = str(tmp_path / 'image.png')  # other formats still decode
  image.save(png)
  np.testing.assert_array_equal(tf_ops.decode_image(tf.io.read_file(png)),
                                np.asarray(image))


def test_tf_resize_close_to_pil(toy_root):
  source = pascal.PascalVOC(toy_root)
  image, label = source.load_pair('toy_000011', 'trainaug')
  for size in (33, 129):
    ours = tf_ops.resize_image(tf.constant(image), size).numpy()
    pil = transforms.resize_image(image, size)
    assert np.mean(np.abs(ours.astype(int) - pil)) < 1.0
    assert np.max(np.abs(ours.astype(int) - pil)) <= 6
    np.testing.assert_array_equal(
        tf_ops.resize_label(tf.constant(label), size),
        transforms.resize_label(label, size))


# --- labels and episodes ----------------------------------------------------


def test_mcl_lookup_hand_checked():
  train = folds.train_classes('pascal', 0)  # 6..20
  remap = transforms.mcl_lookup(train, remap=True)
  assert remap[0] == 0 and remap[255] == 255
  assert list(remap[6:21]) == list(range(1, 16))
  assert set(remap[1:6]) == {255}
  original = transforms.mcl_lookup(train, remap=False)
  assert list(original[6:21]) == list(range(6, 21))
  assert set(original[1:6]) == {255}


def test_binary_label_boundary_flag():
  label = np.array([[0, 3, 255, 5]], np.uint8)
  np.testing.assert_array_equal(transforms.binary_label(label, 3),
                                [[0, 1, 255, 0]])
  np.testing.assert_array_equal(transforms.binary_label(label, 3, False),
                                [[0, 1, 0, 0]])


@pytest.mark.parametrize('fold', range(4))
def test_training_batches_never_leak_novel_classes(toy_root, tmp_path, fold):
  config = _config(toy_root, tmp_path, fold=fold, mcl_remap=False)
  novel = set(folds.novel_classes('toy', fold))
  batches = _batches(config, 8).take(3)
  for batch in batches.as_numpy_iterator():
    assert not novel & set(batch['class_id'].tolist())
    for key in ('support_mcl_label', 'query_mcl_label'):
      assert not novel & set(np.unique(batch[key]).tolist())
    for key in ('support_label', 'query_label'):
      assert set(np.unique(batch[key]).tolist()) <= {0, 1, 255}
    # The binary and multi-class labels agree on where the class is.
    for b, c in enumerate(batch['class_id']):
      fg = batch['query_label'][b] == 1
      assert fg.any()  # the query holds the class (64 -> 65 keeps it)
      assert np.all(batch['query_mcl_label'][b][fg] == c)
    np.testing.assert_array_equal(batch['support_masks'],
                                  batch['support_label'] == 1)
    assert batch['support_images'].shape == (8, 1, 65, 65, 3)
    assert abs(float(batch['query_image'].mean())) < 2.0  # normalised


def test_training_order_is_deterministic_resumable_and_sharded(toy_root,
                                                                tmp_path):
  config = _config(toy_root, tmp_path)
  take = lambda ds, n: list(ds.take(n).as_numpy_iterator())
  full = take(_batches(config, 4), 4)
  again = take(_batches(config, 4), 4)
  resumed = take(_batches(config, 4, start_step=2), 2)
  hosts = [take(_batches(config, 4, process_index=p, process_count=2), 4)
           for p in range(2)]
  for step in range(4):
    for key in full[step]:
      np.testing.assert_array_equal(full[step][key], again[step][key])
      merged = np.concatenate([hosts[0][step][key], hosts[1][step][key]])
      np.testing.assert_array_equal(full[step][key], merged)
      if step >= 2:
        np.testing.assert_array_equal(full[step][key],
                                      resumed[step - 2][key])
  assert [int(e) for e in full[1]['episode']] == [4, 5, 6, 7]
  other = _config(toy_root, tmp_path)
  other.seed += 1
  changed = take(_batches(other, 4), 1)[0]
  assert not np.array_equal(changed['class_id'], full[0]['class_id']) or \
      not np.array_equal(changed['query_image'], full[0]['query_image'])


def test_test_episodes_fixed_by_seed(toy_root, tmp_path):
  config = _config(toy_root, tmp_path, shots=2)
  first, loader = _test_episodes(config, run=0)
  second, _ = _test_episodes(config, run=0)
  other, _ = _test_episodes(config, run=1)
  assert first == second and first != other and len(first) == 40
  novel = set(folds.novel_classes('toy', 0))
  source = pascal.PascalVOC(toy_root)
  for episode in first[:10]:
    assert episode.class_id in novel
    ids = episode.support_ids + (episode.query_id,)
    assert len(set(ids)) == 3  # distinct images
    for image_id in ids:
      assert episode.class_id in source.load_label(image_id, 'trainaug')
  arrays = loader(first[0])
  assert arrays['support_images'].shape == (2, 65, 65, 3)
  assert set(np.unique(arrays['query_label'])) <= {0, 1, 255}
  assert {e.seed for e in first} == {config.seed} and {
      e.seed for e in other} == {config.seed + 1}


def test_val_protocol_returns_original_resolution(toy_root, tmp_path):
  """'val', PFENet's protocol: the input at 473 / 417 of the training size
  (65 -> 74), padded, and the original label (64 x 64, square already)."""
  config = _config(toy_root, tmp_path)
  config.test.protocol = 'val'
  eps, loader = _test_episodes(config, run=0)
  arrays = loader(eps[0])
  assert arrays['query_label_original'].shape == (64, 64)
  assert arrays['query_label'].shape == (74, 74)
  assert all(e.query_id >= 'toy_000160' for e in eps)  # val images only


# --- weak annotations -------------------------------------------------------


@pytest.mark.parametrize('annotation', ['scribble', 'bbox'])
def test_weak_annotations_lie_inside(toy_root, tmp_path, annotation):
  config = _config(toy_root, tmp_path)
  config.test.annotation = annotation
  eps, loader = _test_episodes(config, run=0)
  for episode in eps[:15]:
    arrays = loader(episode)
    weak_mask = arrays['support_masks'][0] > 0
    dense = arrays['support_label'][0] == 1
    assert weak_mask.any()
    rows, cols = np.flatnonzero(dense.any(1)), np.flatnonzero(dense.any(0))
    box = np.zeros_like(dense)
    box[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1] = True
    if annotation == 'scribble':
      assert np.all(dense[weak_mask])
      assert weak_mask.sum() < dense.sum()
    else:
      assert np.all(box[weak_mask])


def test_bbox_random_vs_largest_instance():
  mask = np.zeros((20, 20), bool)
  mask[1:4, 1:4] = True  # small instance 1
  mask[8:18, 8:18] = True  # large instance 2
  instances = np.where(mask, 1, 0).astype(np.uint8)
  instances[8:18, 8:18] = 2
  largest = weak.bbox(mask, instances, np.random.default_rng(0), 'largest')
  assert largest.sum() == 100 and largest[8, 8]
  boxes = {weak.bbox(mask, instances, np.random.default_rng(s)).sum()
           for s in range(20)}
  assert boxes == {9, 100}


# --- COCO ---------------------------------------------------------------------


def test_coco_split_conventions():
  assert folds.novel_classes('coco', 0) == tuple(range(1, 21))
  assert folds.novel_classes('coco', 3, 'contiguous') == tuple(range(61, 81))
  assert folds.novel_classes('coco', 0, 'interleaved') == tuple(
      range(1, 81, 4))
  assert folds.novel_classes('coco', 2, 'interleaved')[:3] == (3, 7, 11)
  for split in folds.COCO_SPLITS:
    covered = sorted(c for f in range(4)
                     for c in folds.novel_classes('coco', f, split))
    assert covered == list(range(1, 81))
  with pytest.raises(DataError, match='coco_split must be one of'):
    folds.novel_classes('coco', 0, 'random')


@pytest.fixture()
def coco_root(tmp_path):
  return write_coco(tmp_path / 'coco')


def write_coco(root, split: str = 'train2014') -> str:
  """A hand-made COCO split in `root`: three images, five boxes (a crowd
  among them), category ids 1, 2, 3, 90."""
  (root / 'annotations').mkdir(parents=True, exist_ok=True)
  (root / split).mkdir()
  images, anns = [], []
  categories = [{'id': i, 'name': f'c{i}'} for i in (1, 2, 3, 90)]
  for image_id in (1, 2, 3):
    name = f'COCO_{split}_{image_id:012d}.jpg'
    Image.fromarray(np.full((40, 50, 3), 100, np.uint8)).save(
        root / split / name)
    images.append({'id': image_id, 'file_name': name, 'height': 40,
                   'width': 50})
  def box(ann_id, image_id, cat, x0, y0, x1, y1, crowd=0):
    anns.append({'id': ann_id, 'image_id': image_id, 'category_id': cat,
                 'iscrowd': crowd, 'area': float((x1 - x0) * (y1 - y0)),
                 'bbox': [x0, y0, x1 - x0, y1 - y0],
                 'segmentation': [[x0, y0, x1, y0, x1, y1, x0, y1]]})
  box(1, 1, 1, 0, 0, 20, 20)
  box(2, 1, 90, 30, 10, 40, 30)
  box(3, 2, 1, 5, 5, 15, 15)
  box(4, 2, 2, 20, 20, 45, 35, crowd=1)
  box(5, 3, 3, 2, 2, 48, 38)
  (root / 'annotations' / f'instances_{split}.json').write_text(json.dumps(
      {'images': images, 'annotations': anns, 'categories': categories}))
  return str(root)


def test_coco_labels_and_class_index(coco_root):
  source = coco.COCO20i(coco_root)
  assert source.class_of_category('train2014') == {1: 1, 2: 2, 3: 3, 90: 4}
  label = source.load_label('1', 'train2014')
  assert label.shape == (40, 50)
  assert label[5, 5] == 1 and label[20, 35] == 4 and label[35, 5] == 0
  label2 = source.load_label('2', 'train2014')
  assert label2[25, 30] == 255  # crowd is ignored
  index = source.class_index('train2014')
  assert index == {1: ['1', '2'], 3: ['3'], 4: ['1']}  # crowd not listed
  assert source.prepare_labels('train2014') == 3
  np.testing.assert_array_equal(
      tf_ops.decode_label(
          tf.io.read_file(source.label_path('1', 'train2014'))), label)
  instances = source.load_instances('1', 'train2014')
  assert set(np.unique(instances)) == {0, 1, 2}


# --- bad input --------------------------------------------------------------


@pytest.fixture()
def broken_root(toy_root, tmp_path):
  root = str(tmp_path / 'VOC2012')
  shutil.copytree(toy_root, root)
  return root


def test_missing_root_and_list(tmp_path, broken_root):
  with pytest.raises(DataError, match='does not exist.*smcp_jax.data.toy'):
    pascal.PascalVOC(str(tmp_path / 'nope'))
  os.remove(os.path.join(broken_root, voc_format.LIST_DIR, 'val.txt'))
  with pytest.raises(DataError, match='missing list file .*val.txt'):
    pascal.PascalVOC(broken_root).image_ids('val')


def test_bad_files_are_named(broken_root):
  source = pascal.PascalVOC(broken_root)
  os.remove(source.label_path('toy_000001', 'trainaug'))
  with pytest.raises(DataError, match="'toy_000001' has no label"):
    source.load_pair('toy_000001', 'trainaug')
  voc_format.write_label_png(source.label_path('toy_000002', 'trainaug'),
                             np.zeros((10, 12), np.uint8))
  with pytest.raises(DataError, match=r'toy_000002.png is \(12, 10\).*must '
                     'match'):
    source.load_pair('toy_000002', 'trainaug')
  with open(source.image_path('toy_000003'), 'wb') as f:
    f.write(b'garbage')
  with pytest.raises(DataError, match='unreadable image .*toy_000003.jpg'):
    source.load_pair('toy_000003', 'trainaug')


def test_bad_values(toy_root, tmp_path):
  with pytest.raises(DataError, match='fold must be 0..3, got 4'):
    folds.novel_classes('pascal', 4)
  index = {1: ['a', 'b'], 2: ['c']}
  with pytest.raises(DataError, match=r'classes \[2\] have fewer than 2'):
    episodes.usable_classes(index, [1, 2], shots=1)
  config = _config(toy_root, tmp_path)
  with pytest.raises(DataError, match='not divisible by the 3 processes'):
    _batches(config, 4, process_count=3)


def test_check_cli_reports_problems(broken_root, tmp_path):
  source = pascal.PascalVOC(broken_root)
  os.remove(source.label_path('toy_000004', 'trainaug'))
  with open(source.image_path('toy_000005'), 'wb') as f:
    f.write(b'garbage')
  result = subprocess.run(
      [sys.executable, '-m', 'smcp_jax.data.check', '--config',
       'configs/toy.py', f'--config.data.root={broken_root}',
       f'--config.data.class_index_cache={tmp_path}/cache'],
      capture_output=True, text=True, timeout=300,
      cwd=os.path.dirname(os.path.dirname(__file__)))
  assert result.returncode == 1, result.stderr[-2000:]
  assert 'missing label: 1' in result.stdout
  assert 'unreadable file: 1' in result.stdout
  assert '2 problem(s) found.' in result.stdout


def test_coco_training_needs_prepared_labels(coco_root, tmp_path):
  config = _config(coco_root, tmp_path, dataset='coco',
                   train_split='train2014')
  with pytest.raises(DataError, match='python -m smcp_jax.data.coco --root'):
    _batches(config, 1)
  resolved = config_lib.resolve(config)
  assert (resolved.test.split, resolved.test.label_resolution) == (
      'val2014', 'resized')


def test_coco_cli_errors_are_one_line(coco_root, tmp_path):
  with pytest.raises(SystemExit, match="error: data root '.*nope' does not "
                     'exist'):
    coco.main(['--root', str(tmp_path / 'nope')])
  (tmp_path / 'empty').mkdir()
  with pytest.raises(SystemExit, match='error: missing annotation file'):
    coco.main(['--root', str(tmp_path / 'empty')])


def test_class_names():
  assert folds.class_name('pascal', 15) == 'person'
  assert folds.class_name('toy', 1) == 'red solid ellipse'
  assert folds.class_name('coco', 3) == 'class 3'
