#!/bin/sh
# Makes a site's TLS certificate, signed by your own CA (created on first use):
#   Deploy/make-certificate.sh DIR NAME HOST...
# writes DIR/ca.pem and DIR/ca.key (once; keep ca.key off the servers), DIR/NAME.pem and
# DIR/NAME.key: a certificate with common name NAME (use the site's name, which is also its
# client id at its father) for the host names or IP addresses HOST... (the names edges and sons
# use). It serves as the site's server certificate (tlsCertificateFile, tlsKeyFile) and as its
# client certificate at its father (fatherClientCertificateFile, fatherClientKeyFile). Sons and
# edges trust DIR/ca.pem (fatherCAFile, the edges' trust roots). Example:
#   Deploy/make-certificate.sh ~/arbor-ca center hq-1.example.org
#   Deploy/make-certificate.sh ~/arbor-ca branch-east branch-east.example.org 10.0.3.7
set -eu

if [ $# -lt 3 ]; then
    echo "usage: make-certificate.sh DIR NAME HOST..." >&2
    exit 64
fi
dir=$1
name=$2
shift 2
mkdir -p "$dir"
umask 077

if [ ! -e "$dir/ca.pem" ]; then
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 -days 3650 \
        -subj "/CN=Arbor CA" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
    chmod 644 "$dir/ca.pem"
    echo "made the CA: $dir/ca.pem (its key $dir/ca.key signs every site's certificate)"
fi

names=""
for host in "$@"; do
    case "$host" in
        *[!0-9.]* | "") entry="DNS:$host" ;;
        *) entry="IP:$host" ;;
    esac
    names="${names:+$names,}$entry"
done
extensions="$dir/$name.ext"
cat >"$extensions" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=$names
EXT
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 -subj "/CN=$name" \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -sha256 -days 825 \
    -extfile "$extensions" -out "$dir/$name.pem" 2>/dev/null
rm -f "$dir/$name.csr" "$extensions"
chmod 644 "$dir/$name.pem"
echo "made $dir/$name.pem and $dir/$name.key for $names (CN=$name)"
