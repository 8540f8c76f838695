#!/usr/bin/env bash
# Copy the front-end packages installed by npm (package-lock.json) into the git-ignored static folder.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=src/himaya/static/vendor
if [ ! -d node_modules/leaflet ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --silent
fi
mkdir -p "$dest/bootstrap/css" "$dest/bootstrap/js" "$dest/htmx" "$dest/leaflet/images" "$dest/fonts"
cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map \
   node_modules/bootstrap/dist/css/bootstrap.rtl.min.css node_modules/bootstrap/dist/css/bootstrap.rtl.min.css.map \
   "$dest/bootstrap/css/"
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map \
   "$dest/bootstrap/js/"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx/"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.js.map node_modules/leaflet/dist/leaflet.css \
   "$dest/leaflet/"
cp node_modules/leaflet/dist/images/*.png "$dest/leaflet/images/"
# Fonts embedded in PDFs (WeasyPrint) and usable by pages: Noto Naskh Arabic and Noto Sans (SIL OFL).
for weight in 400 700; do
  cp "node_modules/@fontsource/noto-naskh-arabic/files/noto-naskh-arabic-arabic-$weight-normal.woff" \
     "node_modules/@fontsource/noto-sans/files/noto-sans-latin-$weight-normal.woff" \
     "node_modules/@fontsource/noto-sans/files/noto-sans-latin-ext-$weight-normal.woff" "$dest/fonts/"
done
