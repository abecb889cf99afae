#!/usr/bin/env bash
# Debian packages the PDF output needs (docs/pdf.md): LibreOffice Writer without a GUI converts
# the .docx, Noto CJK stands in for 仿宋/宋体/黑体/楷体/方正小标宋, Liberation Serif for Times
# New Roman (same metrics), poppler-utils gives pdffonts/pdftoppm to inspect the result.
# libreoffice-calc-nogui: a test re-saves the officer's workbook with Calc, as an officer's
# spreadsheet program would, and reads it back (tests/test_workbook.py).
# Run as root; safe to run again (apt-get install leaves installed packages as they are).
set -euo pipefail

packages=(libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk fonts-liberation2 poppler-utils)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-pdf-deps: all present (${packages[*]})"
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
