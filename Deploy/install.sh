#!/bin/sh
# Installs an Arbor site as a systemd service: the arbor system user and group, the binary in
# /usr/local/bin, the units, /etc/arbor (site.json, site.env, schema.json, tls/) and
# /var/lib/arbor. Existing configuration files are kept. Run as root from the repository after
# `swift build -c release`:
#   sudo Deploy/install.sh center      # head office (Deploy/center.json as /etc/arbor/site.json)
#   sudo Deploy/install.sh branch      # a branch (Deploy/branch.json)
# ARBOR_BINARY names another binary; DESTDIR=/some/dir installs under that directory instead
# of / (packaging, tests): then no user is created and nothing is chowned.
set -eu

usage="usage: install.sh center|branch"
role=${1:-}
case "$role" in
    center | branch) ;;
    *) echo "$usage" >&2; exit 64 ;;
esac
deploy=$(cd "$(dirname "$0")" && pwd)
repository=$(dirname "$deploy")
binary=${ARBOR_BINARY:-$repository/.build/release/arbor}
root=${DESTDIR:-}

if [ ! -x "$binary" ]; then
    echo "install.sh: no arbor binary at $binary: run 'swift build -c release' first, or set ARBOR_BINARY" >&2
    exit 1
fi
if [ -z "$root" ] && [ "$(id -u)" -ne 0 ]; then
    echo "install.sh: run as root (sudo), or set DESTDIR to install under a directory" >&2
    exit 1
fi

if [ -z "$root" ]; then
    getent group arbor >/dev/null || groupadd --system arbor
    getent passwd arbor >/dev/null ||
        useradd --system --gid arbor --home-dir /var/lib/arbor --no-create-home --shell /usr/sbin/nologin arbor
fi

install -d -m 0755 "$root/usr/local/bin" "$root/etc/systemd/system"
install -m 0755 "$binary" "$root/usr/local/bin/arbor"
install -m 0644 "$deploy/arbor.service" "$deploy/arbor@.service" "$root/etc/systemd/system/"
install -d -m 0750 "$root/etc/arbor" "$root/etc/arbor/tls" "$root/var/lib/arbor"

# Copies $1 to $2 with mode $3 unless $2 exists (an edited configuration is never overwritten).
install_once() {
    if [ -e "$2" ]; then
        echo "kept $2"
    else
        install -m "$3" "$1" "$2"
        echo "installed $2"
    fi
}
install_once "$deploy/$role.json" "$root/etc/arbor/site.json" 0640
install_once "$deploy/site.env.example" "$root/etc/arbor/site.env" 0640
install_once "$repository/Schemas/example-retail.schema.json" "$root/etc/arbor/schema.json" 0640
install_once "$deploy/permits.json.example" "$root/etc/arbor/permits.json.example" 0640

if [ -z "$root" ]; then
    chown -R root:arbor /etc/arbor
    chown arbor:arbor /var/lib/arbor
    if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
fi

cat <<NEXT
Next: edit $root/etc/arbor/site.json and $root/etc/arbor/site.env, put the TLS files in
$root/etc/arbor/tls (Deploy/make-certificate.sh makes them), then
  systemctl enable --now arbor          (or arbor@8080 arbor@8081 for several processes)
See Docs/operator-guide.md, "Deploy with systemd".
NEXT
