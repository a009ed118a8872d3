#!/usr/bin/env bash
# Installs Skiff on a real host: builds release binaries (or takes them from $BIN), copies
# them to /usr/local/bin as skiff-apiserver, skiff-kubelet and skiff-ctl, installs the
# systemd units and example environment files, and enables the role asked for.
#
#   deploy/install.sh apiserver          on the hub host
#   deploy/install.sh kubelet TOKENFILE  on each node (TOKENFILE: a copy of the hub's node.token)
set -euo pipefail
role=${1:?usage: install.sh apiserver | kubelet TOKENFILE}
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then echo "run as root" >&2; exit 1; fi
scripts/install-deps
if [ -z "${BIN:-}" ]; then
  swift build -c release
  BIN=$(swift build -c release --show-bin-path)
fi
install -m 0755 "$BIN/apiserver" /usr/local/bin/skiff-apiserver
install -m 0755 "$BIN/kubelet" /usr/local/bin/skiff-kubelet
install -m 0755 "$BIN/ctl" /usr/local/bin/skiff-ctl
install -d -m 0755 /etc/skiff /usr/local/share/doc/skiff
install -m 0644 docs/*.md /usr/local/share/doc/skiff/
case "$role" in
apiserver)
  [ -f /etc/skiff/apiserver.env ] || install -m 0644 deploy/apiserver.env.example /etc/skiff/apiserver.env
  install -m 0644 deploy/skiff-apiserver.service /etc/systemd/system/
  systemctl daemon-reload
  systemctl enable --now skiff-apiserver
  echo "apiserver running; tokens in $(. /etc/skiff/apiserver.env; echo "$SKIFF_DATA_DIR")"
  ;;
kubelet)
  token=${2:?usage: install.sh kubelet TOKENFILE}
  install -m 0600 "$token" /etc/skiff/node.token
  [ -f /etc/skiff/kubelet.env ] || install -m 0644 deploy/kubelet.env.example /etc/skiff/kubelet.env
  install -m 0644 deploy/skiff-kubelet.service /etc/systemd/system/
  systemctl daemon-reload
  systemctl enable --now skiff-kubelet
  echo "kubelet running; edit /etc/skiff/kubelet.env (SKIFF_SERVER) and 'systemctl restart skiff-kubelet' if needed"
  ;;
*) echo "unknown role $role" >&2; exit 2 ;;
esac
