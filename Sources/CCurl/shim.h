#include <curl/curl.h>

// libcurl is not linked: CeleriacHTTP loads it with dlopen on first use (an idle worker then
// never maps it and the ~30 libraries it pulls in). Its variadic functions cannot be called
// from Swift, nor through a Swift function pointer: these shims make the variadic call from C
// through the address dlsym returned.
typedef CURLcode (*celeriac_curl_setopt_fn)(CURL *, CURLoption, ...);
typedef CURLcode (*celeriac_curl_getinfo_fn)(CURL *, CURLINFO, ...);

static inline CURLcode celeriac_curl_setopt_long(void *fn, CURL *h, CURLoption o, long v) {
    return ((celeriac_curl_setopt_fn)fn)(h, o, v);
}
static inline CURLcode celeriac_curl_setopt_ptr(void *fn, CURL *h, CURLoption o, const void *v) {
    return ((celeriac_curl_setopt_fn)fn)(h, o, v);
}
// CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION take the same callback type.
static inline CURLcode celeriac_curl_setopt_callback(void *fn, CURL *h, CURLoption o, size_t (*f)(char *, size_t, size_t, void *)) {
    return ((celeriac_curl_setopt_fn)fn)(h, o, f);
}
static inline CURLcode celeriac_curl_getinfo_long(void *fn, CURL *h, CURLINFO i, long *v) {
    return ((celeriac_curl_getinfo_fn)fn)(h, i, v);
}
