#!/usr/bin/env bash
# Start OpenLDAP slapd (Debian's package, mdb backend) on 127.0.0.1:$2 with the LDIF in $1,
# equality and substring indexes on what the mail-client filters ask for. Prints slapd's pid.
set -euo pipefail
ldif=$1; port=$2; dir=$3
if ! command -v slapd >/dev/null && [ ! -x /usr/sbin/slapd ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slapd ldap-utils >/dev/null
fi
rm -rf "$dir"; mkdir -p "$dir/db"
cat > "$dir/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile $dir/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
sizelimit 500
database mdb
maxsize 1073741824
suffix "o=nhs"
rootdn "cn=admin,o=nhs"
rootpw secret
directory $dir/db
index objectClass eq
index uid,mail,cn,sn,givenName eq,sub
access to * by * read
CONF
/usr/sbin/slapadd -q -f "$dir/slapd.conf" -l "$ldif" >/dev/null 2>&1
/usr/sbin/slapd -f "$dir/slapd.conf" -h "ldap://127.0.0.1:$port/"
for i in $(seq 50); do [ -f "$dir/slapd.pid" ] && break; sleep 0.1; done
cat "$dir/slapd.pid"
