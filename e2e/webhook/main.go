// Command webhook is the alert receiver of the service-hosts test bed: it accepts
// Alertmanager webhook notifications (any POST) and lists what it received.
//
//	POST /<anything>   body kept with the time it arrived (at most 1 MiB, 1000 bodies)
//	GET  /received     the bodies as a JSON array: {"receivedAtMs", "path", "body"}
//	GET  /healthz      200
//
// It answers only on the address given with -listen and keeps everything in memory.
package main

import (
	"encoding/json"
	"flag"
	"io"
	"log"
	"net/http"
	"sync"
	"time"
)

type notification struct {
	ReceivedAtMs int64           `json:"receivedAtMs"`
	Path         string          `json:"path"`
	Body         json.RawMessage `json:"body"`
}

const maxBodies = 1000

func main() {
	listen := flag.String("listen", "127.0.0.1:9099", "address to listen on")
	flag.Parse()

	var mu sync.Mutex
	received := []notification{}

	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	http.HandleFunc("/received", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			http.Error(w, "GET only", http.StatusMethodNotAllowed)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(received)
	})
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST a notification", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil || !json.Valid(body) {
			http.Error(w, "a JSON body", http.StatusBadRequest)
			return
		}
		mu.Lock()
		if len(received) < maxBodies {
			received = append(received, notification{ReceivedAtMs: time.Now().UnixMilli(), Path: r.URL.Path, Body: body})
		}
		mu.Unlock()
		log.Printf("notification on %s (%d bytes)", r.URL.Path, len(body))
		w.WriteHeader(http.StatusOK)
	})
	server := &http.Server{Addr: *listen, ReadHeaderTimeout: 5 * time.Second}
	log.Printf("listening on %s", *listen)
	log.Fatal(server.ListenAndServe())
}
