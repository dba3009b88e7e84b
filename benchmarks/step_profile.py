# Copyright 2026 The smcp-jax Authors. Licensed under the Apache License 2.0.
"""Where one train step's time goes, for smcp-jax and for PyTorch.

  python -m benchmarks.step_profile --lib jax [--size 417] [--width 1.0]
      [--batch 8] [--dtype bfloat16] [--steps 3] [--trace-out F.json.gz]

JAX: `jax.profiler.trace` with a Perfetto trace, summed per thread of each
device (the `XLA Ops` thread names HLO ops, the `Stream` threads kernels)
and the ops that take the most time. PyTorch: `torch.profiler`'s table of
the kernels that take the most device time. The same step as
benchmarks.torch_comparison measures.
"""

import argparse
import collections
import glob
import gzip
import json
import os
import shutil
import tempfile
import time

from benchmarks import torch_comparison


def summarize_trace(trace: dict, top: int = 20) -> dict:
  """Per (process, thread) of a Perfetto trace: event count and total
  microseconds, and the `top` event names by total time."""
  events = trace['traceEvents']
  processes = {e['pid']: e['args']['name'] for e in events
               if e.get('ph') == 'M' and e.get('name') == 'process_name'}
  threads = {(e['pid'], e['tid']): e['args']['name'] for e in events
             if e.get('ph') == 'M' and e.get('name') == 'thread_name'}
  per_thread = collections.defaultdict(collections.Counter)
  for e in events:
    if e.get('ph') == 'X':
      where = (f'{processes.get(e["pid"], e["pid"])} / '
               f'{threads.get((e["pid"], e.get("tid")), e.get("tid"))}')
      per_thread[where][e['name']] += float(e.get('dur', 0.0))
  return {where: {'total_us': sum(names.values()), 'events': len(names),
                  'top': names.most_common(top)}
          for where, names in per_thread.items()}


def profile_jax(args) -> dict:
  from flax import nnx  # pylint: disable=g-import-not-at-top
  import jax  # pylint: disable=g-import-not-at-top
  with tempfile.TemporaryDirectory() as tmp:
    model = torch_comparison._jax_model(  # pylint: disable=protected-access
        torch_comparison.convert_reference(tmp, args.width), 'auto',
        args.dtype,
        args.dilated_conv)
  graphdef, params = nnx.split(model, nnx.Param)
  fn, fn_args, carried = torch_comparison._jax_step(  # pylint: disable=protected-access
      'jax_train', graphdef, params, args.size, args.batch)
  step = torch_comparison.runner(fn.lower(*fn_args).compile(), fn_args,
                                 carried)
  step()
  with tempfile.TemporaryDirectory() as tmp:
    with jax.profiler.trace(tmp, create_perfetto_trace=True):
      start = time.perf_counter()
      for _ in range(args.steps):
        step()
      seconds = (time.perf_counter() - start) / args.steps
    path, = glob.glob(os.path.join(tmp, '**', 'perfetto_trace.json.gz'),
                      recursive=True)
    if args.trace_out:
      shutil.copy(path, args.trace_out)
    with gzip.open(path) as f:
      trace = json.load(f)
  return {'seconds_per_step': seconds, 'threads': summarize_trace(trace)}


def profile_torch(args) -> str:
  import torch  # pylint: disable=g-import-not-at-top
  where = 'cuda' if torch.cuda.is_available() else 'cpu'
  torch.backends.cudnn.benchmark = where == 'cuda'
  model = torch_comparison._torch_model(args.width).to(where)  # pylint: disable=protected-access
  step = torch_comparison._torch_step(  # pylint: disable=protected-access
      'torch_train', model, args.size, args.batch, args.dtype, where)
  step()
  step()
  activities = [torch.profiler.ProfilerActivity.CPU]
  if where == 'cuda':
    activities.append(torch.profiler.ProfilerActivity.CUDA)
  with torch.profiler.profile(activities=activities) as prof:
    for _ in range(args.steps):
      step()
  sort = 'self_device_time_total' if where == 'cuda' else 'self_cpu_time_total'
  return prof.key_averages().table(sort_by=sort, row_limit=25)


def _print_jax(result):
  print(f'seconds per step: {result["seconds_per_step"]:.4f}')
  for where, summary in sorted(result['threads'].items(),
                               key=lambda kv: -kv[1]['total_us']):
    print(f'\n{where}: {summary["total_us"] / 1e3:.1f} ms in '
          f'{summary["events"]} distinct events')
    for name, us in summary['top']:
      print(f'  {us / 1e3:9.2f} ms  {name[:110]}')


def main(argv=None):
  parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  parser.add_argument('--lib', choices=('jax', 'torch'), required=True)
  parser.add_argument('--size', type=int, default=417)
  parser.add_argument('--width', type=float, default=1.0)
  parser.add_argument('--batch', type=int, default=8)
  parser.add_argument('--dtype', default='bfloat16',
                      choices=('float32', 'bfloat16'))
  parser.add_argument('--steps', type=int, default=3)
  parser.add_argument('--dilated-conv', default='xla',
                      choices=('xla', 'phases'),
                      help='config.model.dilated_conv of the JAX model')
  parser.add_argument('--trace-out', help='copy the Perfetto trace here')
  parser.add_argument('--out', help='JSON summary (JAX)')
  args = parser.parse_args(argv)
  if args.lib == 'torch':
    print(profile_torch(args))
    return
  result = profile_jax(args)
  _print_jax(result)
  if args.out:
    with open(args.out, 'w') as f:
      json.dump(result, f, indent=2)


if __name__ == '__main__':
  main()
