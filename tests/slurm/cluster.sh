#!/usr/bin/env bash
# A private single-node SLURM cluster for the tests, from Debian's slurm-wlm and munge:
#   cluster.sh start DIR   starts munged, slurmctld and slurmd with everything under DIR (own munge key and
#                          socket, slurm.conf, spool, logs; free ports on 127.0.0.1) and waits for the node to
#                          be idle; DIR/env then exports SLURM_CONF for the client commands.
#   cluster.sh stop DIR    stops exactly the processes that `start` recorded in DIR/pids, by PID.
#   cluster.sh check       exits 0 when a cluster can be started here, else prints why and exits 77.
# Needs root or password-less sudo (slurmd runs jobs as their user). No cgroups, no accounting.
set -eu

sudo_prefix() {
  if [[ $(id -u) -eq 0 ]]; then echo ""; elif sudo -n true 2>/dev/null; then echo "sudo -n"; else return 1; fi
}

check() {
  local missing=""
  for bin in /usr/sbin/munged /usr/sbin/slurmctld /usr/sbin/slurmd /usr/bin/sbatch /usr/sbin/mungekey; do
    [[ -x $bin ]] || missing+=" $bin"
  done
  if [[ -n $missing ]]; then echo "skipped: missing$missing (install slurm-wlm and munge: make deps)"; return 77; fi
  sudo_prefix > /dev/null || { echo "skipped: starting slurmd needs root or password-less sudo"; return 77; }
}

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local dir=$1 sudo
  sudo=$(sudo_prefix)
  mkdir -p "$dir"/slurm/{spool/ctld,spool/d,log} "$dir"/munge/{run,log,lib}
  dir=$(cd "$dir" && pwd)
  : > "$dir/pids"
  chmod 0755 "$dir"
  $sudo setpriv --reuid=munge --regid=munge --init-groups test -x "$dir/munge" ||
    { echo "the munge user cannot reach $dir (a parent directory is private)"; return 1; }
  $sudo mungekey --create --keyfile="$dir/munge/munge.key" --bits=1024
  $sudo chown -R munge:munge "$dir/munge"
  $sudo chmod 0755 "$dir/munge" "$dir/munge/run"
  $sudo chmod 0700 "$dir/munge/log" "$dir/munge/lib"
  $sudo chmod 0600 "$dir/munge/munge.key"
  local socket=$dir/munge/run/munge.socket.2
  $sudo setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged -F --socket="$socket" \
    --pid-file="$dir/munge/run/munged.pid" --log-file="$dir/munge/log/munged.log" \
    --seed-file="$dir/munge/lib/munged.seed" --key-file="$dir/munge/munge.key" > "$dir/munge/log/munged.out" 2>&1 &
  echo $! >> "$dir/pids"
  for _ in $(seq 100); do [[ -S $socket ]] && break; sleep 0.1; done
  munge -n --socket="$socket" | unmunge --socket="$socket" > /dev/null

  local cpus mem user
  cpus=$(nproc)
  mem=$(( $(awk '/MemTotal/{print $2}' /proc/meminfo) / 2048 ))
  user=$(id -un)
  cat > "$dir/slurm/slurm.conf" <<CONF
ClusterName=gftlabtest
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
StateSaveLocation=$dir/slurm/spool/ctld
SlurmdSpoolDir=$dir/slurm/spool/d
SlurmctldPidFile=$dir/slurm/slurmctld.pid
SlurmdPidFile=$dir/slurm/slurmd.pid
SlurmctldLogFile=$dir/slurm/log/slurmctld.log
SlurmdLogFile=$dir/slurm/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
MailProg=/bin/true
SchedulerType=sched/backfill
# Test jobs are seconds long: schedule (and start requeued tasks) within a second, not the default minute.
SchedulerParameters=sched_interval=1,bf_interval=1
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MaxArraySize=10001
KillWait=10
NodeName=gftlabnode NodeAddr=127.0.0.1 CPUs=$cpus Boards=1 SocketsPerBoard=1 CoresPerSocket=$cpus ThreadsPerCore=1 RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=gftlabnode Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF=$dir/slurm/slurm.conf
  echo "export SLURM_CONF='$SLURM_CONF'" > "$dir/env"
  $sudo env SLURM_CONF="$SLURM_CONF" /usr/sbin/slurmctld -D -i -f "$SLURM_CONF" > "$dir/slurm/log/slurmctld.out" 2>&1 &
  echo $! >> "$dir/pids"
  $sudo env SLURM_CONF="$SLURM_CONF" /usr/sbin/slurmd -D -f "$SLURM_CONF" -N gftlabnode > "$dir/slurm/log/slurmd.out" 2>&1 &
  echo $! >> "$dir/pids"
  for _ in $(seq 300); do
    [[ $(sinfo -h -o %T 2>/dev/null) == idle ]] && { echo "cluster up: $SLURM_CONF ($cpus CPUs, user $user)"; return 0; }
    sleep 0.1
  done
  echo "the node did not become idle; logs in $dir/slurm/log"; sinfo 2>&1 || true; return 1
}

stop() {
  local dir=$1 sudo
  sudo=$(sudo_prefix) || sudo=""
  [[ -f $dir/pids ]] || return 0
  local conf=$dir/slurm/slurm.conf
  # Jobs first, so that no job step daemon outlives its slurmd.
  if SLURM_CONF=$conf scancel --user="$(id -un)" 2>/dev/null; then
    for _ in $(seq 150); do [[ -z $(SLURM_CONF=$conf squeue -h 2>/dev/null) ]] && break; sleep 0.1; done
  fi
  # slurmd first, then slurmctld (its slurmscriptd child exits with it), then munged.
  for pid in $(tac "$dir/pids"); do
    $sudo kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    $sudo kill -KILL "$pid" 2>/dev/null || true
  done
  # Step daemons of jobs that would not end are this cluster's too: they carry its SLURM_CONF.
  for pid in $(pgrep -x slurmstepd); do
    tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qxF "SLURM_CONF=$conf" && $sudo kill -KILL "$pid"
  done
  rm -f "$dir/pids"
}

case ${1:-} in
  check) check ;;
  start) start "$2" ;;
  stop) stop "$2" ;;
  *) echo "usage: $0 check | start DIR | stop DIR" >&2; exit 2 ;;
esac
