# Not gRPC: answers anything (the health check only opens a TCP connection).
route() { respond 200 text/plain "zaino gRPC stand-in"; }
