#!/usr/bin/env bash
# Assembles the private MPJ_HOME (mpi/home) from Debian's libmpj-java.
# Debian's mpjrun.sh is broken as packaged; starter.jar with a complete lib/ works.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
home="$here/home"
src=/usr/share/mpj/lib
for f in "$src/starter.jar" /usr/share/java/log4j-1.2.jar /usr/share/java/commons-io.jar \
         /usr/share/java/commons-codec.jar /usr/share/java/commons-cli.jar; do
  [ -e "$f" ] || { echo "setup-mpj: $f is missing (install: apt-get install libmpj-java liblog4j1.2-java libcommons-io-java libcommons-codec-java libcommons-cli-java)" >&2; exit 1; }
done
if [ -f "$home/.complete" ]; then exit 0; fi
rm -rf "$home"
mkdir -p "$home/lib" "$home/conf" "$home/logs"
cp -L "$src"/*.jar "$home/lib/"
rm -f "$home"/lib/*-0.44.jar
cp -L /usr/share/java/log4j-1.2.jar "$home/lib/log4j-1.2.jar"
cp -L /usr/share/java/commons-io.jar "$home/lib/commons-io.jar"
cp -L /usr/share/java/commons-codec.jar "$home/lib/commons-codec.jar"
cp -L /usr/share/java/commons-cli.jar "$home/lib/commons-cli.jar"
cp -L /etc/mpj/* "$home/conf/"
touch "$home/.complete"
echo "setup-mpj: MPJ_HOME assembled at $home"
