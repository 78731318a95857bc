#!/usr/bin/env bash
# Start OpenLDAP slapd (Debian's package, mdb backend) on 127.0.0.1:$2 with the LDIF in $1,
# equality and substring indexes on what the mail-client filters ask for. Prints slapd's pid.
# The database in $3 is kept while the LDIF is unchanged: slapadd of 1,500,000 entries takes minutes.
set -euo pipefail
ldif=$1; port=$2; dir=$3
if ! command -v slapd >/dev/null && [ ! -x /usr/sbin/slapd ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slapd ldap-utils >/dev/null
fi
# A slapd this script started in an earlier run that did not end (its pid file, and the name slapd).
if [ -f "$dir/slapd.pid" ]; then
  old=$(cat "$dir/slapd.pid")
  if [ "$(cat "/proc/$old/comm" 2>/dev/null)" = slapd ]; then
    kill "$old"
    for i in $(seq 50); do [ -d "/proc/$old" ] || break; sleep 0.1; done
  fi
  rm -f "$dir/slapd.pid"
fi
stamp="$(stat -c '%Y %s' "$ldif")"
keep=false
if [ -f "$dir/db/data.mdb" ] && [ "$(cat "$dir/loaded" 2>/dev/null)" = "$stamp" ]; then keep=true; fi
if ! $keep; then rm -rf "$dir"; fi
mkdir -p "$dir/db"
# Passwords may be used to bind and for nothing else; everything else may be read by anyone.
# maxsize is the map's upper bound, not space taken: 1,500,000 entries with these indexes need a few GB.
cat > "$dir/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile $dir/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
sizelimit 500
tool-threads 2
database mdb
maxsize 34359738368
suffix "o=nhs"
rootdn "cn=admin,o=nhs"
rootpw secret
directory $dir/db
index objectClass eq
index uid,mail,cn,sn,givenName eq,sub
access to attrs=userPassword by * auth
access to * by * read
CONF
if ! $keep; then
  /usr/sbin/slapadd -q -f "$dir/slapd.conf" -l "$ldif" >/dev/null 2>&1
  echo "$stamp" > "$dir/loaded"
fi
/usr/sbin/slapd -f "$dir/slapd.conf" -h "ldap://127.0.0.1:$port/"
for i in $(seq 50); do [ -f "$dir/slapd.pid" ] && break; sleep 0.1; done
cat "$dir/slapd.pid"
