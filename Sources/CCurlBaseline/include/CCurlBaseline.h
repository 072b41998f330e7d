// A plain libcurl multi client in C: the ceiling that `gateway bench deliveries` compares the
// delivery engine with. It posts the same body to one URL as fast as libcurl can, with a fixed
// number of transfers in flight, reusing easy handles and connections. No Swift, no journal, no
// signing: only what any program must do to move the same bytes. Benchmark use only.

#ifndef CCURL_BASELINE_H
#define CCURL_BASELINE_H

#include <stddef.h>

/// What one run of the baseline client did.
typedef struct {
    long succeeded;   ///< transfers answered with 2xx
    long failed;      ///< transfers that failed or were answered otherwise
    double seconds;   ///< wall time from the first transfer added to the last one done
} ccurl_baseline_result;

/// Posts `body` (`length` bytes) to `url` `total` times with at most `in_flight` transfers (and as
/// many connections) at once, and returns what happened. Each request carries the `header_count`
/// lines of `headers` (`name: value`) and a unique `webhook-id: <id_prefix><n>`, so that the receiver
/// does the same work per request as for the gateway's own deliveries.
ccurl_baseline_result ccurl_baseline_post(
    const char *url, const char *body, size_t length, long total, long in_flight,
    const char *const *headers, size_t header_count, const char *id_prefix);

#endif
