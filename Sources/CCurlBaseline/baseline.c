#include "CCurlBaseline.h"

#include <curl/curl.h>
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

static CURL *make_transfer(const char *url, const char *body, size_t length, struct curl_slist *headers) {
    CURL *easy = curl_easy_init();
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)length);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    return easy;
}

ccurl_baseline_result ccurl_baseline_post(const char *url, const char *body, size_t length, long total, long in_flight) {
    ccurl_baseline_result result = {0, 0, 0};
    if (total <= 0 || in_flight <= 0) return result;
    curl_global_init(CURL_GLOBAL_ALL);
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, in_flight);
    struct curl_slist *headers = curl_slist_append(NULL, "content-type: application/json");

    double start = now_seconds();
    long started = 0, done = 0;
    for (; started < total && started < in_flight; started++) {
        curl_multi_add_handle(multi, make_transfer(url, body, length, headers));
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
                curl_multi_add_handle(multi, easy);  // same options: the handle posts again
                started++;
            } else {
                curl_easy_cleanup(easy);
            }
        }
        if (done < total) curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    result.seconds = now_seconds() - start;
    curl_slist_free_all(headers);
    curl_multi_cleanup(multi);
    return result;
}
