#!/usr/bin/env bash
# Installs Skiff on a host from the tarball scripts/package makes (run it from the unpacked
# directory, as root). The host needs systemd and libsqlite3, no Swift toolchain.
#
#   deploy/install.sh apiserver [--listen HOST:PORT]
#       on the hub: the `skiff` system user, /var/lib/skiff/apiserver, the unit (started),
#       and ctl's config for root (/root/.skiff/config: server and admin token)
#   deploy/install.sh kubelet --server HOST:PORT --token-file FILE [--node-name NAME]
#       on each node: FILE is a copy of the hub's DATA_DIR/node.token; the kubelet runs as root
#
# Files: /opt/skiff/bin/{apiserver,kubelet,ctl,skiff-pause,skiff-monitor}, /usr/local/bin/ctl -> /opt/skiff/bin/ctl,
# /etc/skiff/*.env, /etc/systemd/system/skiff-*.service, /opt/skiff/share/doc.
# BIN=DIR takes the binaries from DIR instead of ./bin. DESTDIR=DIR installs under DIR and
# changes nothing else on the host (no user, no chown, no systemctl: it says what it skipped).
set -euo pipefail
usage() {
  echo "usage: install.sh apiserver [--listen HOST:PORT]" >&2
  echo "       install.sh kubelet --server HOST:PORT --token-file FILE [--node-name NAME]" >&2
  exit 2
}
role=${1:-}; shift || true
listen="" server="" token_file="" node_name=""
while [ $# -gt 0 ]; do
  case "$1" in
  --listen) listen=${2:?--listen needs HOST:PORT}; shift 2 ;;
  --server) server=${2:?--server needs HOST:PORT}; shift 2 ;;
  --token-file) token_file=${2:?--token-file needs a file}; shift 2 ;;
  --node-name) node_name=${2:?--node-name needs a name}; shift 2 ;;
  *) echo "install.sh: unknown argument \"$1\"" >&2; usage ;;
  esac
done
case "$role" in apiserver|kubelet) ;; *) usage ;; esac
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${BIN:-$here/bin}
D=${DESTDIR:-}
host_port='^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):[0-9]{1,5}$'

# Host changes that DESTDIR installs skip.
system() {
  if [ -n "$D" ]; then echo "skipped (DESTDIR): $*"; else "$@"; fi
}
fail() { echo "install.sh: $*" >&2; exit 1; }

[ -n "$D" ] || [ "$(id -u)" -eq 0 ] || fail "run as root (or set DESTDIR to install under a folder)"
for b in apiserver kubelet ctl skiff-pause skiff-monitor; do
  [ -x "$bin/$b" ] || fail "no $bin/$b: run this from the unpacked tarball (scripts/package), or set BIN"
done
if [ "$role" = kubelet ]; then
  [ -n "$server" ] || fail "kubelet needs --server HOST:PORT (the apiserver's address)"
  [[ "$server" =~ $host_port ]] || fail "--server must be HOST:PORT, got \"$server\""
  [ -n "$token_file" ] || fail "kubelet needs --token-file FILE (a copy of the hub's node.token)"
  [ -s "$token_file" ] || fail "token file $token_file is missing or empty"
fi
if [ -n "$listen" ] && ! [[ "$listen" =~ $host_port ]]; then fail "--listen must be HOST:PORT, got \"$listen\""; fi
if [ -z "$D" ] && ! ldconfig -p 2>/dev/null | grep -q 'libsqlite3\.so\.0'; then
  if command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libsqlite3-0 >/dev/null
  else
    fail "libsqlite3.so.0 is missing: install SQLite 3's library"
  fi
fi

install -d -m 0755 "$D/opt/skiff/bin" "$D/opt/skiff/share/doc" "$D/usr/local/bin" "$D/etc/skiff" "$D/etc/systemd/system"
for b in apiserver kubelet ctl skiff-pause skiff-monitor; do install -m 0755 "$bin/$b" "$D/opt/skiff/bin/$b"; done
ln -sfn /opt/skiff/bin/ctl "$D/usr/local/bin/ctl"
if [ -d "$here/docs" ]; then install -m 0644 "$here"/docs/*.md "$D/opt/skiff/share/doc/"; fi

# The value of KEY in a systemd env file (not sourced: systemd's syntax is not the shell's).
env_value() { sed -n "s/^$2=//p" "$1" | tail -n 1 | sed 's/^"\(.*\)"$/\1/'; }
# Sets KEY=VALUE in an env file, replacing the line that sets KEY.
set_env() {
  local file=$1 key=$2 value=$3
  if grep -q "^$key=" "$file"; then sed -i "s|^$key=.*|$key=$value|" "$file"; else echo "$key=$value" >> "$file"; fi
}

case "$role" in
apiserver)
  env="$D/etc/skiff/apiserver.env"
  [ -f "$env" ] || install -m 0644 "$here/deploy/apiserver.env.example" "$env"
  [ -z "$listen" ] || set_env "$env" SKIFF_LISTEN "$listen"
  data_dir=$(env_value "$env" SKIFF_DATA_DIR); listen=$(env_value "$env" SKIFF_LISTEN)
  if ! getent passwd skiff >/dev/null || [ -n "$D" ]; then
    system useradd --system --user-group --home-dir /var/lib/skiff --no-create-home --shell /usr/sbin/nologin skiff
  fi
  install -d -m 0755 "$D/var/lib/skiff"
  install -d -m 0700 "$D$data_dir"
  system chown skiff:skiff "$data_dir"
  install -m 0644 "$here/deploy/skiff-apiserver.service" "$D/etc/systemd/system/"
  system systemctl daemon-reload
  system systemctl enable skiff-apiserver
  system systemctl restart skiff-apiserver
  # ctl on the hub talks to the local apiserver as admin.
  port=${listen##*:}; host=${listen%:*}
  case "$host" in 0.0.0.0|"[::]"|"") host=127.0.0.1 ;; esac
  token="$D$data_dir/admin.token"
  if [ -z "$D" ]; then
    for _ in $(seq 1 100); do [ -s "$token" ] && break; sleep 0.1; done
  fi
  install -d -m 0700 "$D/root/.skiff"
  if [ -s "$token" ]; then
    (umask 077; printf 'server: %s\ntoken: %s\n' "$host:$port" "$(cat "$token")" > "$D/root/.skiff/config")
    echo "apiserver installed; ctl for root: /root/.skiff/config (try: ctl get nodes)"
  else
    (umask 077; printf 'server: %s\n' "$host:$port" > "$D/root/.skiff/config")
    echo "apiserver installed; $data_dir/admin.token is written on first start: then add"
    echo "  token: <its contents>   to /root/.skiff/config (or run this script again)"
  fi
  echo "nodes join with a copy of $data_dir/node.token:"
  echo "  deploy/install.sh kubelet --server <this host's address>:$port --token-file node.token"
  ;;
kubelet)
  install -m 0600 "$token_file" "$D/etc/skiff/node.token"
  env="$D/etc/skiff/kubelet.env"
  [ -f "$env" ] || install -m 0644 "$here/deploy/kubelet.env.example" "$env"
  set_env "$env" SKIFF_SERVER "$server"
  [ -z "$node_name" ] || set_env "$env" SKIFF_KUBELET_ARGS "--node-name $node_name"
  root_dir=$(env_value "$env" SKIFF_ROOT_DIR)
  install -d -m 0755 "$D/var/lib/skiff"
  install -d -m 0700 "$D$root_dir"
  install -m 0644 "$here/deploy/skiff-kubelet.service" "$D/etc/systemd/system/"
  system systemctl daemon-reload
  system systemctl enable skiff-kubelet
  system systemctl restart skiff-kubelet
  echo "kubelet installed, pointed at $server (/etc/skiff/kubelet.env); see: journalctl -u skiff-kubelet"
  ;;
esac
