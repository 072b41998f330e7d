// Non-variadic shims over libcurl for Swift.
//
// Swift cannot call C variadic functions such as curl_easy_setopt, curl_easy_getinfo and
// curl_multi_setopt, so each shim below forwards one argument type. They hold no logic: every
// function passes its arguments through unchanged and returns libcurl's result code.
// Only Gateway's Curl/ folder imports this module (`internal import CCurl`).

#ifndef CCURL_H
#define CCURL_H

#include <curl/curl.h>

/// curl_global_init(CURL_GLOBAL_ALL); the macro is a bit-or of macros that Swift does not import.
CURLcode ccurl_global_init(void);

/// The size libcurl requires for a CURLOPT_ERRORBUFFER buffer (CURL_ERROR_SIZE).
size_t ccurl_error_size(void);

/// The invalid-socket value an opensocket callback returns to refuse a connection (CURL_SOCKET_BAD).
curl_socket_t ccurl_socket_bad(void);

/// The CURLPIPE_MULTIPLEX bit for CURLMOPT_PIPELINING.
long ccurl_pipe_multiplex(void);

/// A pointer to the `addr` member of a curl_sockaddr: the member is declared as a 16-byte
/// `struct sockaddr` but libcurl stores a full sockaddr_in6 there, so Swift must read it in place.
const struct sockaddr *ccurl_sockaddr_address(const struct curl_sockaddr *address);

/// Names the calling thread (pthread_setname_np, at most 15 characters on Linux) so the curl thread
/// shows as such in `top -H`, debuggers and crash reports. Swift's Glibc module does not export the
/// GNU function, and Foundation's Thread.name races with thread start-up on Linux.
int ccurl_name_current_thread(const char *name);

// curl_easy_setopt, one shim per argument type.
CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ccurl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
CURLcode ccurl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);

// Callback setters, with the C function pointer types libcurl documents.
CURLcode ccurl_easy_setopt_write_function(CURL *handle, curl_write_callback callback);
CURLcode ccurl_easy_setopt_header_function(CURL *handle, curl_write_callback callback);
CURLcode ccurl_easy_setopt_opensocket_function(CURL *handle, curl_opensocket_callback callback);

// curl_easy_getinfo, one shim per result type.
CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode ccurl_easy_getinfo_double(CURL *handle, CURLINFO info, double *value);
CURLcode ccurl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value);
CURLcode ccurl_easy_getinfo_string(CURL *handle, CURLINFO info, const char **value);
CURLcode ccurl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value);

// curl_multi_setopt for integer options.
CURLMcode ccurl_multi_setopt_long(CURLM *handle, CURLMoption option, long value);

#endif
