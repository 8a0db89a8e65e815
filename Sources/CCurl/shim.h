// Typed wrappers for libcurl's variadic functions, which Swift cannot call directly.
// Only the options jobhook uses are wrapped; each takes exactly the C type libcurl expects.
#ifndef JOBHOOK_CCURL_SHIM_H
#define JOBHOOK_CCURL_SHIM_H

#include <curl/curl.h>
#include <signal.h>

typedef size_t (*jh_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);

static inline CURLcode jh_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode jh_setopt_str(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode jh_setopt_ptr(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode jh_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode jh_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode jh_setopt_callback(CURL *h, CURLoption o, jh_data_callback cb) { return curl_easy_setopt(h, o, cb); }

static inline CURLcode jh_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode jh_getinfo_ptr(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode jh_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }

/// The CURLcode of a finished transfer; the union in CURLMsg is awkward to read from Swift.
static inline CURLcode jh_msg_result(const CURLMsg *m) { return m->data.result; }
static inline int jh_msg_is_done(const CURLMsg *m) { return m->msg == CURLMSG_DONE; }

static inline CURLMcode jh_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }

/// libcurl writes to sockets whose peer may have gone; without this a closed socket kills the process.
static inline void jh_ignore_sigpipe(void) { signal(SIGPIPE, SIG_IGN); }

#endif
