#!/usr/bin/env bash
# Makes a private CA and certificates for chaosnetd's mTLS listener with
# openssl alone: the recipe the README documents, also used by the tests.
#
#   scripts/make-certs.sh ca     DIR                  DIR/ca.pem, DIR/ca.key
#   scripts/make-certs.sh server DIR NAME [SAN...]    DIR/NAME.pem, DIR/NAME.key signed by DIR/ca
#   scripts/make-certs.sh client DIR NAME [--expired] DIR/NAME.pem, DIR/NAME.key (CN=NAME)
#
# SANs are DNS names or IP addresses (default: localhost 127.0.0.1 ::1). Keys
# are ECDSA P-256; certificates last 825 days (--days N to change), or ended
# in 2020 with --expired (for testing that the daemon refuses them).
set -euo pipefail

usage() { sed -n '2,12p' "$0" >&2; exit 2; }
[[ $# -ge 2 ]] || usage
kind=$1 dir=$2
shift 2
days=825
mkdir -p "$dir"

new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; chmod 600 "$1"; }

# Signs DIR/NAME.csr with the CA into DIR/NAME.pem with the extensions in $2.
sign() {
  local name=$1 extensions=$2 expired=$3
  if (( expired )); then
    # `openssl x509` cannot back-date; `openssl ca` can, with a throwaway database.
    local ca_dir
    ca_dir=$(mktemp -d)
    touch "$ca_dir/index.txt"
    cat >"$ca_dir/ca.cnf" <<CNF
[ca]
default_ca = throwaway
[throwaway]
database = $ca_dir/index.txt
new_certs_dir = $ca_dir
serial = $ca_dir/serial
default_md = sha256
policy = anything
copy_extensions = none
[anything]
organizationName = optional
commonName = supplied
CNF
    openssl rand -hex 16 >"$ca_dir/serial"
    printf '%s\n' "$extensions" >"$ca_dir/ext.cnf"
    openssl ca -batch -notext -config "$ca_dir/ca.cnf" -cert "$dir/ca.pem" -keyfile "$dir/ca.key" \
      -startdate 20200101000000Z -enddate 20200102000000Z -extfile "$ca_dir/ext.cnf" \
      -in "$dir/$name.csr" -out "$dir/$name.pem" 2>/dev/null
    rm -rf "$ca_dir"
  else
    openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
      -CAcreateserial -CAserial "$dir/ca.srl" -days "$days" -sha256 \
      -extfile <(printf '%s\n' "$extensions") -out "$dir/$name.pem" 2>/dev/null
  fi
  rm -f "$dir/$name.csr"
}

case $kind in
  ca)
    new_key "$dir/ca.key"
    openssl req -x509 -new -key "$dir/ca.key" -sha256 -days 3650 -subj "/O=chaosnet/CN=chaosnet CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -out "$dir/ca.pem"
    ;;
  server|client)
    [[ $# -ge 1 ]] || usage
    name=$1
    shift
    expired=0 sans=()
    while [[ $# -gt 0 ]]; do
      case $1 in
        --expired) expired=1 ;;
        --days) days=$2; shift ;;
        *) sans+=("$1") ;;
      esac
      shift
    done
    [[ -f "$dir/ca.pem" && -f "$dir/ca.key" ]] || { echo "make-certs: no CA in $dir (run: $0 ca $dir)" >&2; exit 1; }
    new_key "$dir/$name.key"
    openssl req -new -key "$dir/$name.key" -subj "/O=chaosnet/CN=$name" -out "$dir/$name.csr"
    if [[ $kind == server ]]; then
      (( ${#sans[@]} )) || sans=(localhost 127.0.0.1 ::1)
      alt=""
      for san in "${sans[@]}"; do
        if [[ $san =~ ^[0-9.]+$ || $san == *:* ]]; then alt+="IP:$san,"; else alt+="DNS:$san,"; fi
      done
      extensions="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=${alt%,}"
    else
      extensions="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"
    fi
    sign "$name" "$extensions" "$expired"
    ;;
  *) usage ;;
esac
