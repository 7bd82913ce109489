#!/bin/sh
# psql-bundle.sh DIR: copies psql (PostgreSQL 15, Debian) and every shared library it loads into
# DIR/lib, and writes DIR/psql, which starts it through the bundled dynamic loader: a client that
# runs in an image without a C library. Run while building Dockerfile.psql, in the Debian stage.
set -eu
dir=$1
bin=/usr/lib/postgresql/15/bin/psql
mkdir -p "$dir/lib"
cp "$bin" "$dir/psql.bin"
loader=""
for lib in $(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
  cp -L "$lib" "$dir/lib/"
  case "$lib" in */ld-linux*) loader=${lib##*/} ;; esac
done
[ -n "$loader" ] || { echo "psql-bundle: no dynamic loader in: $(ldd "$bin")" >&2; exit 1; }
lib=/usr/local/lib/standin/psql
printf '#!/bin/sh\nexec %s/lib/%s --library-path %s/lib %s/psql.bin "$@"\n' "$lib" "$loader" "$lib" "$lib" >"$dir/psql"
chmod 0755 "$dir/psql"
ls -l "$dir/lib"
