// Command loadgen sends a bounded HTTP load and prints what it saw, for the real-engine suite's
// rolling-update and node-loss scenarios. It stops at -max-requests, at -max-duration, or on SIGINT /
// SIGTERM, whichever comes first, and prints one JSON summary line on stdout.
//
// Requests go round robin over -urls, the way a client balances over the nodes of a swarm whose
// ports are published in host mode. A request whose connection is refused or reset is retried on
// the next URL (up to one try per URL): a node without a task refuses, and that is not a lost
// request. A request is failed when every try failed, or when the answer is not 2xx.
package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type summary struct {
	Requests     int64            `json:"requests"`
	OK           int64            `json:"ok"`
	Failed       int64            `json:"failed"`
	Retries      int64            `json:"retries"`
	DurationMs   int64            `json:"durationMs"`
	Rate         float64          `json:"ratePerSecond"`
	StoppedBy    string           `json:"stoppedBy"`
	FailureKinds map[string]int64 `json:"failureKinds"`
}

func main() {
	urls := flag.String("urls", "", "comma-separated URLs, tried round robin")
	maxRequests := flag.Int64("max-requests", 10000, "stop after this many requests")
	maxDuration := flag.Duration("max-duration", 5*time.Minute, "stop after this long")
	ratePerSecond := flag.Int("rate", 20, "requests started per second")
	timeout := flag.Duration("timeout", 5*time.Second, "per-try timeout")
	insecure := flag.Bool("insecure", false, "accept any TLS certificate (the suite checks the chain separately)")
	flag.Parse()
	targets := strings.Split(*urls, ",")
	if *urls == "" || len(targets) == 0 {
		fmt.Fprintln(os.Stderr, "loadgen: -urls is required")
		os.Exit(2)
	}

	ctx, cancel := context.WithTimeout(context.Background(), *maxDuration)
	defer cancel()
	stoppedBy := "max-duration"
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-signals
		stoppedBy = "signal"
		cancel()
	}()

	client := &http.Client{Timeout: *timeout, Transport: &http.Transport{DisableKeepAlives: true, TLSClientConfig: &tls.Config{InsecureSkipVerify: *insecure}}}
	var sent, ok, failed, retries int64
	var mu sync.Mutex
	kinds := map[string]int64{}
	fail := func(kind string) {
		atomic.AddInt64(&failed, 1)
		mu.Lock()
		kinds[kind]++
		mu.Unlock()
	}
	var wg sync.WaitGroup
	ticker := time.NewTicker(time.Second / time.Duration(*ratePerSecond))
	defer ticker.Stop()
	start := time.Now()
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-ticker.C:
		}
		n := atomic.AddInt64(&sent, 1)
		if n > *maxRequests {
			atomic.AddInt64(&sent, -1)
			stoppedBy = "max-requests"
			break
		}
		wg.Add(1)
		go func(n int64) {
			defer wg.Done()
			lastErr := ""
			for try := 0; try < len(targets); try++ {
				url := targets[(int(n)+try)%len(targets)]
				resp, err := client.Get(url)
				if err != nil {
					lastErr = "connect: " + shortError(err)
					if try+1 < len(targets) {
						atomic.AddInt64(&retries, 1)
					}
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode >= 200 && resp.StatusCode < 300 {
					atomic.AddInt64(&ok, 1)
				} else {
					fail(fmt.Sprintf("status %d", resp.StatusCode))
				}
				return
			}
			fail(lastErr)
		}(n)
	}
	wg.Wait()
	elapsed := time.Since(start)
	out := summary{
		Requests: sent, OK: ok, Failed: failed, Retries: retries,
		DurationMs: elapsed.Milliseconds(), Rate: float64(sent) / elapsed.Seconds(),
		StoppedBy: stoppedBy, FailureKinds: kinds,
	}
	json.NewEncoder(os.Stdout).Encode(out)
}

// shortError keeps the cause of a network error without the URL (which varies per node).
func shortError(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}
