#!/bin/sh
# Regenerates the TLS test material of tests/unit/check_transport.c with
# OpenSSL 3: a test CA, a server and a client certificate signed by it, and
# an unrelated self-signed certificate. EC P-256 keys; valid from 2020 for
# a hundred years, so neither a machine clock set in the past nor time
# passing breaks the tests.
set -e
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
start=20200101000000Z
end=21191231000000Z
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
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
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyAgreement
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = DNS:sip.test.example,DNS:localhost,IP:127.0.0.1,IP:::1
authorityKeyIdentifier = keyid
[client]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyAgreement
extendedKeyUsage = clientAuth
subjectAltName = DNS:client.test.example
authorityKeyIdentifier = keyid
[rogue]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyAgreement
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = DNS:sip.test.example,IP:127.0.0.1
CNF
: > "$tmp/index"
echo 01 > "$tmp/serial"

sign() { # name subject extensions [selfsign]
	openssl req -new -key "$1.key" -subj "$2" -out "$tmp/$1.csr"
	if [ "$4" = self ]; then
		openssl ca -batch -config "$tmp/ca.cnf" -selfsign \
			-keyfile "$1.key" -startdate $start -enddate $end \
			-extensions "$3" -in "$tmp/$1.csr" -out "$tmp/$1.crt"
	else
		openssl ca -batch -config "$tmp/ca.cnf" -cert ca.pem \
			-keyfile ca.key -startdate $start -enddate $end \
			-extensions "$3" -in "$tmp/$1.csr" -out "$tmp/$1.crt"
	fi
	openssl x509 -in "$tmp/$1.crt" -out "$1.pem"
}

key ca.key
sign ca "/O=sipline tests/CN=sipline test CA" v3_ca self
key server.key
sign server "/O=sipline tests/CN=sip.test.example" server
key client.key
sign client "/O=sipline tests/CN=client.test.example" client
key rogue.key
sign rogue "/O=not the test CA/CN=sip.test.example" rogue self
