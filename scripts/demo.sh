#!/usr/bin/env bash
# The demo: ingest the bundled example documents, then ask and search in Korean and English.
set -euo pipefail
DOCENT=${1:-build/docent}
DATA=${2:-build/demo-data}


echo "== Ingesting examples/ into $DATA"
"$DOCENT" add --data "$DATA" examples
echo
"$DOCENT" docs ls --data "$DATA"

ask() { echo; echo "\$ docent ask \"$1\""; "$DOCENT" ask --data "$DATA" "$1"; }
ask "How many days of annual leave do new employees get?"
ask "연차 휴가는 며칠인가요?"
ask "What does error code E07 mean on the HB-200?"
ask "법인카드 분실 시 어떻게 해야 하나요?"
ask "방문객은 몇 시까지 출입할 수 있나요?"   # answered from a scanned page, read by OCR
ask "What is the company's policy on stock options?"
echo
echo "\$ docent search \"VPN MFA\" -k 3"
"$DOCENT" search --data "$DATA" "VPN MFA" -k 3
echo
echo "Serve these documents with the web UI:  $DOCENT serve --data $DATA   (then open http://127.0.0.1:8080/)"
