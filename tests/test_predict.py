# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Prediction on user images: the API, the CLI's files, and bad input."""

import json
import os
import shutil
import subprocess
import sys

import jax.numpy as jnp
import numpy as np
from PIL import Image
import pytest

from smcp_jax import predict
from smcp_jax.checkpoints import model_io
from smcp_jax.checkpoints import params_io
from smcp_jax.data.pipeline import transforms
from smcp_jax.errors import DataError
from smcp_jax.evaluation import metrics
from smcp_jax.evaluation import visualize
from smcp_jax.models import resize
from smcp_jax.models import smcp
from smcp_jax.serving import image_io
from smcp_jax.serving import prediction_files
from smcp_jax.serving import predictor as inference
from tests.helpers import images

SIZE = 41  # network input side of the tiny checkpoint


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
  """A run's export: run/params (model.json) beside run/config.json."""
  run = tmp_path_factory.mktemp('run')
  config = images.tiny_network_config(SIZE)
  model = model_io.create_model(config)
  params_io.save_params(str(run / 'params'), params_io.model_params(model),
                        model_config=config.model.to_dict(), scope='full',
                        source='test')
  (run / 'config.json').write_text(config.to_json())
  return str(run / 'params')


@pytest.fixture
def files(tmp_path):
  """Support and query files of different sizes and aspects."""
  s_img, s_mask = images.scene(90, 70, 0)
  paths = {'support': images.save(tmp_path / 's.jpg', s_img),
           'support_mask': images.save(tmp_path / 's_mask.png',
                                       s_mask.astype(np.uint8) * 255),
           'queries': [], 'query_masks': []}
  for i, (h, w) in enumerate(((50, 80), (120, 60))):
    q_img, q_mask = images.scene(h, w, i + 1, box=(0.2, 0.2, 0.6, 0.5))
    paths['queries'].append(images.save(tmp_path / f'q{i}.png', q_img))
    paths['query_masks'].append(images.save(tmp_path / f'q{i}_mask.png',
                                            q_mask.astype(np.uint8)))
  return paths


def _args(checkpoint, files, out, *extra):
  return ['--checkpoint', checkpoint, '--support', files['support'],
          '--query', *files['queries'], '--out', str(out), *extra]


def test_cli_writes_masks_probabilities_and_panel(checkpoint, files,
                                                  tmp_path):
  out = tmp_path / 'out'
  summary = predict.segment(_args(checkpoint, files, out, '--support-mask',
                                  files['support_mask'], '--query-mask',
                                  *files['query_masks'], '--class-name', 'box'))
  assert sorted(os.listdir(out)) == sorted(
      ['panel.png', 'predictions.json']
      + [f'q{i}_{kind}' for i in range(2)
         for kind in ('mask.png', 'prob.npy', 'overlay.png')])
  for i, (h, w) in enumerate(((50, 80), (120, 60))):
    mask = np.asarray(Image.open(out / f'q{i}_mask.png'))
    prob = np.load(out / f'q{i}_prob.npy')
    assert mask.shape == prob.shape == (h, w)
    assert set(np.unique(mask)) <= {0, 255}
    assert prob.dtype == np.float32 and 0 <= prob.min() <= prob.max() <= 1
    np.testing.assert_array_equal(mask == 255, prob > 0.5)
    assert Image.open(out / f'q{i}_overlay.png').size == (w, h)
    truth = np.asarray(Image.open(files['query_masks'][i]))
    assert summary['queries'][i]['iou'] == pytest.approx(
        metrics.iou_percent(mask == 255, truth))
  saved = json.loads((out / 'predictions.json').read_text())
  assert saved['shots'] == 1 and saved['annotation'] == 'mask'
  assert [q['mask'] for q in saved['queries']] == ['q0_mask.png',
                                                   'q1_mask.png']
  # Rows: support, query, prediction, truth; columns: the two queries.
  assert Image.open(out / 'panel.png').size == (
      480, visualize.CAPTION + 4 * (visualize.TILE + visualize.CAPTION)
      + visualize.CAPTION + 4)
  assert not [n for n in os.listdir(tmp_path) if n.startswith('.predict-')]


def test_predictor_equals_the_network_on_resized_inputs(checkpoint):
  """The API is `infer` on PIL-resized inputs, upsampled to each query."""
  support, s_mask = images.scene(90, 70, 0)
  queries = [images.scene(50, 80, 1)[0], images.scene(120, 60, 2)[0],
             images.scene(64, 64, 3)[0]]
  predictor = inference.Predictor(checkpoint, batch_size=2)
  results = predictor.predict([support], [s_mask], queries)
  model, _ = model_io.load_for_inference(checkpoint)
  net_mask = inference.support_mask_for_network(s_mask, SIZE)
  for query, result in zip(queries, results):
    logits = model.infer(
        jnp.asarray(transforms.normalize(transforms.resize_image(
            support, SIZE)))[None, None],
        jnp.asarray(net_mask, jnp.float32)[None, None],
        jnp.asarray(transforms.normalize(transforms.resize_image(
            query, SIZE)))[None])['logits'][0]
    up = resize.upsampled_logits(np.asarray(logits), query.shape[:2])
    expected = 1 / (1 + np.exp(up[..., 0] - up[..., 1]))
    np.testing.assert_allclose(result.probability, expected, atol=1e-4)
    assert result.mask.shape == query.shape[:2]


def test_bfloat16_runs_the_network_in_it_and_stays_near_float32(checkpoint):
  support, s_mask = images.scene(90, 70, 0)
  queries = [images.scene(50, 80, 1)[0], images.scene(120, 60, 2)[0]]
  f32, bf16 = (inference.Predictor(checkpoint, batch_size=2,
                                   compute_dtype=dtype)
               for dtype in ('float32', 'bfloat16'))
  batch = bf16.device_batch([bf16.network_input(q, SIZE) for q in queries])
  hlo = bf16._encode_queries.lower(bf16._params, batch).as_text()  # pylint: disable=protected-access
  assert 'bf16' in hlo and 'bf16' not in f32._encode_queries.lower(  # pylint: disable=protected-access
      f32._params, batch).as_text()  # pylint: disable=protected-access
  for a, b in zip(f32.predict([support], [s_mask], queries),
                  bf16.predict([support], [s_mask], queries)):
    np.testing.assert_allclose(b.probability, a.probability, atol=0.05)


def test_k_shot_and_box_annotations(checkpoint, files, tmp_path):
  out = tmp_path / 'out'
  summary = predict.segment([
      '--checkpoint', checkpoint, '--support', files['support'],
      '--support', files['queries'][1], '--support-box', '10,20,50,80',
      '--support-box', '5,10,40,60', '--query', files['queries'][0],
      '--out', str(out), '--prototype', 'support'])
  assert summary['shots'] == 2 and summary['annotation'] == 'box'
  assert np.asarray(Image.open(out / 'q0_mask.png')).shape == (50, 80)


def test_thin_scribble_survives_resizing():
  scribble = np.zeros((400, 400), bool)
  scribble[200, 100:300] = True  # one pixel thick: nearest would drop it
  small = inference.support_mask_for_network(scribble, SIZE)
  assert small.any() and small.sum() < SIZE * 3


def _write_bad(tmp_path, files, case):
  """Arguments for one bad input, and the words its error must contain."""
  s_img = np.asarray(Image.open(files['support']))
  h, w = s_img.shape[:2]
  if case == 'empty mask':
    path = images.save(tmp_path / 'empty.png', np.zeros((h, w), np.uint8))
    return ['--support-mask', path], 'no foreground pixel'
  if case == 'all foreground':
    path = images.save(tmp_path / 'full.png', np.full((h, w), 255, np.uint8))
    return ['--support-mask', path], 'every pixel is foreground'
  if case == 'mask size':
    path = images.save(tmp_path / 'small.png',
                       np.full((h // 2, w), 255, np.uint8))
    return ['--support-mask', path], f'is {w}x{h // 2} but its image is'
  if case == 'box outside':
    return ['--support-box', f'10,10,{w + 5},20'], 'does not fit the'
  if case == 'box syntax':
    return ['--support-box', '10,10,20'], 'must be four numbers'
  if case == 'unreadable':
    path = tmp_path / 'broken.png'
    path.write_bytes(b'\x89PNG\r\n\x1a\n' + b'garbage' * 20)
    return ['--support-mask', str(path)], 'is not a readable image'
  if case == 'missing file':
    return ['--support-mask', str(tmp_path / 'nope.png')], 'no such file'
  if case == 'two annotations':
    return (['--support-mask', files['support_mask'], '--support-box',
             '1,1,5,5'], 'exactly one of')
  if case == 'query mask size':
    return (['--support-mask', files['support_mask'], '--query-mask',
             files['query_masks'][1], files['query_masks'][0]],
            'give the mask of that query')
  raise ValueError(case)


@pytest.mark.parametrize('case', [
    'empty mask', 'all foreground', 'mask size', 'box outside', 'box syntax',
    'unreadable', 'missing file', 'two annotations', 'query mask size'])
def test_bad_input_says_what_and_leaves_no_output(checkpoint, files,
                                                  tmp_path, case):
  extra, words = _write_bad(tmp_path, files, case)
  out = tmp_path / 'out'
  with pytest.raises(SystemExit) as exit_info:
    predict.main(_args(checkpoint, files, out, *extra))
  assert words in str(exit_info.value), str(exit_info.value)
  assert not out.exists()


def test_checkpoint_of_another_network_is_refused(checkpoint, files,
                                                  tmp_path):
  config_file = tmp_path / 'wide.py'
  config_file.write_text(
      'from configs import toy\n'
      'def get_config():\n'
      '  config = toy.get_config()\n'
      '  config.model.width = 0.125\n'
      '  return config\n')
  out = tmp_path / 'out'
  with pytest.raises(SystemExit) as exit_info:
    predict.main(_args(checkpoint, files, out, '--support-mask',
                       files['support_mask'], '--config', str(config_file)))
  assert '--config.model.width=0.0625' in str(exit_info.value)
  assert not out.exists()


def test_a_failure_while_writing_leaves_out_untouched(checkpoint, files,
                                                      tmp_path, monkeypatch):
  out = tmp_path / 'out'
  out.mkdir()
  (out / 'keep.txt').write_text('earlier results')

  def broken_panel(*args, **kwargs):
    raise OSError('disk full')

  monkeypatch.setattr(visualize, 'episode_panel', broken_panel)
  with pytest.raises(OSError, match='disk full'):
    predict.segment(_args(checkpoint, files, out, '--support-mask',
                          files['support_mask'], '--overwrite'))
  assert os.listdir(out) == ['keep.txt']
  assert not [n for n in os.listdir(tmp_path) if n.startswith('.predict-')]


def test_out_is_replaced_only_with_overwrite(checkpoint, files, tmp_path):
  out = tmp_path / 'out'
  out.mkdir()
  (out / 'old_mask.png').write_text('an earlier run')
  args = _args(checkpoint, files, out, '--support-mask', files['support_mask'])
  with pytest.raises(SystemExit, match='not empty; pass --overwrite'):
    predict.main(args)
  assert os.listdir(out) == ['old_mask.png']
  predict.segment(args + ['--overwrite'])
  assert 'old_mask.png' not in os.listdir(out)
  assert 'predictions.json' in os.listdir(out)
  assert oct(out.stat().st_mode & 0o777) != oct(0o700)  # not mkdtemp's
  (tmp_path / 'file').write_text('')
  with pytest.raises(SystemExit, match='is a file; give a folder'):
    predict.main(_args(checkpoint, files, tmp_path / 'file',
                       '--support-mask', files['support_mask']))


def test_query_folder_wrapped_panel_and_recorded_supports(checkpoint, files,
                                                          tmp_path):
  folder = tmp_path / 'queries'
  folder.mkdir()
  for i in range(8):  # written out of order: read sorted
    images.save(folder / f'img{(5 * i) % 8}.png', images.scene(40, 50, i)[0])
  (folder / 'notes.txt').write_text('not an image')
  out = tmp_path / 'out'
  summary = predict.segment([
      '--checkpoint', checkpoint, '--support', files['support'],
      '--support-mask', files['support_mask'], '--query', str(folder),
      '--out', str(out)])
  assert [os.path.basename(q['query']) for q in summary['queries']] == [
      f'img{i}.png' for i in range(8)]
  saved = json.loads((out / 'predictions.json').read_text())
  assert saved['supports'] == [{'image': files['support'],
                                'mask': files['support_mask']}]
  # Six columns, then a second block: support, 2 x (query, prediction).
  assert Image.open(out / 'panel.png').size == (
      6 * visualize.TILE, visualize.CAPTION + 5 * (visualize.TILE
                                                   + visualize.CAPTION)
      + visualize.CAPTION + 4)
  (tmp_path / 'empty').mkdir()
  with pytest.raises(SystemExit, match='holds no image'):
    predict.main(['--checkpoint', checkpoint, '--support', files['support'],
                  '--support-mask', files['support_mask'], '--query',
                  str(tmp_path / 'empty'), '--out', str(tmp_path / 'o2')])


def test_out_that_holds_an_input_is_refused_and_the_photos_stay(
    checkpoint, tmp_path):
  """Issue 26, item 10: --out the input folder, with --overwrite, deleted
  the support, its mask and every query; a folder listed as --query also
  took the mask as a query."""
  photos = tmp_path / 'photos'
  photos.mkdir()
  image, mask = images.scene(60, 50, 0)
  support = images.save(photos / 'a_support.jpg', image)
  support_mask = images.save(photos / 'a_support_mask.png',
                             mask.astype(np.uint8) * 255)
  for i in range(2):
    images.save(photos / f'q{i}.jpg', images.scene(40, 50, i + 1)[0])
  before = sorted(os.listdir(photos))
  base = ['--checkpoint', checkpoint, '--support', support,
          '--support_mask', support_mask, '--query', str(photos)]
  for out in (photos, tmp_path):  # the folder itself, or one above it
    with pytest.raises(SystemExit, match='holds the input .*would delete'):
      predict.main(base + ['--out', str(out), '--overwrite'])
    assert sorted(os.listdir(photos)) == before
  summary = predict.segment(base + ['--out', str(tmp_path / 'out')])
  assert [os.path.basename(q['query']) for q in summary['queries']] == [
      'a_support.jpg', 'q0.jpg', 'q1.jpg']  # not the mask


@pytest.mark.parametrize('flag,value', [('--batch-size', '0'),
                                        ('--image-size', '0'),
                                        ('--batch-size', 'two')])
def test_bad_numbers_are_refused_before_loading(files, tmp_path, flag,
                                                value):
  name = flag[2:].replace('-', '_')  # the old spelling reads as the new
  with pytest.raises(SystemExit, match=f'^error: flag --{name}={value}: '):
    predict.main(_args('nowhere', files, tmp_path / 'out', '--support-mask',
                       files['support_mask'], flag, value))


def test_predict_cli_starts_without_the_network_modules():
  """--help and argument errors need no JAX / TF import; its prototype
  modes are the model's."""
  code = ('import sys, smcp_jax.predict as p\n'
          'print(sorted(m for m in ("jax", "tensorflow", "flax") '
          'if m in sys.modules))')
  result = subprocess.run([sys.executable, '-c', code], capture_output=True,
                          text=True, timeout=120, check=True)
  assert result.stdout.strip() == '[]'
  assert (predict.FLAGS['prototype'].parser.enum_values
          == list(smcp.PROTOTYPE_MODES))


def test_a_copied_export_predicts_the_same(tmp_path):
  """model.json carries the input size and settings: a run's params/
  copied anywhere gives the predictions of the run itself."""
  import types  # pylint: disable=g-import-not-at-top

  from flax import nnx  # pylint: disable=g-import-not-at-top

  from smcp_jax.train import trainer  # pylint: disable=g-import-not-at-top
  config = images.tiny_network_config(SIZE)
  model = model_io.create_model(config)
  run = tmp_path / 'run'
  run.mkdir()
  (run / 'config.json').write_text(config.to_json())
  trainer._export_params(str(run), config, types.SimpleNamespace(
      params=nnx.state(model, nnx.Param), step=3))
  shared = tmp_path / 'shared' / 'demo_model'
  shutil.copytree(run / 'params', shared)
  support, s_mask = images.scene(90, 70, 0)
  query = images.scene(50, 80, 1)[0]
  results = []
  for where in (run / 'params', shared):
    predictor = inference.Predictor(str(where))
    assert predictor.image_size == SIZE, where
    results.append(predictor.predict([support], [s_mask], [query])[0])
  for result in results[1:]:
    np.testing.assert_array_equal(result.probability, results[0].probability)


def test_api_rejects_bad_arrays(checkpoint):
  predictor = inference.Predictor(checkpoint)
  image, mask = images.scene(40, 40, 0)
  with pytest.raises(DataError, match='one mask per support'):
    predictor.predict([image], [], [image])
  with pytest.raises(DataError, match='uint8 RGB'):
    predictor.predict([image], [mask], [image.astype(np.float32)])
  with pytest.raises(DataError, match='no foreground'):
    predictor.predict([image], [np.zeros_like(mask)], [image])


def test_api_takes_pil_images_as_arrays(checkpoint):
  """PIL images (an RGBA-free RGB image, an 'L' mask) give the same
  prediction as the arrays they hold."""
  support, s_mask = images.scene(90, 70, 0)
  query = images.scene(50, 80, 1)[0]
  predictor = inference.Predictor(checkpoint, batch_size=2)
  [from_arrays] = predictor.predict([support], [s_mask], [query])
  [from_pil] = predictor.predict(
      [Image.fromarray(support)],
      [Image.fromarray(s_mask.astype(np.uint8) * 255)],
      [Image.fromarray(query)])
  np.testing.assert_array_equal(from_pil.probability,
                                from_arrays.probability)
  np.testing.assert_array_equal(from_pil.mask, from_arrays.mask)


def test_bad_prototype_is_a_value_error(checkpoint):
  with pytest.raises(ValueError, match="prototype must be one of") as info:
    inference.Predictor(checkpoint, prototype='mean')
  assert not isinstance(info.value, DataError)


def test_scribble_support(checkpoint, files, tmp_path):
  s_img = np.asarray(Image.open(files['support']))
  scribble = np.zeros(s_img.shape[:2], np.uint8)
  scribble[40, 25:45] = 255  # one pixel thick, inside the rectangle
  path = images.save(tmp_path / 'scribble.png', scribble)
  out = tmp_path / 'out'
  summary = predict.segment(_args(checkpoint, files, out, '--support-scribble',
                                  path))
  assert summary['annotation'] == 'scribble'
  assert (out / 'q1_mask.png').exists()


def test_missing_or_wrong_checkpoint(tmp_path):
  with pytest.raises(FileNotFoundError, match='does not exist'):
    inference.Predictor(str(tmp_path / 'nope'))
  with pytest.raises(FileNotFoundError, match='is not a params directory'):
    inference.Predictor(str(tmp_path))
  with pytest.raises(FileNotFoundError, match='is neither a params directory'):
    model_io.load_model(images.tiny_network_config(SIZE), str(tmp_path))


def test_queries_of_one_name_get_files_of_their_own(checkpoint, files,
                                                    tmp_path):
  """Issue 26, item 2: a/img.jpg, b/img.jpg and img_2.jpg were written as
  img, img_2, img_2, one query's files overwriting another's."""
  paths = []
  for i, folder in enumerate(('a', 'b', '.')):
    (tmp_path / folder).mkdir(exist_ok=True)
    name = 'img_2.png' if folder == '.' else 'img.png'
    paths.append(images.save(tmp_path / folder / name,
                             images.scene(40 + 10 * i, 50, i)[0]))
  assert prediction_files.output_names(paths) == ['img', 'img_3', 'img_2']
  out = tmp_path / 'out'
  summary = predict.segment(['--checkpoint', checkpoint, '--support',
                             files['support'], '--support_mask',
                             files['support_mask'], '--query', *paths,
                             '--out', str(out)])
  masks = [q['mask'] for q in summary['queries']]
  assert len(set(masks)) == 3
  for query, mask in zip(paths, masks):  # each file is its own query's
    assert Image.open(out / mask).size == Image.open(query).size


def test_an_out_that_cannot_be_written_is_refused_before_the_network(
    files, tmp_path):
  """Issue 26, item 11: a PermissionError traceback after the network ran.
  (The tests run as root, who may write anywhere: a file where the folder
  should be stands in for a folder one cannot write.)"""
  blocker = tmp_path / 'a_file'
  blocker.write_text('')
  with pytest.raises(SystemExit,
                     match=r'^error: --out .* cannot be written in .*a_file'):
    predict.main(['--checkpoint', 'nowhere', '--support', files['support'],
                  '--support_mask', files['support_mask'], '--query',
                  files['queries'][0], '--out', str(blocker / 'out')])


def test_the_api_turns_a_sideways_photo_upright_as_the_cli(checkpoint,
                                                           tmp_path):
  """Issue 26, item 4: Predictor.predict on Image.open(...) of a phone
  photo (EXIF orientation 6) segmented it sideways and returned a mask of
  the raw orientation; the CLI returned an upright one."""
  support, support_mask = images.scene(60, 50, 0)
  raw = images.scene(40, 70, 1)[0]  # stored 70 wide, 40 high
  exif = Image.Exif()
  exif[0x0112] = 6  # shown turned 90 degrees clockwise: 40 wide, 70 high
  Image.fromarray(raw).save(tmp_path / 'phone.jpg', exif=exif)
  predictor = inference.Predictor(checkpoint, batch_size=2)
  [from_pil] = predictor.predict([support], [support_mask],
                                 [Image.open(tmp_path / 'phone.jpg')])
  upright = image_io.read_image(str(tmp_path / 'phone.jpg'))  # as the CLI
  [from_file] = predictor.predict([support], [support_mask], [upright])
  assert upright.shape[:2] == (70, 40) and from_pil.mask.shape == (70, 40)
  np.testing.assert_array_equal(from_pil.mask, from_file.mask)
  np.testing.assert_array_equal(from_pil.probability, from_file.probability)


def test_class_id_names_the_class_from_the_checkpoints_data_set(
    checkpoint, files, tmp_path):
  """--class_id K reads label PNGs of the checkpoint's data set (the toy
  here): the pictures and predictions.json name class K as it does."""
  from smcp_jax.toy import classes  # pylint: disable=g-import-not-at-top
  s_img, s_mask = images.scene(90, 70, 0)
  label = images.save(tmp_path / 's_label.png', s_mask.astype(np.uint8) * 3)
  del s_img
  args = ['--checkpoint', checkpoint, '--support', files['support'],
          '--support_mask', label, '--class_id', '3', '--query',
          files['queries'][0]]
  summary = predict.segment(args + ['--out', str(tmp_path / 'a')])
  # Toy class 3: shape (3 - 1) % 5 = 2, a triangle; appearance
  # (fold 0 + shape 2) % 4 = 2, blue checker.
  assert summary['class_name'] == classes.class_name(3) == (
      'blue checker triangle')
  summary = predict.segment(args + ['--out', str(tmp_path / 'b'),
                                    '--class_name', 'mine'])
  assert summary['class_name'] == 'mine'
