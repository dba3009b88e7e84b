# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""smcp-jax against the PyTorch reference of the parity tests, side by side.

  python -m benchmarks.torch_comparison [--size 417] [--width 1.0]
      [--batch 1] [--repeats 5] [--rounds 3] [--out F]

Same network (the authors' variant, same weights through the converter),
same machine, same thread count, after warm-up, median of --repeats. Each
measurement runs in its own process so that its peak RSS is its own, and
the whole set runs --rounds times interleaved; ratios are the median of
the per-round ratios, which shared-host noise disturbs far less than the
absolute times:
  jax_infer / torch_infer   one-shot fused-prototype inference
  jax_train / torch_train   forward + backward + SGD update
  jax_encoder / torch_encoder   the encoder forward (FLOP/s vs matmul peak)
  jax_encoder_grad / torch_encoder_grad   encoder forward + backward
and, once, the data pipeline's episodes/s (benchmarks.data_pipeline) and
evaluation's, end to end (benchmarks.evaluation). The JAX processes load
weights converted beforehand and never import torch.
`--weight-grad xla` measures JAX without the patch-matmul weight gradient.
`--width` scales the channels (0.25: the toy's network, as the demo
trains it), `--batch` is the episodes per call (the demo trains 8).

  python -m benchmarks.torch_comparison --layers [--size 129 --width 0.25
      --batch 8]

times each convolution of the encoder alone (forward; forward + backward
to its input and weights) at its own input shape, in both libraries.

  python -m benchmarks.torch_comparison --sweep [--device gpu]
      [--batches 1 2 4 8 16 32] [--dtypes float32 bfloat16] [--what infer train]

sweeps inference and the train step over batches (episodes) and dtypes
(JAX: the network's compute dtype, parameters float32; torch: autocast),
reporting episodes/s and peak memory (the device's on a GPU, peak RSS on
the CPU). `--device gpu` needs the CUDA builds of JAX and torch.
Needs the `test` extra (torch). Prints a table; writes JSON.
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

MEASUREMENTS = ('jax_infer', 'torch_infer', 'jax_train', 'torch_train',
                'jax_encoder', 'torch_encoder', 'jax_encoder_grad',
                'torch_encoder_grad')
LAYER_MEASUREMENTS = ('jax_layers', 'torch_layers')


def encoder_flops(size: int, width: float = 1.0) -> float:
  """Multiply-adds x 2 of the encoder's convolutions (biases ignored)."""
  from smcp_jax.models import layers  # pylint: disable=g-import-not-at-top
  from smcp_jax.models import vgg  # pylint: disable=g-import-not-at-top
  flops, side, in_ch = 0.0, size, 3
  for item in vgg.VGG16_LAYOUT + (('fc6', 512, 4), ('fc7', 512, 4)):
    if item == 'pool':
      side //= 2
      continue
    out_ch = layers.scaled(item[1], width)
    flops += 2.0 * side * side * in_ch * out_ch * 9
    in_ch = out_ch
  return flops


def _median_time(fn, repeats: int) -> float:
  fn()  # warm-up (compiles)
  times = []
  for _ in range(repeats):
    start = time.perf_counter()
    fn()
    times.append(time.perf_counter() - start)
  return float(np.median(times))


def _episode(size: int, batch: int = 1):
  from benchmarks import random_episode  # pylint: disable=g-import-not-at-top
  support, masks, query = random_episode.episode(size, batch=batch, seed=0)
  rng = np.random.default_rng(0)
  labels = {'query_label': (rng.random((batch, size, size)) < 0.3).astype(
      np.uint8), 'support_label': masks.astype(np.uint8),
            'query_mcl_label': rng.integers(0, 21, (batch, size, size))
            .astype(np.uint8),
            'support_mcl_label': rng.integers(0, 21, (batch, 1, size, size))
            .astype(np.uint8)}
  return support, masks, query, labels


def _torch_model(width: float = 1.0):
  import torch  # pylint: disable=g-import-not-at-top

  from weights_conversion import torch_reference  # pylint: disable=g-import-not-at-top
  torch.manual_seed(0)
  torch.set_num_threads(os.cpu_count())
  return torch_reference.AuthorsSMCP(width=width).eval()


def encoder_layers(size: int, width: float):
  """(name, input shape (side, side, channels), dilation) of each
  convolution of the encoder, in order."""
  from smcp_jax.models import layers  # pylint: disable=g-import-not-at-top
  from smcp_jax.models import vgg  # pylint: disable=g-import-not-at-top
  found, side, in_ch = [], size, 3
  for item in vgg.VGG16_LAYOUT + (('fc6', 512, 4), ('fc7', 512, 4)):
    if item == 'pool':
      side //= 2
      continue
    found.append((item[0], (side, side, in_ch), item[2]))
    in_ch = layers.scaled(item[1], width)
  return found


def _jax_layers(params_dir, size, width, batch, repeats, weight_grad,
                dilated, conv3x3) -> list[dict]:
  """Per encoder convolution: median seconds of its forward and of its
  forward + backward (to input and parameters), jitted alone."""
  from flax import nnx  # pylint: disable=g-import-not-at-top
  import jax  # pylint: disable=g-import-not-at-top
  import jax.numpy as jnp  # pylint: disable=g-import-not-at-top
  model = _jax_model(params_dir, weight_grad, 'float32', dilated, conv3x3)
  rows = []
  for name, shape, _ in encoder_layers(size, width):
    graphdef, params = nnx.split(getattr(model.encoder, name), nnx.Param)
    x = jnp.asarray(np.random.default_rng(0).standard_normal(
        (batch,) + shape, np.float32))
    forward = jax.jit(lambda p, x, g=graphdef: nnx.merge(g, p)(x))
    backward = jax.jit(jax.grad(
        lambda p, x, g=graphdef: jnp.sum(nnx.merge(g, p)(x)), (0, 1)))
    rows.append({'layer': name, 'input': list(shape), **{
        key: _median_time(lambda f=f: jax.block_until_ready(f(params, x)),
                          repeats)
        for key, f in (('forward', forward), ('forward_backward', backward))}})
  return rows


def _torch_layers(size, width, batch, repeats) -> list[dict]:
  """As _jax_layers, for the torch reference's convolutions."""
  import torch  # pylint: disable=g-import-not-at-top
  convs = [m for m in _torch_model(width).features
           if isinstance(m, torch.nn.Conv2d)]
  rows = []
  for (name, shape, _), conv in zip(encoder_layers(size, width), convs):
    x = torch.from_numpy(np.random.default_rng(0).standard_normal(
        (batch, shape[2], shape[0], shape[1]), np.float32))
    grad_x = x.clone().requires_grad_()

    def forward(conv=conv, x=x):
      with torch.no_grad():
        conv(x)

    def backward(conv=conv, x=grad_x):
      conv.zero_grad()
      conv(x).sum().backward()

    rows.append({'layer': name, 'input': list(shape),
                 'forward': _median_time(forward, repeats),
                 'forward_backward': _median_time(backward, repeats)})
  return rows


def convert_reference(directory: str, width: float = 1.0) -> str:
  """The torch reference's weights through the converter, into
  `directory`/converted: what every JAX measurement loads, so that JAX
  processes never import torch (its memory would count as theirs)."""
  from weights_conversion import smcp_checkpoint  # pylint: disable=g-import-not-at-top
  from weights_conversion import torch_reference  # pylint: disable=g-import-not-at-top
  pth = os.path.join(directory, 'model.pth')
  out = os.path.join(directory, 'converted')
  torch_reference.save_as_authors_checkpoint(_torch_model(width), pth)
  smcp_checkpoint.main(['--pth', pth, '--out', out])
  return out


def _jax_model(params_dir, weight_grad, dtype, dilated='xla',
               conv3x3='auto'):
  from flax import nnx  # pylint: disable=g-import-not-at-top
  import jax.numpy as jnp  # pylint: disable=g-import-not-at-top

  from smcp_jax.checkpoints import params_io  # pylint: disable=g-import-not-at-top
  from smcp_jax.models import smcp  # pylint: disable=g-import-not-at-top
  params, meta = params_io.load_params(params_dir)
  model = smcp.SMCP(**meta['model'], conv_weight_grad=weight_grad,
                    dilated_conv=dilated, conv3x3=conv3x3,
                    dtype=jnp.bfloat16 if dtype == 'bfloat16' else None,
                    rngs=nnx.Rngs(0))
  params_io.assign_params(model, params, scope=meta['scope'])
  return model


def _device_peak_bytes(device: str) -> dict:
  """The accelerator's peak memory of this process (nothing on the CPU,
  where peak RSS stands for it)."""
  if device != 'gpu':
    return {}
  import jax  # pylint: disable=g-import-not-at-top
  stats = jax.local_devices()[0].memory_stats() or {}
  return {'peak_device_bytes': stats.get('peak_bytes_in_use')}


def _jax_step(name, graphdef, params, size, batch):
  """The jitted function of one JAX measurement, its arguments, and how many
  of them its outputs replace: the train step donates its parameters and
  optimizer state and returns the new ones, as train_lib's does."""
  from flax import nnx  # pylint: disable=g-import-not-at-top
  import jax  # pylint: disable=g-import-not-at-top
  import jax.numpy as jnp  # pylint: disable=g-import-not-at-top
  import optax  # pylint: disable=g-import-not-at-top

  from smcp_jax.train import losses  # pylint: disable=g-import-not-at-top
  support, masks, query, labels = _episode(size, batch)
  if name == 'jax_infer':
    fn = jax.jit(lambda p, s, m, q: nnx.merge(graphdef, p).infer(
        s, m, q, mode='fused')['logits'])
    return fn, (params, support, masks, query), 0
  if name == 'jax_train':
    tx = optax.chain(optax.add_decayed_weights(5e-4),
                     optax.sgd(2.5e-4, momentum=0.9))
    arrays = {'support_images': support, 'support_masks': masks,
              'query_image': query, **labels}

    def step(p, opt_state, arrays):
      def loss_fn(p):
        out = nnx.merge(graphdef, p)(arrays['support_images'],
                                     arrays['support_masks'],
                                     arrays['query_image'])
        return losses.smcp_loss(out, arrays, 0.1)[0]
      grads = jax.grad(loss_fn)(p)
      updates, opt_state = tx.update(grads, opt_state, p)
      return optax.apply_updates(p, updates), opt_state

    return (jax.jit(step, donate_argnums=(0, 1)),
            (params, tx.init(params), arrays), 2)
  if name == 'jax_encoder':
    fn = jax.jit(lambda p, q: nnx.merge(graphdef, p).encoder(q))
    return fn, (params, query), 0
  fn = jax.jit(jax.grad(lambda p, q: jnp.sum(  # jax_encoder_grad
      nnx.merge(graphdef, p).encoder(q))))
  return fn, (params, query), 0


def runner(compiled, args, carried: int):
  """A callable that runs `compiled` once and waits for it, feeding its
  outputs back in as the first `carried` arguments (donated buffers are
  gone after a call)."""
  import jax  # pylint: disable=g-import-not-at-top
  current = list(args)

  def run():
    out = jax.block_until_ready(compiled(*current))
    if carried:
      current[:carried] = out
  return run


def _measure_jax(name, size, repeats, weight_grad, params_dir,
                 batches=(1,), dtype='float32', device='cpu',
                 dilated='xla', conv3x3='auto'):
  """One result per batch, batches in increasing order: the process's
  peak memory so far is then the largest batch's own."""
  from flax import nnx  # pylint: disable=g-import-not-at-top
  import jax  # pylint: disable=g-import-not-at-top

  from smcp_jax.train import host_memory  # pylint: disable=g-import-not-at-top
  if device == 'gpu' and jax.default_backend() != 'gpu':
    raise SystemExit('--device gpu: JAX sees no GPU (install jax[cuda12])')
  model = _jax_model(params_dir, weight_grad, dtype, dilated, conv3x3)
  graphdef, params = nnx.split(model, nnx.Param)
  results = []
  for batch in sorted(batches):
    fn, args, carried = _jax_step(name, graphdef, params, size, batch)
    start = time.perf_counter()
    compiled = fn.lower(*args).compile()
    result = {'batch': batch,
              'compile_seconds': time.perf_counter() - start}
    if name == 'jax_train':  # as train_lib does after compiling its step
      host_memory.release_freed_heap()
    memory = compiled.memory_analysis()
    if memory is not None:
      result['xla_temp_bytes'] = int(memory.temp_size_in_bytes)
    result['seconds'] = _median_time(runner(compiled, args, carried),
                                     repeats)
    result['device_kind'] = jax.devices()[0].device_kind
    result['torch_loaded'] = 'torch' in sys.modules  # must be False
    result.update(_device_peak_bytes(device))
    result['peak_rss_bytes'] = _peak_rss_bytes()
    results.append(result)
    del compiled, args
  return results


def _torch_loss(outputs, labels):
  import torch  # pylint: disable=g-import-not-at-top
  import torch.nn.functional as F  # pylint: disable=g-import-not-at-top

  def ce(logits, label):
    logits = F.interpolate(logits, size=label.shape[-2:], mode='bilinear',
                           align_corners=False)
    return F.cross_entropy(
        logits.float(), torch.from_numpy(label).long().to(logits.device),
        ignore_index=255)

  return (ce(outputs['query'], labels['query_label'])
          + ce(outputs['support'], labels['support_label'][:, 0])
          + 0.1 * (ce(outputs['query_mcl'], labels['query_mcl_label'])
                   + ce(outputs['support_mcl'],
                        labels['support_mcl_label'][:, 0])))


def _torch_step(name, model, size, batch, dtype, where):
  """The function of one torch measurement (synchronised on CUDA)."""
  import torch  # pylint: disable=g-import-not-at-top

  from weights_conversion import torch_reference  # pylint: disable=g-import-not-at-top
  support, masks, query, labels = _episode(size, batch)
  s = torch_reference.to_torch_images(support[:, 0]).to(where)
  m = torch.from_numpy(masks[:, 0]).to(where)
  q = torch_reference.to_torch_images(query).to(where)
  # bfloat16: autocast, as torch users run mixed precision.
  cast = lambda: torch.autocast(where, dtype=torch.bfloat16,
                                enabled=dtype == 'bfloat16')
  if name == 'torch_infer':
    model.eval()
    s_k, m_k = s[:, None], m[:, None]

    def step():
      with torch.no_grad(), cast():
        model.infer(s_k, m_k, q, mode='fused')
  elif name == 'torch_train':
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=2.5e-4, momentum=0.9,
                                weight_decay=5e-4)

    def step():
      optimizer.zero_grad()
      with cast():
        loss = _torch_loss(model(s, m, q), labels)
      loss.backward()
      optimizer.step()
  elif name == 'torch_encoder':
    def step():
      with torch.no_grad(), cast():
        model.features(q)
  else:  # torch_encoder_grad
    def step():
      model.zero_grad()
      with cast():
        out = model.features(q)
      out.float().sum().backward()
  if where != 'cuda':
    return step

  def synchronised():
    step()
    torch.cuda.synchronize()

  return synchronised


def _measure_torch(name, size, repeats, batches=(1,), dtype='float32',
                   device='cpu', width=1.0):
  """One result per batch, as _measure_jax."""
  import torch  # pylint: disable=g-import-not-at-top
  where = 'cuda' if device == 'gpu' else 'cpu'
  if where == 'cuda' and not torch.cuda.is_available():
    raise SystemExit('--device gpu: torch sees no GPU (install a CUDA build)')
  # cuDNN's autotuner, as torch users enable it for fixed input sizes.
  torch.backends.cudnn.benchmark = where == 'cuda'
  model = _torch_model(width).to(where)
  results = []
  for batch in sorted(batches):
    if where == 'cuda':
      torch.cuda.reset_peak_memory_stats()
    step = _torch_step(name, model, size, batch, dtype, where)
    result = {'batch': batch, 'seconds': _median_time(step, repeats),
              'threads': torch.get_num_threads(),
              'peak_rss_bytes': _peak_rss_bytes()}
    if where == 'cuda':
      result['peak_device_bytes'] = torch.cuda.max_memory_allocated()
    results.append(result)
    del step
  return results


def matmul_peak(n: int = 2048, repeats: int = 5) -> float:
  """float32 matmul GFLOP/s: the best of JAX (XLA) and torch here."""
  import jax  # pylint: disable=g-import-not-at-top
  import torch  # pylint: disable=g-import-not-at-top
  torch.set_num_threads(os.cpu_count())
  a = np.random.default_rng(0).random((n, n), np.float32)
  dot = jax.jit(lambda x: x @ x)
  x = jax.device_put(a)
  t_jax = _median_time(lambda: dot(x).block_until_ready(), repeats)
  xt = torch.from_numpy(a)
  t_torch = _median_time(lambda: xt @ xt, repeats)
  return 2.0 * n**3 / min(t_jax, t_torch) / 1e9


def _peak_rss_bytes() -> int:
  return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _child(name, args):
  setting = {'batches': args.batches, 'dtype': args.dtype,
             'device': args.device}
  if name == 'jax_layers':
    results = _jax_layers(args.params, args.size, args.width,
                          args.batches[0], args.repeats, args.weight_grad,
                          args.dilated_conv, args.conv3x3)
  elif name == 'torch_layers':
    results = _torch_layers(args.size, args.width, args.batches[0],
                            args.repeats)
  elif name.startswith('jax'):
    results = _measure_jax(name, args.size, args.repeats, args.weight_grad,
                           args.params, dilated=args.dilated_conv,
                           conv3x3=args.conv3x3, **setting)
  else:
    results = _measure_torch(name, args.size, args.repeats,
                             width=args.width, **setting)
  print(json.dumps(results))


def _run_child(name, args, batches=(1,), dtype='float32') -> list[dict]:
  """Runs one measurement over `batches` in a process of its own."""
  env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2')
  out = subprocess.run(
      [sys.executable, '-m', 'benchmarks.torch_comparison', '--child', name,
       '--size', str(args.size), '--width', str(args.width),
       '--repeats', str(args.repeats),
       '--weight-grad', args.weight_grad, '--device', args.device,
       '--batches', *map(str, batches), '--dtype', dtype,
       '--params', args.params, '--dilated-conv', args.dilated_conv,
       '--conv3x3', args.conv3x3],
      env=env, check=True, capture_output=True, text=True).stdout
  return json.loads(out.strip().splitlines()[-1])


def sweep(args, on_row=lambda rows: None) -> list[dict]:
  """Episodes/s and peak memory of inference and the train step of both
  libraries, for every batch and dtype asked for; one process per library,
  what and dtype (a GPU process starts in seconds, so not one per batch).
  `on_row` sees the rows so far after each (what, dtype)."""
  rows = []
  for what in args.what:
    for dtype in args.dtypes:
      print(f'sweep: {what}, {dtype}, batches {args.batches} ...',
            flush=True)
      per_lib = {lib: _run_child(f'{lib}_{what}', args, args.batches, dtype)
                 for lib in ('jax', 'torch')}
      for j, t in zip(per_lib['jax'], per_lib['torch']):
        row = {'what': what, 'dtype': dtype, 'batch': j['batch'],
               'jax': {**j, 'episodes_per_s': j['batch'] / j['seconds']},
               'torch': {**t, 'episodes_per_s': t['batch'] / t['seconds']}}
        row['jax_speedup'] = (row['jax']['episodes_per_s']
                              / row['torch']['episodes_per_s'])
        rows.append(row)
      on_row(rows)
  return rows


def _sweep_table(rows) -> str:
  memory = lambda r: (r.get('peak_device_bytes') or r['peak_rss_bytes'])
  lines = ['| what | dtype | batch | smcp-jax episodes/s | PyTorch episodes/s '
           '| smcp-jax / PyTorch | peak memory jax / torch MB |',
           '|---|---|---|---|---|---|---|']
  for row in rows:
    j, t = row['jax'], row['torch']
    lines.append(
        f'| {row["what"]} | {row["dtype"]} | {row["batch"]} | '
        f'{j["episodes_per_s"]:.2f} | {t["episodes_per_s"]:.2f} | '
        f'{row["jax_speedup"]:.2f}x | {memory(j) / 2**20:.0f} / '
        f'{memory(t) / 2**20:.0f} |')
  return '\n'.join(lines)


def _data_pipeline(size: int) -> dict:
  """benchmarks.data_pipeline on the generated 128 px toy set, in its own
  process."""
  return _in_process('benchmarks.data_pipeline', size, '--toy-sizes', '128')


def _in_process(module: str, size: int, *args: str) -> dict:
  """The JSON result of benchmark `module` at `size`, run in its own
  process."""
  with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, 'result.json')
    subprocess.run([sys.executable, '-m', module, '--size', str(size),
                    '--out', out, *args],
                   env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL='2'), check=True,
                   capture_output=True)
    with open(out) as f:
      return json.load(f)


def _aggregate(runs):
  """Per measurement: median seconds over the rounds, the largest RSS."""
  merged = dict(runs[0])
  merged['seconds'] = float(np.median([r['seconds'] for r in runs]))
  merged['seconds_per_round'] = [r['seconds'] for r in runs]
  merged['peak_rss_bytes'] = max(r['peak_rss_bytes'] for r in runs)
  return merged


def _ratio(results, key) -> float:
  """Median over rounds of torch / jax within each round: the two ran
  minutes apart, so host noise mostly cancels."""
  pairs = zip(results[f'torch_{key}']['seconds_per_round'],
              results[f'jax_{key}']['seconds_per_round'])
  return float(np.median([t / j for t, j in pairs]))


def _layer_rows(runs) -> list[dict]:
  """Per layer: the median over rounds of each library's times."""
  rows = []
  for n, first in enumerate(runs['jax_layers'][0]):
    row = {'layer': first['layer'], 'input': first['input']}
    for lib in ('jax', 'torch'):
      for key in ('forward', 'forward_backward'):
        row[f'{lib}_{key}'] = float(np.median(
            [r[n][key] for r in runs[f'{lib}_layers']]))
    rows.append(row)
  return rows


def _layer_table(rows) -> str:
  ms = lambda s: f'{1e3 * s:.2f}'
  lines = ['| layer | input (side, channels) | forward ms jax / torch | '
           'fwd + bwd ms jax / torch | torch / jax fwd | torch / jax '
           'fwd + bwd |', '|---|---|---|---|---|---|']
  total = {k: 0.0 for k in rows[0] if k.startswith(('jax', 'torch'))}
  for row in rows + [None]:
    if row is None:
      row = {'layer': 'all', 'input': None, **total}
    else:
      total = {k: v + row[k] for k, v in total.items()}
    shape = f'{row["input"][0]}, {row["input"][2]}' if row['input'] else ''
    lines.append(
        f'| {row["layer"]} | {shape} | {ms(row["jax_forward"])} / '
        f'{ms(row["torch_forward"])} | {ms(row["jax_forward_backward"])} / '
        f'{ms(row["torch_forward_backward"])} | '
        f'{row["torch_forward"] / row["jax_forward"]:.2f}x | '
        f'{row["torch_forward_backward"] / row["jax_forward_backward"]:.2f}x'
        ' |')
  return '\n'.join(lines)


def _table(report) -> str:
  r, flops = report['results'], report['encoder_gflop']
  peak = report['matmul_peak_gflops']
  rows = [('one-shot inference (fused)', 'infer'),
          ('train step (fwd + bwd + SGD)', 'train'),
          ('encoder forward', 'encoder'),
          ('encoder forward + backward', 'encoder_grad')]
  lines = ['| what | smcp-jax s | PyTorch s | PyTorch / smcp-jax | '
           'peak RSS jax / torch MB |', '|---|---|---|---|---|']
  for label, key in rows:
    j, t = r[f'jax_{key}'], r[f'torch_{key}']
    lines.append(
        f'| {label} | {j["seconds"]:.3f} | {t["seconds"]:.3f} | '
        f'{_ratio(r, key):.2f}x | '
        f'{j["peak_rss_bytes"] / 2**20:.0f} / '
        f'{t["peak_rss_bytes"] / 2**20:.0f} |')
  data = report.get('data_pipeline')
  if data:
    for row in data['rows']:
      lines.append(f'data pipeline at {data["image_size"]} px, '
                   f'{row["images"]}, {row["source"]} source: '
                   f'{row["train_episodes_per_s"]} training episodes/s '
                   f'(tf.data), {row["test_episodes_per_s"]} test '
                   'episodes/s (one thread)')
  evaluation = report.get('evaluation')
  if evaluation:
    rates = ', '.join(f'{r} (batch {b})' for b, r in
                      evaluation['episodes_per_s'].items())
    lines.append(f'evaluation at {evaluation["image_size"]} px, end to end '
                 f'(benchmarks.evaluation): {rates} episodes/s')
  for key, factor in (('encoder', 1), ('encoder_grad', 3)):
    for lib in ('jax', 'torch'):
      rate = factor * flops / r[f'{lib}_{key}']['seconds']
      lines.append(f'{lib} {key}: {rate:.1f} GFLOP/s = '
                   f'{100 * rate / peak:.0f}% of the {peak:.0f} GFLOP/s '
                   'matmul peak')
  return '\n'.join(lines)


def main(argv=None):
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--size', type=int, default=417)
  parser.add_argument('--width', type=float, default=1.0,
                      help='channel multiplier of both networks')
  parser.add_argument('--batch', type=int, default=1,
                      help='episodes per call')
  parser.add_argument('--layers', action='store_true',
                      help='time each encoder convolution alone instead')
  parser.add_argument('--repeats', type=int, default=5)
  parser.add_argument('--rounds', type=int, default=3,
                      help='times every measurement runs, interleaved')
  parser.add_argument('--weight-grad', default='auto',
                      choices=('auto', 'xla', 'patch_matmul'),
                      help='config.model.conv_weight_grad of the JAX model')
  parser.add_argument('--dilated-conv', default='xla',
                      choices=('xla', 'phases'),
                      help='config.model.dilated_conv of the JAX model')
  parser.add_argument('--conv3x3', default='auto',
                      choices=('auto', 'direct', 'winograd'),
                      help='config.model.conv3x3 of the JAX model')
  parser.add_argument('--only', nargs='+', default=list(MEASUREMENTS),
                      choices=MEASUREMENTS)
  parser.add_argument('--skip-data', action='store_true',
                      help='leave out the data pipeline and evaluation '
                      'measurements')
  parser.add_argument('--device', default='cpu', choices=('cpu', 'gpu'),
                      help='gpu: JAX on its GPU backend against torch on CUDA'
                      ' (install jax[cuda12] and a CUDA torch there)')
  parser.add_argument('--sweep', action='store_true',
                      help='episodes/s over --batches x --dtypes for --what '
                      'instead of the batch-1 float32 set')
  parser.add_argument('--batches', type=int, nargs='+',
                      default=[1, 2, 4, 8, 16, 32])
  parser.add_argument('--dtypes', nargs='+', default=['float32', 'bfloat16'],
                      choices=('float32', 'bfloat16'))
  parser.add_argument('--what', nargs='+', default=['infer', 'train'],
                      choices=('infer', 'train'))
  parser.add_argument('--child', choices=MEASUREMENTS + LAYER_MEASUREMENTS,
                      help=argparse.SUPPRESS)
  parser.add_argument('--dtype', default='float32', help=argparse.SUPPRESS)
  parser.add_argument('--params', help=argparse.SUPPRESS)
  parser.add_argument('--out', default='benchmarks/torch_comparison.json')
  args = parser.parse_args(argv)
  if args.child:
    _child(args.child, args)
    return
  with tempfile.TemporaryDirectory() as tmp:
    args.params = convert_reference(tmp, args.width)
    _compare(args)


def _compare(args):
  """The measurements of main() with the converted weights in args.params."""
  machine = (f'{platform.processor() or platform.machine()}, '
             f'{os.cpu_count()} cores, device {args.device}')
  if args.sweep:
    report = {'machine': machine, 'size': args.size,
              'repeats': args.repeats}

    def write(rows):  # after each (what, dtype): a cut-off run keeps those
      report['sweep'] = rows
      with open(args.out, 'w') as f:
        json.dump(report, f, indent=2)

    sweep(args, on_row=write)
    print(_sweep_table(report['sweep']))
    print(f'report: {args.out}')
    return
  setting = {'machine': machine, 'size': args.size, 'width': args.width,
             'batch': args.batch, 'repeats': args.repeats,
             'rounds': args.rounds, 'weight_grad': args.weight_grad,
             'conv3x3': args.conv3x3}
  names = LAYER_MEASUREMENTS if args.layers else args.only
  runs = {name: [] for name in names}
  for round_ in range(args.rounds):
    # Alternate the order so that neither library always runs first.
    order = names if round_ % 2 == 0 else names[::-1]
    for name in order:
      print(f'round {round_ + 1}/{args.rounds}: measuring {name} ...',
            flush=True)
      measured = _run_child(name, args, batches=(args.batch,))
      runs[name].append(measured if args.layers else measured[0])
  if args.layers:
    report = {**setting, 'layers': _layer_rows(runs)}
    with open(args.out, 'w') as f:
      json.dump(report, f, indent=2)
    print(_layer_table(report['layers']))
    print(f'report: {args.out}')
    return
  results = {name: _aggregate(r) for name, r in runs.items()}
  report = {
      **setting, 'matmul_peak_gflops': matmul_peak(),
      'encoder_gflop': args.batch * encoder_flops(args.size,
                                                  args.width) / 1e9,
      'results': results}
  if not args.skip_data:
    print('measuring the data pipeline and evaluation ...', flush=True)
    report['data_pipeline'] = _data_pipeline(args.size)
    report['evaluation'] = _in_process('benchmarks.evaluation', args.size,
                                       '--width', str(args.width))
  with open(args.out, 'w') as f:
    json.dump(report, f, indent=2)
  if set(args.only) == set(MEASUREMENTS):
    print(_table(report))
  print(f'report: {args.out}')


if __name__ == '__main__':
  main()
