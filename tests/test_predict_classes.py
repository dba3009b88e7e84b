# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Several classes at once: Predictor.predict_classes and the predict CLI's
--support-class (one palette label map per query, a legend in the panel)."""

import json
import os

import numpy as np
from PIL import Image
import pytest

from smcp_jax import predict
from smcp_jax.checkpoints import model_io
from smcp_jax.checkpoints import params_io
from smcp_jax.evaluation import visualize
from smcp_jax.serving import predictor as inference
from tests.helpers import images


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
  """A random network whose classifier is scaled up, so that its answers
  differ from class to class and pixel to pixel (a plain random one says
  background, near 0.5, everywhere)."""
  run = tmp_path_factory.mktemp('run')
  config = images.tiny_network_config(41)
  model = model_io.create_model(config)
  for branch in model.head.classifier.branches:
    branch.kernel[...] = branch.kernel[...] * 300
  params_io.save_params(str(run / 'params'), params_io.model_params(model),
                        model_config=config.model.to_dict(), scope='full',
                        source='test')
  (run / 'config.json').write_text(config.to_json())
  return str(run / 'params')


def _classes():
  """Two classes; the second with two shots."""
  cat, cat_mask = images.scene(60, 50, 0)
  dog, dog_mask = images.scene(70, 80, 1, box=(0.1, 0.1, 0.4, 0.4))
  other, other_mask = images.scene(64, 64, 2, box=(0.5, 0.5, 0.9, 0.8))
  return {'cat': ([cat], [cat_mask]), 'dog': ([dog, other],
                                              [dog_mask, other_mask])}


def _queries():
  return [images.scene(50, 60, 3)[0], images.scene(90, 40, 4)[0],
          images.scene(33, 47, 5)[0]]


def test_each_class_is_its_own_binary_prediction_combined(checkpoint):
  predictor = inference.Predictor(checkpoint, batch_size=2)
  classes, queries = _classes(), _queries()
  results = predictor.predict_classes(classes, queries)
  alone = [predictor.predict(images, masks, queries)
           for images, masks in classes.values()]
  for i, (query, result) in enumerate(zip(queries, results)):
    assert result.names == ('cat', 'dog')
    assert result.labels.shape == query.shape[:2]
    assert result.labels.dtype == np.uint8
    assert result.probabilities.shape == (2,) + query.shape[:2]
    # Class j's probability is its binary prediction alone (the query is
    # encoded once instead of once per class).
    for j in range(2):
      np.testing.assert_allclose(result.probabilities[j],
                                 alone[j][i].probability, atol=1e-6)
    # The rule: the most probable class where it says foreground. (The
    # network decides on logits; where two float32 probabilities round to
    # the same value either class may win.)
    probabilities = result.probabilities
    best = np.argmax(probabilities, axis=0)
    top = np.take_along_axis(probabilities, best[None], 0)[0]
    tied = probabilities[0] == probabilities[1]
    expected = np.where(top > 0.5, best + 1, 0)
    assert tied.mean() < 0.05
    np.testing.assert_array_equal(result.labels[~tied], expected[~tied])
    np.testing.assert_array_equal(result.labels[tied] > 0, top[tied] > 0.5)
  # Both classes win somewhere: the check above compared real choices.
  assert set(np.unique(np.concatenate(
      [r.labels.ravel() for r in results]))) >= {1, 2}


def test_one_class_is_the_binary_prediction(checkpoint):
  predictor = inference.Predictor(checkpoint, batch_size=2)
  images, masks = _classes()['dog']
  queries = _queries()
  for several, one in zip(
      predictor.predict_classes({'dog': (images, masks)}, queries),
      predictor.predict(images, masks, queries)):
    np.testing.assert_array_equal(several.labels == 1, one.mask)


def test_a_bad_class_is_named(checkpoint):
  predictor = inference.Predictor(checkpoint, batch_size=2)
  image, mask = images.scene(40, 40, 0)
  with pytest.raises(ValueError, match='at least one class'):
    predictor.predict_classes({}, [image])
  with pytest.raises(ValueError, match="class 'dog' support: give one mask"):
    predictor.predict_classes({'cat': ([image], [mask]),
                               'dog': ([image], [])}, [image])


@pytest.fixture
def files(tmp_path):
  paths = {'support': [], 'mask': [], 'class': [], 'query': []}
  for name, (supports, masks) in _classes().items():
    for k, (image, mask) in enumerate(zip(supports, masks)):
      paths['support'].append(images.save(tmp_path / f'{name}{k}.jpg', image))
      paths['mask'].append(images.save(tmp_path / f'{name}{k}.png',
                                       mask.astype(np.uint8) * 255))
      paths['class'].append(name)
  paths['query'] = [images.save(tmp_path / f'q{i}.png', query)
                    for i, query in enumerate(_queries())]
  return paths


def _cli_args(checkpoint, files, out):
  args = ['--checkpoint', checkpoint, '--out', str(out),
          '--query', *files['query']]
  for support, mask, name in zip(files['support'], files['mask'],
                                 files['class']):
    args += ['--support', support, '--support-mask', mask,
             '--support-class', name]
  return args


def test_cli_writes_one_palette_label_map_per_query(checkpoint, files,
                                                    tmp_path):
  out = tmp_path / 'out'
  summary = predict.segment(_cli_args(checkpoint, files, out))
  stems = ['q0', 'q1', 'q2']
  assert sorted(os.listdir(out)) == sorted(
      ['panel.png', 'predictions.json']
      + [f'{stem}_{kind}' for stem in stems
         for kind in ('labels.png', 'prob.npy', 'overlay.png')])
  # The files hold what the API answers, pixel for pixel: the CLI reads
  # the same images the API gets here (PNG queries, lossy JPEG supports).
  predictor = inference.Predictor(checkpoint)
  classes = {}
  for support, mask, name in zip(files['support'], files['mask'],
                                 files['class']):
    images, masks = classes.setdefault(name, ([], []))
    images.append(np.asarray(Image.open(support).convert('RGB')))
    masks.append(np.asarray(Image.open(mask)) > 0)
  expected = predictor.predict_classes(
      classes, [np.asarray(Image.open(q)) for q in files['query']])
  for stem, result in zip(stems, expected):
    labels = Image.open(out / f'{stem}_labels.png')
    assert labels.mode == 'P'
    np.testing.assert_array_equal(np.asarray(labels), result.labels)
    palette = labels.getpalette()
    assert palette[3:6] == list(visualize.class_colour(1))
    assert palette[6:9] == list(visualize.class_colour(2))
    np.testing.assert_allclose(np.load(out / f'{stem}_prob.npy'),
                               result.probabilities, atol=1e-6)
  saved = json.loads((out / 'predictions.json').read_text())
  assert {**saved, 'out': str(out)} == summary
  assert [(c['label'], c['name'], c['shots']) for c in saved['classes']] == [
      (1, 'cat', 1), (2, 'dog', 2)]
  assert saved['classes'][1]['supports'] == [
      {'image': files['support'][k], 'mask': files['mask'][k]}
      for k in (1, 2)]
  for record, result in zip(saved['queries'], expected):
    counts = np.bincount(result.labels.ravel(), minlength=3)
    assert record['background_fraction'] == pytest.approx(
        counts[0] / result.labels.size)
    assert record['class_fractions'] == pytest.approx(
        {'cat': counts[1] / result.labels.size,
         'dog': counts[2] / result.labels.size})
  # Rows: the three supports, the queries, the predictions; the legend
  # below shows each class's colour.
  panel = np.asarray(Image.open(out / 'panel.png'))
  assert panel.shape[:2] == (
      visualize.CAPTION + 3 * (visualize.TILE + visualize.CAPTION)
      + visualize.CAPTION + 4, 3 * visualize.TILE)
  legend = panel[-visualize.CAPTION:].reshape(-1, 3)
  for label in (1, 2):
    assert (legend == visualize.class_colour(label)).all(axis=1).any()


@pytest.mark.parametrize('extra, words', [
    (['--support-class', 'cat'], 'name the class of every support'),
    (['--class_name', 'x'], '--class_name is for one class'),
    (['--class-id', '1'], '--class_id is for one class'),  # old spelling
])
def test_cli_bad_classes_say_what(checkpoint, files, tmp_path, extra, words):
  out = tmp_path / 'out'
  with pytest.raises(SystemExit) as exit_info:
    predict.main(_cli_args(checkpoint, files, out) + extra)
  assert words in str(exit_info.value), str(exit_info.value)
  assert not out.exists()
