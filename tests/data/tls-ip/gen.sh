#!/bin/sh
# Regenerates the IP-address certificates of tests/unit/check_transport.c
# with OpenSSL 3. All but self.pem are signed by the test CA of ../tls/
# (which this script reads, never rewrites); EC P-256 keys except self.key;
# valid from 2020 for a hundred years like the rest of the test material.
set -e
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
start=20200101000000Z
end=21191231000000Z
eckey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	-out "$1"; }

cat > "$tmp/ca.cnf" <<CNF
[ca]
default_ca = test
[test]
dir = $tmp
database = $tmp/index
new_certs_dir = $tmp
serial = $tmp/serial
default_md = sha256
policy = any
copy_extensions = none
unique_subject = no
[any]
organizationName = optional
commonName = supplied
[leaf]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyAgreement
extendedKeyUsage = serverAuth,clientAuth
[ip]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyAgreement
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = IP:127.0.0.1,IP:::1
[dnsip]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyAgreement
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = DNS:127.0.0.1,DNS:::1
[self]
basicConstraints = critical,CA:TRUE
subjectKeyIdentifier = hash
subjectAltName = IP:127.0.0.1
CNF
: > "$tmp/index"
echo 01 > "$tmp/serial"

sign() { # name subject extensions [self]
	openssl req -new -key "$1.key" -subj "$2" -out "$tmp/$1.csr"
	if [ "$4" = self ]; then
		openssl ca -batch -config "$tmp/ca.cnf" -selfsign \
			-keyfile "$1.key" -startdate $start -enddate $end \
			-extensions "$3" -in "$tmp/$1.csr" -out "$tmp/$1.crt"
	else
		openssl ca -batch -config "$tmp/ca.cnf" -cert ../tls/ca.pem \
			-keyfile ../tls/ca.key -startdate $start \
			-enddate $end -extensions "$3" -in "$tmp/$1.csr" \
			-out "$tmp/$1.crt"
	fi
	openssl x509 -in "$tmp/$1.crt" -out "$1.pem"
}

eckey ip.key
sign ip "/O=sipline tests/CN=sipline IP test" ip
eckey cn.key
sign cn "/O=sipline tests/CN=127.0.0.1" leaf
eckey dnsip.key
sign dnsip "/O=sipline tests/CN=127.0.0.1" dnsip
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out self.key
sign self "/CN=127.0.0.1" self self
