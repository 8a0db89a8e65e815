/* The floor for one poll: a bare libcurl loop doing the same ShowJob GETs as jobhook, on one easy
 * handle (so one kept-alive connection), reading every body byte and parsing nothing.
 *
 *   floor BASE_URL PROJECT INTERVAL_MS JOB_ID...      (job IDs also one per line on stdin with "-")
 *
 * Each job is polled every INTERVAL_MS (paced like jobhook: the next poll of a job is due one
 * interval after its last one; when behind, it polls at once). Runs until killed. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static size_t sink(char *data, size_t size, size_t count, void *user) {
    (void)data;
    *(size_t *)user += size * count;
    return size * count;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: floor BASE_URL PROJECT INTERVAL_MS JOB_ID... | -\n");
        return 2;
    }
    const char *base = argv[1], *project = argv[2];
    double interval = atof(argv[3]);
    size_t count = 0, capacity = 1024;
    char **ids = malloc(capacity * sizeof *ids);
    if (strcmp(argv[4], "-") == 0) {
        char line[256];
        while (fgets(line, sizeof line, stdin)) {
            line[strcspn(line, "\r\n")] = 0;
            if (!*line) continue;
            if (count == capacity) ids = realloc(ids, (capacity *= 2) * sizeof *ids);
            ids[count++] = strdup(line);
        }
    } else {
        for (int i = 4; i < argc; i++) {
            if (count == capacity) ids = realloc(ids, (capacity *= 2) * sizeof *ids);
            ids[count++] = argv[i];
        }
    }
    if (count == 0) return 2;
    char **urls = malloc(count * sizeof *urls);
    for (size_t i = 0; i < count; i++) {
        size_t n = strlen(base) + strlen(project) + strlen(ids[i]) + 32;
        urls[i] = malloc(n);
        snprintf(urls[i], n, "%s/api/v3/projects/%s/jobs/%s", base, project, ids[i]);
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *easy = curl_easy_init();
    struct curl_slist *headers = curl_slist_append(NULL, "X-Auth-Token: bench-token");
    headers = curl_slist_append(headers, "Accept: application/json");
    size_t received = 0;
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &received);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    /* Spread first polls over one interval, like jobhook's jitter, then keep each job's cadence. */
    double start = now_ms(), per = interval / count;
    for (size_t round = 0;; round++) {
        for (size_t i = 0; i < count; i++) {
            double due = start + round * interval + i * per, wait = due - now_ms();
            if (wait > 0) {
                struct timespec ts = {(time_t)(wait / 1e3), (long)((wait - (time_t)(wait / 1e3) * 1e3) * 1e6)};
                nanosleep(&ts, NULL);
            }
            curl_easy_setopt(easy, CURLOPT_URL, urls[i]);
            CURLcode rc = curl_easy_perform(easy);
            long status = 0;
            curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
            if (rc != CURLE_OK || status != 200) {
                fprintf(stderr, "floor: %s: %s (%ld)\n", ids[i], curl_easy_strerror(rc), status);
            }
        }
    }
}
