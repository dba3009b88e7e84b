# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Your own data set (data.dataset = 'custom'): classes.txt, the user's
class split by names, ids or folds, the checks with their messages, the
multi-class head sized from the split and rebuilt when fine-tuning from a
model of another class count, and training and evaluation end to end."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
from PIL import Image
import pytest

from configs import custom as custom_config
from smcp_jax.checkpoints import model_io
from smcp_jax.checkpoints import params_io
from smcp_jax.config_lib import resolution
from smcp_jax.data import builder
from smcp_jax.data import folds
from smcp_jax.data import integrity
from smcp_jax.data.readers import custom
from smcp_jax.data.readers import custom_coco
from smcp_jax.data.readers import custom_folders
from smcp_jax.data.tfds import build
from smcp_jax.errors import DataError
from smcp_jax.toy import custom_set
from tests.helpers import runs
from tests.helpers import training_data

NAMES = custom_set.CLASS_NAMES  # 12: 4 shapes x 3 colours


@pytest.fixture(scope='module')
def shapes_root(tmp_path_factory):
  return custom_set.generate(str(tmp_path_factory.mktemp('shapes')),
                             num_train=90, num_val=40, size=64)


def _config(root, tmp_path, **data):
  config = custom_config.get_config()
  config.data.root = root
  config.data.image_size = 33
  config.data.class_index_cache = str(tmp_path / 'cache')
  config.model.width = 1 / 16
  config.train.init_from = ''
  for key, value in data.items():
    setattr(config.data, key, value)
  return config


def _classes_file(tmp_path, text):
  root = tmp_path / f'root{len(list(tmp_path.iterdir()))}'
  root.mkdir()
  (root / 'classes.txt').write_text(text)
  return str(root)


def test_classes_txt_is_read_and_checked(tmp_path):
  assert custom.class_names(_classes_file(tmp_path, 'cat\ndog\n\n')) == (
      'cat', 'dog')
  # labelme's first line names the background: skipped.
  assert custom.class_names(_classes_file(
      tmp_path, '_background_\ncat\ndog\nfox\n')) == ('cat', 'dog', 'fox')
  for text, words in (('cat\n\ndog\n', r'empty line\(s\) at class id\(s\) '
                       r'\[2\]'),
                      ('cat\ndog\ncat\n', r"\['cat'\] appear more than once"),
                      ('cat\n', 'lists 1 classes')):
    with pytest.raises(DataError, match=words):
      custom.class_names(_classes_file(tmp_path, text))
  with pytest.raises(DataError, match='missing .*classes.txt'):
    custom.class_names(str(tmp_path))


def test_the_split_by_names_ids_or_folds():
  # 'cyan star' is id 3, 'purple diamond' 7 (colour fastest, shape next).
  assert folds.custom_split(NAMES, 'cyan star, purple diamond', 0, 0)[1] == (
      3, 7)
  assert folds.custom_split(NAMES, '7,3', 0, 0) == (
      (1, 2, 4, 5, 6, 8, 9, 10, 11, 12), (3, 7))
  # 12 classes, 3 folds: runs of 4 in id order; 10 in 3: 4, 3, 3.
  assert [folds.custom_split(NAMES, '', 3, f)[1] for f in range(3)] == [
      (1, 2, 3, 4), (5, 6, 7, 8), (9, 10, 11, 12)]
  ten = NAMES[:10]
  assert [folds.custom_split(ten, '', 3, f)[1] for f in range(3)] == [
      (1, 2, 3, 4), (5, 6, 7), (8, 9, 10)]
  for novel, num_folds, fold, words in (
      ('', 0, 0, 'set exactly one of'),
      ('cyan star', 3, 0, 'set exactly one of'),
      ('green star', 0, 0, "'green star' is not in classes.txt"),
      ('13', 0, 0, "'13' is not in classes.txt"),
      (','.join(NAMES), 0, 0, 'every class is novel'),
      ('', 3, 3, r'data.fold must be 0..2'),
      ('', 13, 0, r'data.folds must be 2..12')):
    with pytest.raises(DataError, match=words):
      folds.custom_split(NAMES, novel, num_folds, fold)


def test_the_head_is_sized_from_the_split(shapes_root, tmp_path):
  config = resolution.resolve(_config(shapes_root, tmp_path,
                                      novel_classes='cyan star,7'))
  assert config.model.num_mcl_classes == 10 + 1
  assert builder.class_split(config.data)[1] == (3, 7)
  assert config.test.split == 'val'
  unmapped = _config(shapes_root, tmp_path, folds=4)
  unmapped.data.mcl_remap = False
  assert resolution.resolve(unmapped).model.num_mcl_classes == 12 + 1
  assert folds.class_name('custom', 3, folds.custom_names(
      config.data)) == 'cyan star'


def test_check_data_prints_each_class_and_finds_problems(shapes_root,
                                                         tmp_path, capsys):
  config = resolution.resolve(_config(shapes_root, tmp_path,
                                      novel_classes='cyan star,7'))
  assert integrity.report(config) == 0
  out = capsys.readouterr().out
  index = builder.make_source(config.data).class_index('val')
  labels = [np.asarray(Image.open(os.path.join(
      shapes_root, 'SegmentationClass', f'{i}.png'))) for i in index[3]]
  pixels = sum(int((label == 3).sum()) for label in labels)
  assert f'3 cyan star            novel  {len(index[3]):>7} {pixels:>10}' in out
  # Break a copy: a label value above the 12 classes, a label without its
  # image, an image without its label, a label of another size.
  root = str(tmp_path / 'broken')
  shutil.copytree(shapes_root, root)
  ids = open(os.path.join(root, 'ImageSets/Segmentation/train.txt')).read(
      ).split()
  label_dir = os.path.join(root, 'SegmentationClass')
  bad = np.asarray(Image.open(os.path.join(label_dir, f'{ids[0]}.png')))
  Image.fromarray(np.where(bad == 0, 13, bad).astype(np.uint8)).save(
      os.path.join(label_dir, f'{ids[0]}.png'))
  Image.fromarray(np.zeros((64, 64), np.uint8)).save(
      os.path.join(label_dir, 'orphan.png'))
  os.remove(os.path.join(label_dir, f'{ids[1]}.png'))
  Image.fromarray(np.zeros((10, 12), np.uint8)).save(
      os.path.join(label_dir, f'{ids[2]}.png'))
  broken = resolution.resolve(_config(root, tmp_path / 'b',
                                      novel_classes='cyan star,7'))
  assert integrity.report(broken) == 4
  out = capsys.readouterr().out
  assert 'labels without images: 1' in out and 'orphan.png' in out
  assert 'invalid label values: 1' in out and '[13]' in out
  assert 'missing label: 1' in out and 'size mismatch: 1' in out


def test_an_empty_split_and_a_wrong_train_split_are_refused(shapes_root,
                                                            tmp_path):
  root = str(tmp_path / 'empty')
  shutil.copytree(shapes_root, root)
  open(os.path.join(root, 'ImageSets/Segmentation/val.txt'), 'w').close()
  with pytest.raises(DataError, match='the val split is empty'):
    custom.CustomVOC(root).image_ids('val')
  config = _config(shapes_root, tmp_path, novel_classes='3')
  config.data.train_split = 'trainaug'
  with pytest.raises(Exception, match="splits are \\['train', 'val'\\]"):
    resolution.resolve(config)


def test_fine_tuning_rebuilds_only_the_multi_class_head(shapes_root, tmp_path,
                                                        capsys):
  """A full model of another class count: the head starts anew (and it
  says so), everything else is the saved model's."""
  source = resolution.resolve(_config(shapes_root, tmp_path, folds=4))
  saved = params_io.model_params(model_io.create_model(source))
  folder = str(tmp_path / 'params')
  params_io.save_params(folder, saved, model_config=source.model.to_dict(),
                        scope='full', source='test',
                        inference=model_io.inference_settings(source))
  config = _config(shapes_root, tmp_path, novel_classes='3')
  config.train.init_from = folder
  config.seed = 7  # another initialisation, so a kept head would show
  config = resolution.resolve(config)
  assert (source.model.num_mcl_classes, config.model.num_mcl_classes) == (
      10, 12)
  loaded = params_io.model_params(model_io.create_model(config))
  assert 'the head starts from random weights' in capsys.readouterr().out
  for name, value in loaded.items():
    if name.startswith(model_io.MCL_HEAD):
      assert (value.shape[-1], saved[name].shape[-1]) == (12, 10), name
    else:
      np.testing.assert_array_equal(value, saved[name])


def _command(args):
  done = subprocess.run([sys.executable, *args], cwd=runs.ROOT,
                        capture_output=True, text=True, timeout=600,
                        check=False)
  assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
  return done


def test_train_and_evaluate_on_a_custom_set(shapes_root, tmp_path):
  workdir = tmp_path / 'run'
  _command(['-m', 'smcp_jax.train', '--config', 'configs/custom.py',
            '--workdir', str(workdir), f'--config.data.root={shapes_root}',
            '--config.data.novel_classes=cyan star,purple diamond',
            '--config.data.image_size=33', '--config.model.width=0.0625',
            '--config.train.init_from=', '--config.train.num_steps=3',
            '--config.train.warmup_steps=0', '--config.train.global_batch=2',
            '--config.train.val_every_steps=3', '--config.train.keep_best=true',
            '--config.train.val_episodes=4', '--config.data.val_fraction=0.3',
            f'--config.data.class_index_cache={tmp_path}/cache'])
  # Validation on held-out images of the training classes kept the best.
  with open(workdir / 'best.json') as f:
    assert json.load(f)['step'] == 3
  _command(['-m', 'smcp_jax.evaluate', '--checkpoint', str(workdir),
            '--config.test.episodes=6', '--config.test.runs=1',
            '--report', str(tmp_path / 'report.json')])
  with open(tmp_path / 'report.json') as f:
    report = json.load(f)
  assert set(report['class_iou']) == {'3', '7'}
  assert (report['dataset'], report['split'], report['episodes']) == (
      'custom', 'val', 6)


def test_coco_json_becomes_the_voc_layout(shapes_root, tmp_path):
  """The same collection written as COCO JSON rasterises to the VOC
  layout's labels (COCO has no boundary band: 255 there becomes 0), and
  the same lists; a category classes.txt does not list is refused."""
  root = custom_set.generate(str(tmp_path / 'coco'), num_train=90,
                             num_val=40, size=64, layout='coco')
  assert [custom_coco.rasterise(root, split) for split in ('train', 'val')
          ] == [90, 40]
  assert custom_coco.rasterise(root, 'val') == 0  # once
  mine, theirs = custom.CustomVOC(root), custom.CustomVOC(shapes_root)
  for split in ('train', 'val'):
    assert mine.image_ids(split) == theirs.image_ids(split)
    for image_id in mine.image_ids(split)[:25]:
      expected = theirs.load_label(image_id, split)
      np.testing.assert_array_equal(mine.load_label(image_id, split),
                                    np.where(expected == 255, 0, expected))
  path = custom_coco.annotation_path(root, 'val')
  with open(path) as f:
    content = json.load(f)
  content['categories'].append({'id': 13, 'name': 'green star'})
  with open(path, 'w') as f:
    json.dump(content, f)
  with pytest.raises(DataError, match=r"category ids \{13: 'green star'\} "
                     'are not in classes.txt'):
    custom_coco.rasterise(root, 'val')


def _folder_layout(root, sizes=((20, 24), (18, 18), (30, 16))):
  """3 class folders (b_dog, a_cat, c_fox) of 2 images and masks each."""
  rng = np.random.default_rng(0)
  masks = {}
  for name in ('b_dog', 'a_cat', 'c_fox'):
    os.makedirs(root / name)
    for n, (h, w) in enumerate(sizes[:2]):
      Image.fromarray(rng.integers(0, 255, (h, w, 3), np.uint8)).save(
          root / name / f'{n}.jpg', quality=95)
      mask = (rng.random((h, w)) < 0.4).astype(np.uint8) * 255
      Image.fromarray(mask).save(root / name / f'{n}.png')
      masks[f'{name}__{n}'] = mask
  return masks


def test_class_folders_become_the_voc_layout(tmp_path):
  masks = _folder_layout(tmp_path / 'in')
  out = str(tmp_path / 'out')
  assert custom_folders.convert(str(tmp_path / 'in'), out) == (3, 6)
  assert custom.class_names(out) == ('a_cat', 'b_dog', 'c_fox')
  source = custom.CustomVOC(out)
  assert source.image_ids('train') == source.image_ids('val') == sorted(masks)
  for image_id, mask in masks.items():
    class_id = ('a_cat', 'b_dog', 'c_fox').index(image_id[:5]) + 1
    np.testing.assert_array_equal(source.load_label(image_id, 'val'),
                                  np.where(mask >= 128, class_id, 0))
  os.remove(tmp_path / 'in' / 'a_cat' / '1.png')
  with pytest.raises(DataError, match=r'a_cat/1.jpg has no mask'):
    custom_folders.convert(str(tmp_path / 'in'), str(tmp_path / 'out2'))
  Image.fromarray(np.zeros((5, 5), np.uint8)).save(
      tmp_path / 'in' / 'a_cat' / '1.png')
  with pytest.raises(DataError, match=r'mask .*1.png is 5x5 but its image '
                     r'is 18x18'):
    custom_folders.convert(str(tmp_path / 'in'), str(tmp_path / 'out2'))
  os.makedirs(tmp_path / 'one' / 'only')
  with pytest.raises(DataError, match='holds 1 class folders'):
    custom_folders.convert(str(tmp_path / 'one'), str(tmp_path / 'out3'))


def test_the_tfds_build_gives_the_folder_readers_episodes(shapes_root,
                                                          tmp_path):
  """prepare --dataset custom: the class names travel in the build, and
  training batches and test episodes are the folder's, bit for bit."""
  tfds_dir = str(tmp_path / 'tfds')
  built = build.prepare('custom', tfds_dir, manual_dir=shapes_root)
  assert {n: s.num_examples for n, s in built.info.splits.items()} == {
      'train': 90, 'val': 40}
  made = {}
  for source in ('files', 'tfds'):
    config = _config(shapes_root, tmp_path, novel_classes='cyan star,7')
    config.data.source = source
    config.data.tfds_data_dir = tfds_dir
    config.train.global_batch = 2
    config = resolution.resolve(config)
    assert folds.custom_names(config.data) == NAMES
    batches = training_data.train_dataset(config).as_numpy_iterator()
    episodes = builder.test_episodes(config.data, config.test, 0, 6)
    loader = builder.test_loader(config.data, config.test)
    made[source] = ([next(batches) for _ in range(2)], episodes,
                    [loader(e) for e in episodes])
  assert made['files'][1] == made['tfds'][1]
  for a, b in [*zip(made['files'][0], made['tfds'][0]),
               *zip(made['files'][2], made['tfds'][2])]:
    for key in a:
      if key != 'files':
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


@pytest.mark.parametrize('data, test', [
    ({'shots': 2}, {}),
    ({}, {'annotation': 'bbox'}),
    ({}, {'annotation': 'scribble'}),
    ({'novel_classes': '3,7,11'}, {'ways': 2}),
])
def test_k_shot_weak_supports_and_n_way_on_a_custom_set(shapes_root, tmp_path,
                                                         data, test):
  """The test modes run on a custom set as on PASCAL: every episode's
  class is novel, the scored classes are the split's."""
  from flax import nnx  # pylint: disable=g-import-not-at-top

  from smcp_jax.evaluation import evaluator  # pylint: disable=g-import-not-at-top
  config = _config(shapes_root, tmp_path, **{'novel_classes': '3,7', **data})
  for key, value in {'episodes': 4, 'runs': 1, **test}.items():
    config.test[key] = value
  config = resolution.resolve(config)
  graphdef, params = nnx.split(model_io.create_model(config), nnx.Param)
  runs_ = evaluator.protocol_episodes(config.data, config.test)
  novel = builder.class_split(config.data)[1]
  assert all(c in novel for e in runs_[0] for c, _ in e.ways)
  assert all(len(ids) == config.data.shots for e in runs_[0]
             for _, ids in e.ways)
  summary = evaluator.evaluate(config, graphdef, params, runs_,
                               batch_size=2, progress=False)
  assert set(summary['class_iou']) == set(novel)
  assert (summary['episodes'], summary['ways'], summary['annotation']) == (
      4, config.test.ways, config.test.annotation)
