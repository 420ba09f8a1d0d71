#!/usr/bin/env bash
# The GPU check of docs/gpu.md, as one prepared script.
#
#   bench/device_check.sh fetch   # on the Debian machine: the .deb files it needs, into shared/debs/
#   bench/device_check.sh         # on a machine with an NVIDIA GPU and a PyTorch installation
#
# It unpacks yaml-cpp, HDF5, fmt, CLI11, Catch2 and Fashion-MNIST from those .deb files into a prefix (no
# Debian -dev packages needed there), builds gftlab against the PyTorch's own LibTorch, runs the unit tests,
# runs the toy example and a Fashion-MNIST smoke configuration (`gft`, seed 0) with device=cuda and with
# device=cpu, and prints the U-Net's fine-tuning steps/s on both and whether each final metric agrees within
# the stated tolerance (same seed on two devices: close, not bit for bit). Designed for under 8 minutes on a
# 16-core machine; each phase prints its seconds.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
debs=$repo/shared/debs
packages=(libyaml-cpp-dev libyaml-cpp0.7 libfmt-dev libfmt9 libcli11-dev catch2 libhdf5-dev libhdf5-103-1
          libhdf5-hl-100 libhdf5-cpp-103-1 libhdf5-hl-cpp-100 libsz2 libaec0 libaec-dev zlib1g-dev hdf5-helpers
          dataset-fashion-mnist)
if [ "${1:-}" = fetch ]; then
  mkdir -p "$debs"
  (cd "$debs" && apt-get download "${packages[@]}")
  ls -l "$debs"
  exit 0
fi

start=$(date +%s)
phase() { echo "== [$(( $(date +%s) - start )) s] $*"; }
python=${PYTHON:-python3}
work=${DEVICE_CHECK_DIR:-$(mktemp -d)}
prefix=$work/prefix build=$work/build
phase "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
"$python" -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda, "cuDNN",
  torch.backends.cudnn.version(), "C++11 ABI", torch._C._GLIBCXX_USE_CXX11_ABI, "GPU", torch.cuda.get_device_name(0))'
if [ "$("$python" -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')" != 1 ]; then
  echo "this PyTorch uses the pre-C++11 ABI; Debian's yaml-cpp and fmt use the C++11 one: use a cxx11-ABI LibTorch"
  echo "zip with -DTorch_DIR (docs/gpu.md)"; exit 1
fi
ls "$debs"/*.deb > /dev/null || { echo "no .deb files in $debs: run 'bench/device_check.sh fetch' on the Debian machine"; exit 1; }

phase "unpack ${#packages[@]} packages into $prefix"
mkdir -p "$prefix"
for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$prefix"; done
usr=$prefix/usr lib=$prefix/usr/lib/x86_64-linux-gnu
export LD_LIBRARY_PATH=$lib:$lib/hdf5/serial${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export GFTLAB_FASHION_MNIST_DIR=$usr/share/datasets/fashion-mnist

phase "configure and build against $("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')"
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DPython3_EXECUTABLE="$(command -v "$python")" \
  -DCMAKE_PREFIX_PATH="$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)');$usr;$lib/cmake" \
  -DHDF5_C_INCLUDE_DIR="$usr/include/hdf5/serial" -DHDF5_ROOT="$lib/hdf5/serial" > "$work/cmake.log" \
  || { tail -40 "$work/cmake.log"; exit 1; }
grep -E "LibTorch|CUDA" "$work/cmake.log" || true
cmake --build "$build" -j "$(nproc)" --target gftlab gftlab_tests > "$work/build.log" 2>&1 \
  || { grep -E "error" "$work/build.log" | head -30; exit 1; }
gftlab=$build/gftlab

phase "unit tests (those that need Python references may fail here for lack of h5py/scipy/POT; see the list)"
(cd "$build" && ctest -L unit -j "$(nproc)" --timeout 300 2>&1 | tail -15) || true

# A smoke-sized class shift; the CPU run uses as many threads as the machine has.
cat > "$work/images.yaml" <<'YAML'
source: {kind: fashion_mnist, classes: [0, 1, 2, 3, 4]}
target: {kind: fashion_mnist, classes: [5, 6, 7, 8, 9], n_train: 500, n_eval: 500}
model: {kind: unet}
pretrain: {steps: 400, batch_size: 128}
finetune: {steps: 300, batch_size: 128}
method: {name: gft}
eval: {every: 100, n_samples: 500, sampler: {kind: euler, steps: 20}, path_steps: 20, metrics: [w2, mmd, path]}
stability: {quality_metric: w2}
YAML
for example in toy images; do
  config=$repo/configs/examples/toy.yaml
  [ "$example" = images ] && config=$work/images.yaml
  for device in cuda cpu; do
    phase "$example on $device"
    "$gftlab" run "$config" device=$device method.name=gft "output.file=$work/$example-$device.h5" \
      "output.pretrained_dir=$work/pretrained-$device" progress=none
    "$gftlab" inspect "$work/$example-$device.h5" > "$work/$example-$device.txt"
  done
done

phase "agreement (tolerance: |gpu - cpu| <= 0.15 |cpu| + 0.02 for each final value) and U-Net speed"
"$python" - "$work" <<'PY'
import pathlib, re, sys
work = pathlib.Path(sys.argv[1])
def finals(path):  # the "final:" block of `gftlab inspect`
    lines = path.read_text().splitlines()
    values = {}
    for line in lines[lines.index("final:") + 1:]:
        m = re.match(r"\s+([a-z_0-9]+)\s+(\S+)$", line)
        if m and m.group(2) not in ("nan", "-nan"):
            values[m.group(1)] = float(m.group(2))
    return values
bad = 0
for example in ("toy", "images"):
    gpu, cpu = finals(work / f"{example}-cuda.txt"), finals(work / f"{example}-cpu.txt")
    for name in sorted(set(gpu) & set(cpu)):
        if name in ("wall_seconds", "seed", "threads"):
            continue
        ok = abs(gpu[name] - cpu[name]) <= 0.15 * abs(cpu[name]) + 0.02
        bad += not ok
        print(f"{example:7s} {name:28s} cpu {cpu[name]:12.5g}  gpu {gpu[name]:12.5g}  {'ok' if ok else 'DIFFERS'}")
    if "wall_seconds" in gpu and "wall_seconds" in cpu:
        print(f"{example:7s} whole run: cpu {cpu['wall_seconds']:.1f} s, gpu {gpu['wall_seconds']:.1f} s")
print("agreement:", "all within tolerance" if bad == 0 else f"{bad} values differ beyond it")
PY
"$python" - "$work" <<'PY' || true
import sys
try:
    import h5py
except ImportError:
    sys.exit("(h5py missing: U-Net steps/s from /eval/train_seconds skipped)")
for device in ("cpu", "cuda"):
    with h5py.File(f"{sys.argv[1]}/images-{device}.h5") as f:
        seconds = f["eval/train_seconds"][-1]
        print(f"U-Net fine-tuning on {device}: {300 / seconds:.1f} steps/s (batch 128, {f.attrs.get('device_name', device)})")
PY
phase "done"
