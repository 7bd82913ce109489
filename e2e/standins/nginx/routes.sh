# Forwards the request path to the upstream (GET), answering 502 when the app is unreachable and the
# upstream's own error status otherwise (wget only says "failed": 503 stands for any error answer).
route() {
  if out=$(timeout 10 /bin/wget -q -O- "$UPSTREAM$URI" 2>/tmp/.wget-err.$$); then
    respond 200 application/json "$out"
  elif grep -q 'server returned error' /tmp/.wget-err.$$; then
    respond 503 text/plain "$(cat /tmp/.wget-err.$$)"
  else
    respond 502 text/plain "upstream $UPSTREAM unreachable"
  fi
  rm -f /tmp/.wget-err.$$
}
