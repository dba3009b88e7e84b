# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""The benchmark's arithmetic (FLOP count, rounds, ratios) and one tiny run."""

import json

import numpy as np
import pytest

from benchmarks import data_pipeline
from benchmarks import evaluation
from benchmarks import labelling
from benchmarks import step_profile
from benchmarks import torch_comparison


def test_encoder_flops_by_hand():
  """At 16 px: conv1 at 16, conv2 at 8, conv3 at 4, conv4 / conv5 / fc at 2."""
  layers = ([(16, 3, 64), (16, 64, 64), (8, 64, 128), (8, 128, 128),
             (4, 128, 256)] + [(4, 256, 256)] * 2 + [(2, 256, 512)]
            + [(2, 512, 512)] * 7)
  expected = sum(2 * 9 * side * side * cin * cout for side, cin, cout in layers)
  assert torch_comparison.encoder_flops(16) == expected
  assert torch_comparison.encoder_flops(417) / 1e9 == pytest.approx(160.15,
                                                                    abs=0.01)


def test_encoder_layers_by_hand():
  """Width 0.25 at 16 px: 16 -> 8 -> 4 -> 2 after the three pools, the
  channels scaled (3, 16, 32, 64, 128), dilation 2 on conv5, 4 on fc."""
  found = torch_comparison.encoder_layers(16, 0.25)
  assert [name for name, _, _ in found] == [
      'conv1_1', 'conv1_2', 'conv2_1', 'conv2_2', 'conv3_1', 'conv3_2',
      'conv3_3', 'conv4_1', 'conv4_2', 'conv4_3', 'conv5_1', 'conv5_2',
      'conv5_3', 'fc6', 'fc7']
  assert [shape for _, shape, _ in found] == (
      [(16, 16, 3), (16, 16, 16), (8, 8, 16), (8, 8, 32), (4, 4, 32)]
      + [(4, 4, 64)] * 2 + [(2, 2, 64)] + [(2, 2, 128)] * 7)
  assert [d for _, _, d in found] == [1] * 10 + [2] * 3 + [4] * 2


def test_a_tiny_layer_run_times_every_conv_in_both_libraries(tmp_path):
  out = tmp_path / 'layers.json'
  torch_comparison.main(['--layers', '--size', '33', '--width', '0.25',
                         '--batch', '2', '--repeats', '1', '--rounds', '1',
                         '--out', str(out)])
  rows = json.loads(out.read_text())['layers']
  assert [r['layer'] for r in rows] == [
      name for name, _, _ in torch_comparison.encoder_layers(33, 0.25)]
  assert all(r[f'{lib}_{what}'] > 0 for r in rows for lib in ('jax', 'torch')
             for what in ('forward', 'forward_backward'))


def test_a_tiny_labelling_run_reports_rates_and_memory(tmp_path):
  out = tmp_path / 'labelling.json'
  labelling.main(['--sizes', '33', '--batches', '2', '--images', '8',
                  '--rss', '12', '--out', str(out)])
  report = json.loads(out.read_text())
  [row] = report['throughput'].values()
  assert row['images'] == 8
  assert row['label_vs_network'] == pytest.approx(
      row['label_images_per_s'] / row['network_images_per_s'], abs=2e-3)
  memory = report['memory']['12']
  assert memory['peak_rss_mib'] >= memory['streaming_peak_rss_mib'] > 50


def test_ratio_is_the_median_of_per_round_ratios():
  runs = {'jax_train': [{'seconds': s, 'peak_rss_bytes': m}
                        for s, m in ((1.0, 5), (1.0, 7), (3.0, 6))],
          'torch_train': [{'seconds': s, 'peak_rss_bytes': 1}
                          for s in (2.0, 4.0, 3.0)]}
  results = {k: torch_comparison._aggregate(v) for k, v in runs.items()}
  assert results['jax_train']['seconds'] == 1.0
  assert results['jax_train']['peak_rss_bytes'] == 7
  # Per round 2, 4 and 1: the median 2, not 3.0 / 1.0.
  assert torch_comparison._ratio(results, 'train') == 2.0


def test_a_tiny_run_writes_consistent_numbers(tmp_path):
  out = tmp_path / 'report.json'
  torch_comparison.main(['--size', '33', '--repeats', '1', '--rounds', '2',
                         '--only', 'jax_encoder', 'torch_encoder',
                         '--skip-data', '--out', str(out)])
  report = json.loads(out.read_text())
  for name in ('jax_encoder', 'torch_encoder'):
    result = report['results'][name]
    assert len(result['seconds_per_round']) == 2
    assert result['seconds'] == pytest.approx(
        np.median(result['seconds_per_round']))
    assert result['peak_rss_bytes'] > 50 * 2**20
  # The JAX process loads converted weights: no torch in its memory.
  assert report['results']['jax_encoder']['torch_loaded'] is False
  assert report['encoder_gflop'] == pytest.approx(
      torch_comparison.encoder_flops(33) / 1e9)


def test_a_tiny_sweep_reports_episodes_per_second(tmp_path):
  """The GPU sweep's code paths (batches, bfloat16, the report), on the
  CPU at 33 px."""
  out = tmp_path / 'sweep.json'
  torch_comparison.main(['--sweep', '--size', '33', '--repeats', '1',
                         '--batches', '2', '1', '--dtypes', 'float32',
                         'bfloat16', '--what', 'infer', '--out', str(out)])
  rows = json.loads(out.read_text())['sweep']
  # One process per library and dtype measures its batches smallest first.
  assert [(r['what'], r['dtype'], r['batch']) for r in rows] == [
      ('infer', 'float32', 1), ('infer', 'float32', 2),
      ('infer', 'bfloat16', 1), ('infer', 'bfloat16', 2)]
  for row in rows:
    for lib in ('jax', 'torch'):
      assert row[lib]['batch'] == row['batch']
      assert row[lib]['episodes_per_s'] == pytest.approx(
          row['batch'] / row[lib]['seconds'])
      assert row[lib]['peak_rss_bytes'] > 50 * 2**20
    assert row['jax']['compile_seconds'] > 0
    assert row['jax_speedup'] == pytest.approx(
        row['jax']['episodes_per_s'] / row['torch']['episodes_per_s'])
  table = torch_comparison._sweep_table(rows)
  assert '| infer | bfloat16 | 2 |' in table


def test_step_profile_sums_a_trace_per_thread():
  """Hand-made Perfetto events: per-thread totals and the top names."""
  meta = lambda pid, tid, kind, name: {
      'ph': 'M', 'pid': pid, 'tid': tid, 'name': kind, 'args': {'name': name}}
  x = lambda tid, name, dur: {'ph': 'X', 'pid': 1, 'tid': tid, 'ts': 0.0,
                              'dur': dur, 'name': name}
  trace = {'traceEvents': [
      meta(1, None, 'process_name', '/device:GPU:0'),
      meta(1, 7, 'thread_name', 'Stream #7'),
      meta(1, 8, 'thread_name', 'XLA Ops'),
      x(7, 'conv_a', 30.0), x(7, 'conv_b', 50.0), x(7, 'conv_a', 25.0),
      x(8, 'fusion.1', 4.0),
      {'ph': 'i', 'pid': 1, 'tid': 7, 'name': 'ignored'}]}
  summary = step_profile.summarize_trace(trace, top=1)
  assert set(summary) == {'/device:GPU:0 / Stream #7',
                          '/device:GPU:0 / XLA Ops'}
  stream = summary['/device:GPU:0 / Stream #7']
  assert stream['total_us'] == 105.0
  assert stream['events'] == 2  # distinct names
  assert stream['top'] == [('conv_a', 55.0)]
  assert summary['/device:GPU:0 / XLA Ops']['total_us'] == 4.0


def test_the_evaluation_benchmark_times_each_batch_size(tmp_path):
  out = tmp_path / 'evaluation.json'
  evaluation.main(['--size', '33', '--width', '0.0625', '--episodes', '6',
                   '--batches', '1', '4', '--out', str(out)])
  result = json.loads(out.read_text())
  assert set(result['episodes_per_s']) == {'1', '4'}
  assert all(rate > 0 for rate in result['episodes_per_s'].values())
  assert (result['image_size'], result['episodes']) == (33, 6)


def test_the_data_pipeline_benchmark_measures_both_sources(tmp_path):
  out = tmp_path / 'data.json'
  data_pipeline.main(['--toy-sizes', '32', '--images', '60', '--steps', '2',
                      '--size', '33', '--batch', '2', '--out', str(out)])
  report = json.loads(out.read_text())
  assert [(r['images'], r['source']) for r in report['rows']] == [
      ('toy 32x32', 'files'), ('toy 32x32', 'tfds')]
  for row in report['rows']:
    assert row['train_episodes_per_s'] > 0 and row['test_episodes_per_s'] > 0
    assert 0 < row['reader_memory_mb'] < row['peak_rss_mb']
  # torch_comparison's report prints a line per source.
  lines = [line for line in torch_comparison._table({
      'results': {f'{lib}_{key}': torch_comparison._aggregate(
          [{'seconds': 1.0, 'peak_rss_bytes': 2**20}])
                  for lib in ('jax', 'torch')
                  for key in ('infer', 'train', 'encoder', 'encoder_grad')},
      'encoder_gflop': 1.0, 'matmul_peak_gflops': 10.0,
      'data_pipeline': report}).splitlines() if 'data pipeline' in line]
  assert len(lines) == 2 and 'tfds source' in lines[1]
