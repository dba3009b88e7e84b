#!/usr/bin/env bash
# The GPU measurements of docs/performance.md in one go: versions, the inference and
# train-step sweeps against PyTorch (float32 and bfloat16, batches 1-32),
# then a profile of one train step of each library. About 9 minutes on one
# H200 (each part has its own time limit so that a slow one leaves the
# rest); the train step's batches are 1, 4 and 16, since compiling it for
# each of 1-32 in both libraries and dtypes took longer than its limit.
#   bash benchmarks/gpu.sh [OUT_DIR] [all|dilated]
# OUT_DIR defaults to $OUT or runs/gpu_benchmark. 'dilated' instead runs
# the train-step sweep with model.dilated_conv 'xla' and 'phases' on the
# same machine, and the profile of 'phases' (docs/performance.md, "On a GPU").
# Needs the CUDA builds of JAX and torch; a flax wheel in .whl/ is used when
# the installed flax cannot run the network.
set -u
out=${1:-${OUT:-runs/gpu_benchmark}}
part=${2:-all}
mkdir -p "$out"
export PYTHONUNBUFFERED=1 TF_CPP_MIN_LOG_LEVEL=2
py=python3
smoke() {
  timeout 120 $py -m benchmarks.torch_comparison --child jax_infer --size 33 \
    --repeats 1 --batches 1 --device gpu >/dev/null
}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
if ! smoke && ls .whl/flax-*.whl >/dev/null 2>&1; then
  echo "the installed flax cannot run the network: using .whl/"
  $py -m pip install -q --no-index --no-deps --no-compile --target /tmp/site \
    .whl/*.whl && export PYTHONPATH=/tmp/site
  smoke || { echo "JAX cannot run the network on this GPU"; exit 1; }
fi
$py -c 'import jax, flax, torch; print("jax", jax.__version__, "flax",
flax.__version__, "torch", torch.__version__, jax.devices())'
sweep() {  # what, seconds, repeats, batches, dilated conv
  timeout "$2" $py -m benchmarks.torch_comparison --sweep --device gpu \
    --what "$1" --dtypes bfloat16 float32 --repeats "$3" --batches $4 \
    --dilated-conv "$5" --out "$out/sweep_$1_$5.json"
}
profile_jax() {  # dilated conv
  timeout 60 $py -m benchmarks.step_profile --lib jax --batch 8 \
    --dtype bfloat16 --dilated-conv "$1" --out "$out/profile_jax_$1.json" \
    --trace-out "$out/trace_jax_$1.json.gz" >"$out/profile_jax_$1.txt" 2>&1
}
if [ "$part" = dilated ]; then
  sweep train 240 5 "1 4 16" xla
  sweep train 240 5 "1 4 16" phases
  profile_jax phases
else
  sweep infer 200 20 "1 2 4 8 16 32" xla
  sweep train 300 5 "1 4 16" xla
  profile_jax xla
  timeout 40 $py -m benchmarks.step_profile --lib torch --batch 8 \
    --dtype bfloat16 >"$out/profile_torch.txt" 2>&1
fi
for table in "$out"/sweep_*.json; do
  [ -f "$table" ] && echo "$table" && $py -c "import json, sys
from benchmarks import torch_comparison as tc
print(tc._sweep_table(json.load(open(sys.argv[1]))['sweep']))" "$table"
done
head -c 3000 "$out"/profile_jax_*.txt
