#include "CCurlBaseline.h"

#include <curl/curl.h>
#include <stdio.h>
#include <time.h>

static size_t discard(char *data, size_t size, size_t count, void *context) {
    (void)data;
    (void)context;
    return size * count;
}

static double now_seconds(void) {
    struct timespec time;
    clock_gettime(CLOCK_MONOTONIC, &time);
    return (double)time.tv_sec + (double)time.tv_nsec / 1e9;
}

/// The header list of request `number`: the fixed lines, then its own `webhook-id`.
static struct curl_slist *headers_for(long number, const char *const *headers, size_t header_count, const char *id_prefix) {
    struct curl_slist *list = NULL;
    for (size_t index = 0; index < header_count; index++) list = curl_slist_append(list, headers[index]);
    char id[160];
    snprintf(id, sizeof id, "webhook-id: %s%ld", id_prefix, number);
    return curl_slist_append(list, id);
}

static CURL *make_transfer(const char *url, const char *body, size_t length) {
    CURL *easy = curl_easy_init();
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)length);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    return easy;
}

/// Gives `easy` the headers of request `number`, freeing the previous request's list (kept in
/// CURLOPT_PRIVATE, since libcurl reads the list until the transfer ends).
static void set_headers(CURL *easy, long number, const char *const *headers, size_t header_count, const char *id_prefix) {
    struct curl_slist *previous = NULL;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&previous);
    struct curl_slist *list = headers_for(number, headers, header_count, id_prefix);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, (char *)list);
    curl_slist_free_all(previous);
}

ccurl_baseline_result ccurl_baseline_post(
    const char *url, const char *body, size_t length, long total, long in_flight,
    const char *const *headers, size_t header_count, const char *id_prefix) {
    ccurl_baseline_result result = {0, 0, 0};
    if (total <= 0 || in_flight <= 0) return result;
    curl_global_init(CURL_GLOBAL_ALL);
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, in_flight);

    double start = now_seconds();
    long started = 0, done = 0;
    for (; started < total && started < in_flight; started++) {
        CURL *easy = make_transfer(url, body, length);
        set_headers(easy, started, headers, header_count, id_prefix);
        curl_multi_add_handle(multi, easy);
    }
    while (done < total) {
        int running = 0;
        curl_multi_perform(multi, &running);
        CURLMsg *message;
        int queued = 0;
        while ((message = curl_multi_info_read(multi, &queued)) != NULL) {
            if (message->msg != CURLMSG_DONE) continue;
            CURL *easy = message->easy_handle;
            long status = 0;
            curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
            if (message->data.result == CURLE_OK && status >= 200 && status < 300) {
                result.succeeded++;
            } else {
                result.failed++;
            }
            done++;
            curl_multi_remove_handle(multi, easy);
            if (started < total) {
                set_headers(easy, started, headers, header_count, id_prefix);  // otherwise the same options
                curl_multi_add_handle(multi, easy);
                started++;
            } else {
                struct curl_slist *list = NULL;
                curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&list);
                curl_easy_cleanup(easy);
                curl_slist_free_all(list);
            }
        }
        if (done < total) curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    result.seconds = now_seconds() - start;
    curl_multi_cleanup(multi);
    return result;
}
