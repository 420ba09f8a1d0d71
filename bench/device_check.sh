#!/usr/bin/env bash
# The GPU check of docs/gpu.md, as one prepared script in phases. Run `bench/device_check.sh --help`.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
debs=$repo/shared/debs
# What the build needs besides LibTorch, from Debian 12, and what HDF5 needs at run time (libcurl4, libssl3 and
# theirs: an image without Debian's libraries may lack them). libc6, libgcc-s1 and libstdc++6 are taken as there.
packages=(libyaml-cpp-dev libyaml-cpp0.7 libfmt-dev libfmt9 libcli11-dev libssl-dev libhdf5-dev libhdf5-103-1
          libhdf5-hl-100 libhdf5-cpp-103-1 libhdf5-hl-cpp-100 libsz2 libaec0 libaec-dev zlib1g-dev zlib1g hdf5-helpers
          dataset-fashion-mnist libcurl4 libssl3 libbrotli1 libcom-err2 libffi8 libgmp10 libgnutls30
          libgssapi-krb5-2 libhogweed6 libidn2-0 libk5crypto3 libkeyutils1 libkrb5-3 libkrb5support0 libldap-2.5-0
          libnettle8 libnghttp2-14 libp11-kit0 libpsl5 librtmp1 libsasl2-2 libsasl2-modules-db libssh2-1 libtasn1-6
          libunistring2 libzstd1 libdb5.3)

usage() {
  cat <<EOF
usage: bench/device_check.sh fetch     on the Debian machine: download the .deb files into shared/debs/
       bench/device_check.sh [PHASE...] on the machine with the GPU (default: every phase, in order)

Phases, each under its own timeout, each writing <OUT>/<nn>-<phase>.log as it goes and a line to
<OUT>/summary.txt (OUT: \$OUT, else <work>/out): machine, unpack, configure, build, smoke (a 20-step toy run on
cuda), toy (cuda, cpu), images (a Fashion-MNIST U-Net run on cuda and on cpu), agree (the stable quantities of
the two devices' runs against the stated tolerance, and the U-Net's images/s). The build phases stop the script
when they fail; the run phases go on. No phase runs past DEADLINE.

What must travel with the working tree (the GPU machine reaches no network): shared/debs/ from 'fetch'
($(du -sh "$debs" 2>/dev/null | cut -f1 || echo "about 44M")), e.g. the device tool's carry: ["shared/debs"]. Nothing
else: LibTorch, nvcc, CMake, ninja and h5py come with the machine's PyTorch environment.

Environment: PYTHON (default python3: the one with torch), TORCH_DIR (a LibTorch's share/cmake/Torch, instead
of the Python's), DEVICES (default "cuda cpu"; "cpu" runs the check's CPU phases on a machine without a GPU),
DEVICE_CHECK_DIR (work folder, default a new temporary one), JOBS (build jobs, default nproc), DEADLINE (seconds
for the whole check, default 480: later phases are skipped rather than cut off by the machine's own limit).
EOF
}

case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  fetch)
    mkdir -p "$debs"
    (cd "$debs" && apt-get download "${packages[@]}") || exit 1
    du -sh "$debs"
    exit 0 ;;
esac

python=${PYTHON:-python3}
devices=${DEVICES:-cuda cpu}
jobs=${JOBS:-$(nproc)}
deadline=${DEADLINE:-480}
work=${DEVICE_CHECK_DIR:-$(mktemp -d)}
out=${OUT:-$work/out}
prefix=$work/prefix build=$work/build
usr=$prefix/usr lib=$prefix/usr/lib/x86_64-linux-gnu
gftlab=$build/gftlab
mkdir -p "$out"
start=$(date +%s)
phase_number=0
failures=0

# run_phase NAME SECONDS COMMAND...: the command under `timeout`, its output shown and kept in the phase's log.
# No phase runs past the whole check's deadline (DEADLINE seconds from the start): one that would start with
# less than 10 s left is skipped, so the logs of those that ran are complete when the machine's limit comes.
run_phase() {
  local name=$1 limit=$2 log status begin left
  shift 2
  phase_number=$((phase_number + 1))
  log=$(printf '%s/%02d-%s.log' "$out" "$phase_number" "$name")
  begin=$(date +%s)
  left=$((deadline - (begin - start)))
  if [ "$left" -lt 10 ]; then
    printf '%-10s %-14s %4d s\n' "$name" "skipped" 0 | tee -a "$out/summary.txt"
    failures=$((failures + 1))
    return 124
  fi
  [ "$left" -lt "$limit" ] && limit=$left
  echo "== [$((begin - start)) s] $name (limit ${limit} s)"
  # The phases are functions of this script: a fresh bash runs the one named (exported below) under timeout.
  timeout --kill-after=10 "$limit" bash -o pipefail -c '"$@"' "$name" "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  local verdict=ok
  case $status in
    0) ;;
    124 | 137) verdict="timed out" ;;  # 137: killed after --kill-after
    *) verdict="failed ($status)" ;;
  esac
  printf '%-10s %-14s %4d s  %s\n' "$name" "$verdict" "$(($(date +%s) - begin))" "$log" | tee -a "$out/summary.txt"
  [ "$status" != 0 ] && failures=$((failures + 1))
  return "$status"
}

# The unpacked libraries for gftlab only (not for Python, nvidia-smi or the compiler).
with_prefix() { LD_LIBRARY_PATH=$lib:$lib/hdf5/serial${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} "$@"; }

machine() {
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || echo "no nvidia-smi"
  "$python" -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda, "C++11 ABI",
    torch._C._GLIBCXX_USE_CXX11_ABI, "GPU", torch.cuda.get_device_name(0) if torch.cuda.is_available() else None)' ||
    echo "no torch in $python"
  if [ "$("$python" -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))' 2>/dev/null)" = 0 ]; then
    echo "this PyTorch uses the pre-C++11 ABI; Debian's yaml-cpp and fmt use the C++11 one: use a cxx11-ABI"
    echo "LibTorch with TORCH_DIR (docs/gpu.md)"
    return 1
  fi
  "${CXX:-c++}" --version | head -1
  cmake --version | head -1
  command -v ninja || true
  nvcc_path && "$(nvcc_path)" --version | tail -2
  ls "$debs"/*.deb > /dev/null ||
    { echo "no .deb files in $debs: run 'bench/device_check.sh fetch' on Debian"; return 1; }
}

# nvcc: on the PATH, under /usr/local/cuda, or inside the Python environment's nvidia packages.
nvcc_path() {
  local found
  found=$(command -v nvcc || true)
  [ -z "$found" ] && [ -x /usr/local/cuda/bin/nvcc ] && found=/usr/local/cuda/bin/nvcc
  if [ -z "$found" ]; then
    found=$(find "$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' 2>/dev/null)/nvidia" \
      -name nvcc -type f 2>/dev/null | head -1)
  fi
  [ -n "$found" ] && echo "$found"
}

unpack() {
  mkdir -p "$prefix"
  for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$prefix" || return 1; done
  # Debian's -dev symlinks are absolute (libz.so -> /lib/x86_64-linux-gnu/libz.so.1.2.13): point them into the
  # prefix, or FindZLIB and the linker follow them out of it (to nothing, on a machine without that file).
  find "$prefix" -type l | while read -r link; do
    target=$(readlink "$link")
    case $target in
      /*) if [ -e "$prefix$target" ]; then ln -sfn "$prefix$target" "$link"; fi ;;
    esac
  done
  dangling=$(find "$prefix" -xtype l | head -5)
  [ -n "$dangling" ] && echo "dangling links left: $dangling"
  echo "unpacked $(ls "$debs"/*.deb | wc -l) packages into $prefix; libz.so -> $(readlink "$lib/libz.so")"
  with_prefix ldd "$lib/hdf5/serial/libhdf5.so" | grep "not found" && return 1
  return 0
}

configure() {
  local torch_prefix cuda_args=() nvcc
  torch_prefix=$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null || true)
  if nvcc=$(nvcc_path); then
    # A CUDA LibTorch's CMake config looks for the toolkit; name it from nvcc's place.
    cuda_args=(-DCUDAToolkit_ROOT="$(dirname "$(dirname "$nvcc")")" -DCMAKE_CUDA_COMPILER="$nvcc")
    export PATH=$(dirname "$nvcc"):$PATH
  fi
  local generator=()
  command -v ninja > /dev/null && generator=(-G Ninja)
  cmake -S "$repo" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
    -DGFTLAB_WERROR=OFF -DPython3_EXECUTABLE="$(command -v "$python")" \
    ${TORCH_DIR:+-DTorch_DIR="$TORCH_DIR"} "${cuda_args[@]}" \
    -DCMAKE_PREFIX_PATH="${torch_prefix:+$torch_prefix;}$usr;$lib/cmake" -DZLIB_ROOT="$usr" \
    -DHDF5_C_INCLUDE_DIR="$usr/include/hdf5/serial" -DHDF5_ROOT="$lib/hdf5/serial" \
    -DOPENSSL_ROOT_DIR="$usr" -DCMAKE_CXX_FLAGS="-isystem $usr/include/x86_64-linux-gnu"
}

build_gftlab() {
  # Only the gftlab program: the unit tests and their fixtures (which train networks) stay on the Debian side.
  cmake --build "$build" -j "$jobs" --target gftlab > "$out/build-full.log" 2>&1
  local status=$?
  grep -E "error|undefined reference|warning: libcurl|not found" "$out/build-full.log" | head -40
  tail -3 "$out/build-full.log"
  return $status
}

smoke() {
  with_prefix "$gftlab" run "$repo/configs/examples/toy.yaml" device=cuda finetune.steps=20 finetune.warmup_steps=0 \
    pretrain.steps=50 eval.every=0 eval.n_samples=200 target.n_eval=400 progress=none \
    "output.file=$work/smoke.h5" "output.pretrained_dir=$work/pretrained-smoke" &&
    with_prefix "$gftlab" inspect "$work/smoke.h5" | head -12
}

# A smoke-sized Fashion-MNIST class shift with the U-Net; the same seed on both devices.
write_images_config() {
  cat > "$work/images.yaml" <<'YAML'
source: {kind: fashion_mnist, classes: [0, 1, 2, 3, 4]}
target: {kind: fashion_mnist, classes: [5, 6, 7, 8, 9], n_train: 500, n_eval: 500}
model: {kind: unet}
pretrain: {steps: 200, batch_size: 128}
finetune: {steps: 200, batch_size: 128}
method: {name: gft}
eval: {every: 100, n_samples: 500, sampler: {kind: euler, steps: 20}, path_steps: 20, metrics: [w2, mmd, path]}
stability: {quality_metric: w2}
YAML
}

run_example() {
  local example=$1 device=$2 config=$repo/configs/examples/toy.yaml
  [ "$example" = images ] && config=$work/images.yaml
  GFTLAB_FASHION_MNIST_DIR=$usr/share/datasets/fashion-mnist with_prefix "$gftlab" run "$config" device="$device" \
    method.name=gft progress=none "output.file=$work/$example-$device.h5" \
    "output.pretrained_dir=$work/pretrained-$device" &&
    with_prefix "$gftlab" inspect "$work/$example-$device.h5" > "$out/$example-$device.txt" &&
    cp "$work/$example-$device.h5" "$out/"
}

# Same seed, two devices: close, not bit for bit (reduction orders differ, and hundreds of Adam steps amplify
# the difference). Compared: what a run reports as its result and does not amplify noise — the final quality
# (w2, mmd2) and the path length — within |gpu - cpu| <= 0.15 |cpu| + 0.02. Counts of spikes, clipped
# fractions and rank correlations differ from noise alone and are left out.
agree() {
  "$python" - "$out" "$repo/analysis" <<'PY'
import pathlib, re, sys
out = pathlib.Path(sys.argv[1])
sys.path.insert(0, sys.argv[2])
import run_layout as layout  # the run file's paths (src/io/run_layout.h)
try:
    import h5py
except ImportError:
    sys.exit("h5py is missing: no agreement table")
STABLE = ("w2", "mmd2", "path_length")
bad = compared = 0
for example in ("toy", "images"):
    files = {d: out / f"{example}-{d}.h5" for d in ("cuda", "cpu")}
    if not all(p.exists() for p in files.values()):
        print(f"{example}: a run is missing ({', '.join(str(p) for p in files.values() if not p.exists())})")
        bad += 1
        continue
    runs = {d: h5py.File(p, "r") for d, p in files.items()}
    for name in STABLE:
        path = layout.FINAL + name
        if path not in runs["cpu"] or path not in runs["cuda"]:
            print(f"{example:7s} {name:12s} missing on {'cpu' if path not in runs['cpu'] else 'cuda'}")
            bad += 1
            continue
        cpu, gpu = float(runs["cpu"][path][()]), float(runs["cuda"][path][()])
        ok = abs(gpu - cpu) <= 0.15 * abs(cpu) + 0.02
        bad += not ok
        compared += 1
        print(f"{example:7s} {name:12s} cpu {cpu:12.5g}  gpu {gpu:12.5g}  {'ok' if ok else 'DIFFERS'}")
    for device, f in runs.items():
        seconds = float(f[layout.EVAL_TRAIN_SECONDS][-1])
        steps = int(f[layout.TRAIN_STEP][-1]) + 1
        batch = int(re.search(r"^finetune:\n(?:  .*\n)*?  batch_size: (\d+)", f.attrs["config_yaml"], re.M).group(1))
        print(f"{example:7s} {device:4s} fine-tuning {steps / seconds:8.1f} steps/s, {steps * batch / seconds:9.0f} "
              f"samples/s ({f.attrs.get('device_name', device)}; threads {f.attrs.get('threads', '?')})")
if not compared:
    sys.exit("agreement: no pair of runs to compare")
print(f"agreement: {compared - bad} of {compared} values within tolerance" + (f"; {bad} problems" if bad else ""))
sys.exit(1 if bad else 0)
PY
}

export repo debs python devices jobs work out prefix build usr lib gftlab TORCH_DIR=${TORCH_DIR:-}
export -f with_prefix machine nvcc_path unpack configure build_gftlab smoke run_example agree
phases=("$@")
[ ${#phases[@]} = 0 ] && phases=(machine unpack configure build smoke toy images agree)
write_images_config
for p in "${phases[@]}"; do
  case $p in
    machine) run_phase machine 30 machine || exit 1 ;;
    unpack) run_phase unpack 60 unpack || exit 1 ;;
    configure) run_phase configure 120 configure || exit 1 ;;
    build) run_phase build 300 build_gftlab || exit 1 ;;
    smoke) [[ " $devices " == *" cuda "* ]] && run_phase smoke 60 smoke ;;
    toy) for device in $devices; do run_phase "toy-$device" 60 run_example toy "$device"; done ;;
    images) for device in $devices; do run_phase "images-$device" 200 run_example images "$device"; done ;;
    agree) run_phase agree 30 agree ;;
    *) echo "unknown phase '$p' (bench/device_check.sh --help)"; exit 2 ;;
  esac
done
echo "== [$(($(date +%s) - start)) s] done, $failures phase(s) not ok; the logs and run files are in $out"
cat "$out/summary.txt"
[ "$failures" = 0 ]
