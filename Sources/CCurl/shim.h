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
static inline CURLcode celeriac_curl_setopt_write(void *fn, CURL *h, size_t (*f)(char *, size_t, size_t, void *)) {
    return ((celeriac_curl_setopt_fn)fn)(h, CURLOPT_WRITEFUNCTION, f);
}
static inline CURLcode celeriac_curl_getinfo_long(void *fn, CURL *h, CURLINFO i, long *v) {
    return ((celeriac_curl_getinfo_fn)fn)(h, i, v);
}
