#!/bin/sh
# Installs the built retort into a temporary prefix and builds
# examples/embedded-app on its own against it (find_package(retort)), with
# libretort.so and then with libretort.a; each build must migrate a SQLite
# file and a PostgreSQL database (a throwaway cluster this script starts:
# initdb + pg_ctl, loopback, a free port, as the postgres OS user when
# root) to head, and the shared build must load libretort.so from the
# prefix. A server that cannot start fails the test.
#   installed_example.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
source=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/retort-installed-XXXXXX")
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/retort-installed-pg-XXXXXX")
as_pg=""
if [ "$(id -u)" = 0 ]; then
  as_pg="runuser -u postgres --"
  chown postgres "$pgdir"
fi
bindir=${RETORT_PG_BINDIR:-$(pg_config --bindir 2>/dev/null || true)}
if [ ! -x "$bindir/initdb" ]; then
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
fi
[ -x "$bindir/initdb" ] ||
  { echo "cannot find PostgreSQL's initdb (set RETORT_PG_BINDIR)"; exit 1; }
cleanup() {
  $as_pg "$bindir/pg_ctl" -D "$pgdir/data" -m immediate -w stop \
    > /dev/null 2>&1 || true
  rm -rf "$tmp" "$pgdir"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$as_pg "$bindir/initdb" -D "$pgdir/data" -A trust -U postgres --no-sync \
  -E UTF8 --locale=C > "$pgdir/initdb.log" 2>&1 ||
  { cat "$pgdir/initdb.log"; exit 1; }
$as_pg "$bindir/pg_ctl" -D "$pgdir/data" -w -l "$pgdir/server.log" \
  -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$pgdir -c fsync=off" \
  start > /dev/null 2>&1 ||
  { echo "PostgreSQL did not start:"; cat "$pgdir/server.log"; exit 1; }
cmake --install "$build" --prefix "$tmp/prefix" > "$tmp/install.log"
for f in bin/retort include/retort/migrator.h include/retort/migration_set.h \
         lib/cmake/retort/retortConfig.cmake lib/pkgconfig/retort.pc; do
  test -e "$tmp/prefix/$f" || { echo "not installed: $f"; exit 1; }
done
ls "$tmp/prefix"/lib/libretort.so* "$tmp/prefix"/lib/libretort.a > /dev/null
for kind in shared static; do
  static=OFF
  [ "$kind" = static ] && static=ON
  cmake -S "$source/examples/embedded-app" -B "$tmp/app-$kind" \
        -DCMAKE_PREFIX_PATH="$tmp/prefix" -DRETORT_EXAMPLE_STATIC=$static \
        > "$tmp/configure-$kind.log" 2>&1 ||
    { cat "$tmp/configure-$kind.log"; exit 1; }
  cmake --build "$tmp/app-$kind" -j2 > "$tmp/build-$kind.log" 2>&1 ||
    { cat "$tmp/build-$kind.log"; exit 1; }
  app="$tmp/app-$kind/embedded_app"
  if [ "$kind" = shared ]; then
    ldd "$app" | grep -q "$tmp/prefix/lib/libretort.so" ||
      { echo "the shared build does not load the installed libretort.so:"; ldd "$app"; exit 1; }
  else
    if ldd "$app" | grep -q libretort.so; then
      echo "the static build loads libretort.so"; exit 1
    fi
  fi
  out=$("$app" "sqlite:///$tmp/$kind.db")
  echo "$out"
  echo "$out" | grep -q "^\[2/2\] upgrade 1a2b3c4d5e6f -> 2b3c4d5e6f70" ||
    { echo "$kind: no second step"; exit 1; }
  again=$("$app" "sqlite:///$tmp/$kind.db")
  [ "$again" = "at 2b3c4d5e6f70" ] || { echo "$kind: second run said: $again"; exit 1; }
  # PostgreSQL: a database per build.
  $as_pg "$bindir/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres \
    -c "CREATE DATABASE app_$kind" > /dev/null
  url="postgresql://postgres@127.0.0.1:$port/app_$kind"
  out=$("$app" "$url")
  echo "$out"
  echo "$out" | grep -q "^\[2/2\] upgrade 1a2b3c4d5e6f -> 2b3c4d5e6f70" ||
    { echo "$kind: no second step on PostgreSQL"; exit 1; }
  again=$("$app" "$url")
  [ "$again" = "at 2b3c4d5e6f70" ] ||
    { echo "$kind: second run on PostgreSQL said: $again"; exit 1; }
done
# Only the public API is exported from libretort.so.
if nm -D --defined-only "$tmp/prefix"/lib/libretort.so | grep -q "ScriptDirectory"; then
  echo "libretort.so exports internals (ScriptDirectory)"; exit 1
fi
nm -DC --defined-only "$tmp/prefix"/lib/libretort.so | grep -q "retort::Migrator::Open" ||
  { echo "libretort.so does not export retort::Migrator::Open"; exit 1; }
echo "installed example: shared and static builds migrated SQLite and PostgreSQL"
