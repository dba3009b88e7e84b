# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""TFDS data sets: the PASCAL builder on small fake VOC and SBD archives
written here, the toy set through TFDS and through the folder reader
giving the same episodes, the bad inputs, and an interrupted build."""

import io
import os
import tarfile

import numpy as np
from PIL import Image
import pytest
from scipy import io as scipy_io

from configs import toy as toy_config
from smcp_jax import errors
from smcp_jax import prepare
from smcp_jax.config_lib import resolution
from smcp_jax.data import builder
from smcp_jax.data import integrity
from smcp_jax.data import protocols
from smcp_jax.data.readers import voc_format
from smcp_jax.data.tfds import build
from smcp_jax.data.tfds.source import TFDSSource
from smcp_jax.errors import DataError
from smcp_jax.toy import generate
from tests.helpers import training_data

# The fake archives' ids: VOC 2012 train / val, SBD train / val.
VOC_TRAIN, VOC_VAL = ('a', 'b'), ('c', 'd')
SBD_TRAIN, SBD_VAL = ('b', 'e', 'c'), ('f',)
SBD_ONLY_IMAGE = 'e'  # its image is in SBD's img/ only


def _image(image_id: str) -> np.ndarray:
  rng = np.random.default_rng(ord(image_id))
  return rng.integers(0, 255, (12, 16, 3), dtype=np.uint8)


def _voc_label(image_id: str) -> np.ndarray:
  """Class ord % 20 + 1 in a box, a 255 band around it, as VOC."""
  label = np.zeros((12, 16), np.uint8)
  label[2:9, 3:12] = 255
  label[3:8, 4:11] = ord(image_id) % 20 + 1
  return label


def _sbd_label(image_id: str) -> np.ndarray:
  """Two classes, no band, as SBD."""
  label = np.zeros((12, 16), np.uint8)
  label[0:5, 0:6] = ord(image_id) % 20 + 1
  label[6:12, 8:16] = 7
  return label


def _instances(label: np.ndarray) -> np.ndarray:
  return np.where(label == 255, 255, (label > 0).astype(np.uint8))


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
  info = tarfile.TarInfo(name)
  info.size = len(data)
  tar.addfile(info, io.BytesIO(data))


def _png(array: np.ndarray, palette: bool = False) -> bytes:
  image = Image.fromarray(array, 'P' if palette else None)
  if palette:
    image.putpalette(voc_format.voc_palette())
  buffer = io.BytesIO()
  image.save(buffer, format='PNG')
  return buffer.getvalue()


def _jpeg(array: np.ndarray) -> bytes:
  buffer = io.BytesIO()
  Image.fromarray(array).save(buffer, format='JPEG', quality=95)
  return buffer.getvalue()


def _mat(field: str, segmentation: np.ndarray) -> bytes:
  buffer = io.BytesIO()
  scipy_io.savemat(buffer, {field: {'Segmentation': segmentation,
                                    'Boundaries': np.zeros((1, 1))}})
  return buffer.getvalue()


def write_archives(folder, *, sbd_field='GTcls', drop_mat='',
                   truncate=False) -> str:
  """VOCtrainval_11-May-2012.tar and benchmark.tgz, small, in `folder`."""
  os.makedirs(folder, exist_ok=True)
  voc = os.path.join(folder, 'VOCtrainval_11-May-2012.tar')
  with tarfile.open(voc, 'w') as tar:
    top = 'VOCdevkit/VOC2012/'
    for name, ids in (('train', VOC_TRAIN), ('val', VOC_VAL)):
      _add(tar, f'{top}ImageSets/Segmentation/{name}.txt',
           ''.join(i + '\n' for i in ids).encode())
    for i in sorted(set(VOC_TRAIN + VOC_VAL + SBD_TRAIN + SBD_VAL)
                    - {SBD_ONLY_IMAGE}):
      _add(tar, f'{top}JPEGImages/{i}.jpg', _jpeg(_image(i)))
    for i in VOC_TRAIN + VOC_VAL:
      _add(tar, f'{top}SegmentationClass/{i}.png',
           _png(_voc_label(i), palette=True))
      _add(tar, f'{top}SegmentationObject/{i}.png',
           _png(_instances(_voc_label(i)), palette=True))
  if truncate:
    with open(voc, 'r+b') as f:
      f.truncate(os.path.getsize(voc) // 3)
  sbd = os.path.join(folder, 'benchmark.tgz')
  with tarfile.open(sbd, 'w:gz') as tar:
    top = 'benchmark_RELEASE/dataset/'
    for name, ids in (('train', SBD_TRAIN), ('val', SBD_VAL)):
      _add(tar, f'{top}{name}.txt', ''.join(i + '\n' for i in ids).encode())
    for i in SBD_TRAIN + SBD_VAL:
      _add(tar, f'{top}img/{i}.jpg', _jpeg(_image(i)))
      if i != drop_mat:
        _add(tar, f'{top}cls/{i}.mat', _mat(sbd_field, _sbd_label(i)))
      _add(tar, f'{top}inst/{i}.mat',
           _mat('GTinst', _instances(_sbd_label(i))))
  return folder


@pytest.fixture(scope='module')
def pascal(tmp_path_factory):
  folder = tmp_path_factory.mktemp('pascal')
  manual = write_archives(str(folder / 'manual'))
  build.prepare('pascal', str(folder / 'tfds'), manual)
  return TFDSSource('smcp_pascal', str(folder / 'tfds'))


def test_pascal_splits_follow_the_trainaug_rule(pascal):
  # trainaug = VOC train + SBD train + SBD val - VOC val.
  assert pascal.image_ids('trainaug') == ['a', 'b', 'e', 'f']
  assert pascal.image_ids('train') == list(VOC_TRAIN)
  assert pascal.image_ids('val') == list(VOC_VAL)


def test_pascal_labels_instances_and_class_lists(pascal):
  for image_id in ('a', 'b', 'e', 'f'):
    image, label = pascal.load_pair(image_id, 'trainaug')
    # The image is the file's own JPEG: decoding it gives PIL's pixels.
    expected_image = np.asarray(Image.open(io.BytesIO(_jpeg(_image(
        image_id)))).convert('RGB'))
    np.testing.assert_array_equal(image, expected_image)
    in_voc = image_id in VOC_TRAIN + VOC_VAL
    # VOC's label (255 band kept) where VOC has one, SBD's otherwise.
    expected = _voc_label(image_id) if in_voc else _sbd_label(image_id)
    np.testing.assert_array_equal(label, expected)
    assert (255 in label) == in_voc
    np.testing.assert_array_equal(pascal.load_instances(image_id, 'trainaug'),
                                  _instances(expected))
  c = ord('e') % 20 + 1
  index = pascal.class_index('trainaug')
  assert 'e' in index[c] and 'e' in index[7] and 'f' in index[7]
  assert index[7] == ['e', 'f']  # SBD's second class, sorted ids
  # Areas: 30 pixels of class c and 48 of class 7 in SBD's labels.
  assert 'e' in pascal.class_index('trainaug', min_area=30)[c]
  assert 'e' not in pascal.class_index('trainaug', min_area=31).get(c, [])
  assert pascal.class_index('trainaug', min_area=48)[7] == ['e', 'f']


@pytest.fixture(scope='module')
def toy_sets(tmp_path_factory):
  """The toy set 'small' through TFDS, and the same set generated as a
  folder on its own."""
  folder = tmp_path_factory.mktemp('toy')
  build.prepare('toy', str(folder / 'tfds'), builder_config='small')
  root = generate.generate(str(folder / 'files'), num_train=120, num_val=60,
                           size=64)
  return str(folder / 'tfds'), root


def _config(toy_sets, source, **test):
  tfds_dir, root = toy_sets
  config = toy_config.get_config()
  config.data.image_size = 65
  config.data.root = root
  config.data.source = source
  config.data.tfds_data_dir = tfds_dir
  config.data.tfds_name = 'smcp_toy/small'
  config.data.class_index_cache = os.path.join(tfds_dir, 'cache')
  config.train.global_batch = 4
  for key, value in test.items():
    config.test[key] = value
  return resolution.resolve(config)


def _assert_same_arrays(a: dict, b: dict):
  assert sorted(a) == sorted(b)
  for key in a:
    if key != 'files':  # file paths vs TFDS names
      np.testing.assert_array_equal(a[key], b[key], err_msg=key)


@pytest.mark.parametrize('process_index, start_step', [(0, 0), (1, 0),
                                                       (0, 3)])
def test_toy_training_episodes_are_the_same_bit_for_bit(
    toy_sets, process_index, start_step):
  """The same batches from TFDS as from the folder: on each host of two,
  and resumed at step 3."""
  batches = {}
  for source in ('files', 'tfds'):
    dataset = training_data.train_dataset(
        _config(toy_sets, source), process_index=process_index,
        process_count=2, start_step=start_step)
    batches[source] = [b for _, b in zip(range(3),
                                         dataset.as_numpy_iterator())]
  for files_batch, tfds_batch in zip(batches['files'], batches['tfds']):
    _assert_same_arrays(files_batch, tfds_batch)
  assert batches['tfds'][0]['files'][0][0].decode().startswith(
      'tfds://smcp_toy/small/1.0.0/trainaug/toy_')


@pytest.mark.parametrize('protocol', protocols.NAMES)
def test_toy_test_episodes_are_the_same_in_every_protocol(toy_sets,
                                                          protocol):
  made = {}
  for source in ('files', 'tfds'):
    config = _config(toy_sets, source, protocol=protocol, episodes=12)
    episodes = builder.test_episodes(config.data, config.test, 0)
    loader = builder.test_loader(config.data, config.test)
    made[source] = episodes, [loader(e) for e in episodes]
  assert made['files'][0] == made['tfds'][0]
  for a, b in zip(made['files'][1], made['tfds'][1]):
    _assert_same_arrays(a, b)


def test_check_reads_a_tfds_data_set(toy_sets, capsys):
  assert integrity.report(_config(toy_sets, 'tfds')) == 0
  out = capsys.readouterr().out
  assert 'trainaug: 120 images' in out and 'no problems found' in out


def _build_error(tmp_path, **archive_options) -> str:
  manual = write_archives(str(tmp_path / 'manual'), **archive_options)
  with pytest.raises(DataError) as error:
    build.prepare('pascal', str(tmp_path / 'tfds'), manual)
  return str(error.value)


def test_a_truncated_archive_is_named(tmp_path):
  message = _build_error(tmp_path, truncate=True)
  assert 'VOCtrainval_11-May-2012.tar' in message
  assert 'damaged or truncated: download it again' in message


def test_a_mat_without_the_field_is_named(tmp_path):
  message = _build_error(tmp_path, sbd_field='Other')
  assert 'has no GTcls.Segmentation: not an SBD cls file' in message


def test_an_image_without_a_label_is_named(tmp_path):
  message = _build_error(tmp_path, drop_mat='e')
  assert 'image e of trainaug has no label' in message
  assert 'cls/e.mat' in message


def test_a_missing_archive_is_named(tmp_path):
  manual = tmp_path / 'manual'
  manual.mkdir()
  (manual / 'readme.txt').write_text('not an archive')
  with pytest.raises(DataError, match='no VOC 2012 in .*VOCtrainval_11'):
    build.prepare('pascal', str(tmp_path / 'tfds'), str(manual))
  with pytest.raises(DataError, match='--manual_dir is required'):
    build.prepare('pascal', str(tmp_path / 'tfds'))
  with pytest.raises(SystemExit, match='is missing or empty'):
    prepare.main(['--dataset', 'coco', '--data_dir', str(tmp_path / 'x'),
                  '--manual_dir', str(tmp_path / 'nothing')])


def test_an_interrupted_build_leaves_no_complete_data_set(tmp_path,
                                                          monkeypatch):
  """A build stopped half way (here: Ctrl-C at the fourth example) leaves
  nothing a reader takes for a data set, and the next build completes."""
  from smcp_jax.data.tfds import voc_sbd  # pylint: disable=g-import-not-at-top
  manual = write_archives(str(tmp_path / 'manual'))
  real, made = voc_sbd.Inputs.example, []

  def interrupted(self, image_id, split):
    made.append(image_id)
    if len(made) == 4:
      raise KeyboardInterrupt
    return real(self, image_id, split)

  monkeypatch.setattr(voc_sbd.Inputs, 'example', interrupted)
  data_dir = str(tmp_path / 'tfds')
  with pytest.raises(KeyboardInterrupt):
    build.prepare('pascal', data_dir, manual)
  with pytest.raises(DataError, match='no prepared data set smcp_pascal'):
    TFDSSource('smcp_pascal', data_dir)
  monkeypatch.setattr(voc_sbd.Inputs, 'example', real)
  build.prepare('pascal', data_dir, manual)
  assert TFDSSource('smcp_pascal', data_dir).image_ids('val') == ['c', 'd']


def test_the_config_names_a_missing_tfds_dir(toy_sets):
  config = toy_config.get_config()
  config.data.source = 'tfds'
  with pytest.raises(errors.ConfigError, match='tfds_data_dir'):
    resolution.resolve(config)
  config.data.tfds_data_dir = toy_sets[0]
  assert resolution.resolve(config).data.tfds_name == 'smcp_toy'


def test_coco_builds_the_folder_readers_labels(tmp_path):
  from smcp_jax.data.readers import coco  # pylint: disable=g-import-not-at-top
  from tests.helpers import coco_files  # pylint: disable=g-import-not-at-top
  manual = tmp_path / 'coco'
  for split in ('train2014', 'val2014'):
    coco_files.write_coco(manual, split)
  build.prepare('coco', str(tmp_path / 'tfds'), str(manual))
  built = TFDSSource('smcp_coco', str(tmp_path / 'tfds'))
  files = coco.COCO20i(str(manual))
  for split in ('train2014', 'val2014'):
    assert built.image_ids(split) == files.image_ids(split) == ['1', '2', '3']
    for min_area in (0, 150):
      assert (built.class_index(split, min_area=min_area)
              == files.class_index(split, min_area=min_area))
    for image_id in files.image_ids(split):
      for a, b in zip(built.load_pair(image_id, split),
                      files.load_pair(image_id, split)):
        np.testing.assert_array_equal(a, b)
      np.testing.assert_array_equal(built.load_instances(image_id, split),
                                    files.load_instances(image_id, split))
  assert built.class_index('train2014') == {1: ['1', '2'], 3: ['3'],
                                            4: ['1']}


def test_coco_without_its_annotations_is_named(tmp_path):
  manual = tmp_path / 'coco'
  (manual / 'train2014').mkdir(parents=True)
  with pytest.raises(DataError, match='missing annotation file .*'
                     'instances_train2014.json'):
    build.prepare('coco', str(tmp_path / 'tfds'), str(manual))


def test_extracted_folders_build_what_the_archives_build(pascal, tmp_path):
  archives, manual = write_archives(str(tmp_path / 'archives')), tmp_path / 'm'
  for archive in ('VOCtrainval_11-May-2012.tar', 'benchmark.tgz'):
    with tarfile.open(os.path.join(archives, archive)) as tar:
      tar.extractall(manual, filter='data')
  build.prepare('pascal', str(tmp_path / 'tfds'), str(manual))
  built = TFDSSource('smcp_pascal', str(tmp_path / 'tfds'))
  for split in ('trainaug', 'train', 'val'):
    assert built.image_ids(split) == pascal.image_ids(split)
    assert built.class_index(split) == pascal.class_index(split)
    for image_id in built.image_ids(split):
      for a, b in zip(built.load_pair(image_id, split),
                      pascal.load_pair(image_id, split)):
        np.testing.assert_array_equal(a, b)


def test_a_segmentation_class_aug_folder_builds_as_the_folder_reads(
    tmp_path):
  """Without SBD, a VOC2012 folder holding SegmentationClassAug builds the
  splits its lists give, with the labels the folder reader reads."""
  from smcp_jax.data.readers import pascal  # pylint: disable=g-import-not-at-top
  manual = tmp_path / 'manual'
  root = generate.generate(str(manual), num_train=30, num_val=12, size=48)
  build.prepare('pascal', str(tmp_path / 'tfds'), str(manual))
  built = TFDSSource('smcp_pascal', str(tmp_path / 'tfds'))
  files = pascal.PascalVOC(root)
  for split in ('trainaug', 'val'):
    assert built.image_ids(split) == sorted(files.image_ids(split))
    assert built.class_index(split) == files.class_index(
        split, cache_dir=str(tmp_path / 'cache'))
    for image_id in files.image_ids(split)[:5]:
      for a, b in zip(built.load_pair(image_id, split),
                      files.load_pair(image_id, split)):
        np.testing.assert_array_equal(a, b)
      np.testing.assert_array_equal(built.load_instances(image_id, split),
                                    files.load_instances(image_id, split))


def test_a_failed_batch_names_and_rereads_tfds_records(toy_sets):
  """The names a failed training batch reports, and their bytes read
  again to find the broken one, match the folder's files."""
  from smcp_jax.data.pipeline import tf_ops  # pylint: disable=g-import-not-at-top
  from smcp_jax.data.quiet_tf import tf  # pylint: disable=g-import-not-at-top
  named = training_data.train_sampler(_config(toy_sets, 'tfds')).files(0)
  files = training_data.train_sampler(_config(toy_sets, 'files')).files(0)
  sampler = training_data.train_sampler(_config(toy_sets, 'tfds'))
  for key, path in zip(named, files):
    assert key.endswith(os.path.splitext(os.path.basename(path))[0]
                        + ('#label' if path.endswith('.png') else ''))
  image_key, label_key = named[:2]
  assert sampler.read_file(image_key) == tf.io.read_file(files[0]).numpy()
  np.testing.assert_array_equal(
      tf_ops.decode_label(sampler.read_file(label_key)),
      tf_ops.decode_label(tf.io.read_file(files[1])))


def test_an_unknown_tfds_name_lists_the_builders(toy_sets):
  with pytest.raises(DataError, match=r"tfds_name='smcp_nope' is none of .*"
                     r"\['smcp_coco', 'smcp_custom', 'smcp_pascal', "
                     r"'smcp_toy'\]"):
    TFDSSource('smcp_nope', toy_sets[0])
  with pytest.raises(DataError, match="no TFDS data set 'smcp_toy/huge': "
                     'Failed to construct'):
    TFDSSource('smcp_toy/huge', toy_sets[0])


def test_another_config_of_a_prepared_set_is_named_with_its_flag(toy_sets):
  """Issue 26, item 14: with only smcp_toy/small built, the toy config said
  "no prepared data set smcp_toy" and suggested the wrong build."""
  tfds_dir, _ = toy_sets
  with pytest.raises(DataError) as raised:
    TFDSSource('smcp_toy', tfds_dir)
  message = str(raised.value)
  assert message.startswith(f"no prepared data set smcp_toy/default in "
                            f"'{tfds_dir}'")
  assert ('It holds smcp_toy/small: pick one with '
          '--config.data.tfds_name=smcp_toy/small') in message
  assert message.endswith('python -m smcp_jax.prepare --dataset toy '
                          f'--data_dir {tfds_dir} --builder_config default')
