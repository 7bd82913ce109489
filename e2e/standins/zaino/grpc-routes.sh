# Not gRPC: answers any request with what Zebra's getblockchaininfo returned when the stand-in reached
# it (the health check only opens a TCP connection; the suite reads the answer).
route() { respond 200 application/json "$(cat /app/config/validator-info.json)"; }
